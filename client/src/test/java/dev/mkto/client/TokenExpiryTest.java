package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.MutableClock;
import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens expiring while calls run, with the instance's token lifetime shortened to seconds. The
 * server's clock is real, so these tests run for a few seconds; the client's clock is injected
 * where the test needs it to disagree with the server's.
 */
class TokenExpiryTest {

    private static final int TTL_SECONDS = 3;
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
        // the limits are not what these tests are about: out of the way
        server.admin().instance(Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1_000, "dailyQuota", 1_000_000_000)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void shortTokens() {
        server.admin().instance(Map.of("tokenTtlSeconds", TTL_SECONDS));
    }

    /** Eight threads call until the run has outlived the first token by a margin; returns the failed calls. */
    private static int callFromEightThreadsFor(MarketoClient client, Duration duration) throws Exception {
        long deadline = System.nanoTime() + duration.toNanos();
        AtomicInteger calls = new AtomicInteger();
        List<Integer> failures = TokensTest.runConcurrently(8, () -> {
            int failed = 0;
            while (System.nanoTime() < deadline) {
                ApiResult<List<Leads.Partition>> r = client.leads().partitions();
                calls.incrementAndGet();
                if (!r.success()) {
                    failed++;
                }
            }
            return failed;
        });
        assertThat(calls.get()).isGreaterThan(50);
        return failures.stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    void tokenWhenItExpiresOnTheServerMidRunThenNoCallFailsAndOneThreadReauthenticatesOnce() throws Exception {
        ServerAdmin.Service service = server.admin().serviceWith("Read-Only Lead");
        RecordingTrace trace = new RecordingTrace();
        // the client's clock stands still: only the server's 602 can tell it the token expired
        MarketoClient client = TestClients.builder(server, service, trace).clock(MutableClock.startingNow()).limits(Limits.unlimited()).build();

        int failed = callFromEightThreadsFor(client, Duration.ofSeconds(TTL_SECONDS).plusMillis(1500));

        assertThat(failed).isZero();
        assertThat(trace.identityRequests).as("the first token, then exactly one re-authentication").hasValue(2);
        assertThat(trace.refusedTokens).contains("602");
        assertThat(trace.refusedTokens).allMatch(code -> code.equals("601") || code.equals("602"));
    }

    @Test
    void tokenWhenTheClientSeesItExpireThenNoCallFailsAndOneReauthentication() throws Exception {
        ServerAdmin.Service service = server.admin().serviceWith("Read-Only Lead");
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = TestClients.builder(server, service, trace).limits(Limits.unlimited()).build();

        int failed = callFromEightThreadsFor(client, Duration.ofSeconds(TTL_SECONDS).plusMillis(1500));

        assertThat(failed).isZero();
        assertThat(trace.identityRequests).hasValue(2);
    }

    @Test
    void tokenWhoseLifeIsWithinTheSkewThenUsedUntilItExpiresWithoutAskingIdentityAgain() {
        server.admin().instance(Map.of("tokenTtlSeconds", 30)); // less than the default 60 s skew
        ServerAdmin.Service service = server.admin().serviceWith("Read-Only Lead");
        RecordingTrace trace = new RecordingTrace();
        MutableClock clock = MutableClock.startingNow();
        MarketoClient client = TestClients.builder(server, service, trace).clock(clock).build();

        for (int i = 0; i < 20; i++) {
            assertThat(client.leads().partitions().success()).isTrue();
        }
        assertThat(trace.identityRequests).as("identity would hand back the same token: not asked again").hasValue(1);

        clock.advance(Duration.ofSeconds(31)); // the client's clock says it expired; the server's, that it has 30 s left
        assertThat(client.leads().partitions().success()).isTrue();
        assertThat(client.leads().partitions().success()).isTrue();

        assertThat(trace.identityRequests).as("asked once, got the same token back, used it").hasValue(2);
        assertThat(trace.refusedTokens).isEmpty();
    }
}
