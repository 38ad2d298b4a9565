package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage statistics read through the typed calls from a real mkto-server. Needs the server's
 * {@code /rest/v1/stats/usage.json}, {@code …/usage/last7days.json}, {@code …/errors.json} and
 * {@code …/errors/last7days.json} (no permission required; counts per API user and per error code).
 */
class StatsTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * The server records usage in batches on its own (real) clock: asks again, a quarter second
     * apart, for up to 15 s until the answer shows what the test did.
     */
    private static <T> ApiResult<T> eventually(Supplier<ApiResult<T>> call, Predicate<T> shows) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        ApiResult<T> r = call.get();
        while (System.nanoTime() < deadline && r.success() && !shows.test(r.orElseThrow())) {
            Thread.sleep(250);
            r = call.get();
        }
        return r;
    }

    @Test
    void usageWhenAnApiUserMadeCallsThenTodayCountsThemUnderItsEmail() throws Exception {
        ServerAdmin.Service worker = server.admin().serviceWith("Read-Write Lead");
        MarketoClient client = TestClients.client(server, worker);
        for (int i = 0; i < 3; i++) {
            assertThat(client.leads().partitions().success()).isTrue();
        }
        MarketoClient observer = TestClients.client(server, server.admin().serviceWith("Read-Only Activity"));

        ApiResult<List<Stats.DailyUsage>> today = eventually(() -> observer.stats().usage(),
                days -> !days.isEmpty() && days.get(0).users().getOrDefault(worker.userEmail(), 0L) >= 3);

        assertThat(today.success()).as("%s", today).isTrue();
        Stats.DailyUsage day = today.orElseThrow().get(0);
        assertThat(day.users()).containsEntry(worker.userEmail(), 3L);
        assertThat(day.total()).isGreaterThanOrEqualTo(3);
        assertThat(observer.stats().usageLast7Days().orElseThrow()).isNotEmpty();
    }

    @Test
    void errorsWhenCallsWereDeniedThenTodayCountsThemUnderTheirCode() throws Exception {
        MarketoClient reader = TestClients.client(server, server.admin().serviceWith("Read-Only Lead"));
        assertThat(reader.leads().sync(List.of(Map.of("email", "denied@example.com"))).error()).map(MarketoError::code).contains("603");

        ApiResult<List<Stats.DailyErrors>> today = eventually(() -> reader.stats().errors(),
                days -> !days.isEmpty() && days.get(0).errors().getOrDefault("603", 0L) >= 1);

        assertThat(today.success()).as("%s", today).isTrue();
        assertThat(today.orElseThrow().get(0).errors()).containsKey("603");
        assertThat(reader.stats().errorsLast7Days().success()).isTrue();
    }
}
