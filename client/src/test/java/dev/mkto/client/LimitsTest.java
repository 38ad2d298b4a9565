package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.MutableClock;
import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The instance's limits against a real mkto-server with tight settings, each test on a server of
 * its own (limits and usage belong to the instance). Needs the server to enforce them:
 * {@code limits.rateCalls/rateWindowSeconds} → 606 {@code Max rate limit 'N' exceeded with in 'S' secs},
 * {@code limits.concurrent} → 615 {@code Concurrent access limit 'N' reached},
 * {@code limits.dailyQuota} → 607 {@code Daily quota reached}.
 *
 * <p>The server's windows run on its real clock, so back-offs here really wait (for about a
 * second); the client-side logic is covered without waiting in LimiterTest and RetryRulesTest.
 */
class LimitsTest {

    private ServerProcess server;
    private ServerAdmin.Service service;

    @BeforeEach
    void start() {
        server = ServerProcess.start();
        service = server.admin().serviceWith("Read-Write Lead");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void limits(Map<String, Object> limits) {
        server.admin().instance(Map.of("limits", limits));
    }

    @Test
    void callsWhenTheInstanceRateLimitIsTightThen606IsBackedOffWithJitterAndEveryCallSucceeds() {
        limits(Map.of("rateCalls", 3, "rateWindowSeconds", 1));
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = TestClients.builder(server, service, trace).limits(Limits.unlimited()).build();

        List<ApiResult<List<Leads.Partition>>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(client.leads().partitions());
        }

        assertThat(results).allSatisfy(r -> assertThat(r.success()).as("%s", r).isTrue());
        assertThat(trace.retries("606")).isPositive();
        assertThat(trace.retryDelays).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(20)));
    }

    @Test
    void callsWhenTheInstanceConcurrencyLimitIsTightThen615IsBackedOffAndEveryCallSucceeds() throws Exception {
        limits(Map.of("concurrent", 1));
        RecordingTrace trace = new RecordingTrace();
        // six callers queue behind one slot: more retries than the default leave room for an unlucky one
        MarketoClient client = TestClients.builder(server, service, trace).limits(Limits.unlimited()).retries(10).build();
        CountDownLatch go = new CountDownLatch(6);
        AtomicInteger caller = new AtomicInteger();

        List<ApiResult<List<RecordResult>>> results = TokensTest.runConcurrently(6, () -> {
            int me = caller.incrementAndGet();
            List<Map<String, Object>> records = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                records.add(Map.of("email", "c" + me + "-" + i + "@example.com"));
            }
            go.countDown();
            go.await();
            return client.leads().sync(records);
        });

        assertThat(results).allSatisfy(r -> assertThat(r.success()).as("%s", r).isTrue());
        assertThat(trace.retries("615")).isPositive();
    }

    @Test
    void callsWhenTheClientLimiterIsSetBelowTheInstancesLimitThenMarketoNeverAnswers606() {
        limits(Map.of("rateCalls", 5, "rateWindowSeconds", 2));
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = TestClients.builder(server, service, trace).limits(new Limits(4, Duration.ofSeconds(2), 10)).build();

        for (int i = 0; i < 10; i++) {
            assertThat(client.leads().partitions().success()).isTrue();
        }

        assertThat(trace.retryReasons).isEmpty();
    }

    @Test
    void callWhenTheDailyQuotaIsUsedUpThen607IsNeverRetriedAndTheResultSaysWhenItResets() {
        limits(Map.of("dailyQuota", 3));
        RecordingTrace trace = new RecordingTrace();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T17:00:00Z"));
        MarketoClient client = TestClients.builder(server, service, trace).clock(clock).build();

        ApiResult<List<Leads.Partition>> refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            ApiResult<List<Leads.Partition>> r = client.leads().partitions();
            if (!r.success()) {
                refused = r;
            }
        }

        assertThat(refused).as("a call refused once the quota of 3 is used").isNotNull();
        assertThat(refused.errors()).containsExactly(new MarketoError("607", "Daily quota reached"));
        assertThat(refused.requestIds()).as("one request: not retried").hasSize(1);
        assertThat(trace.retryReasons).isEmpty();
        // midnight in America/Chicago (UTC-6 in November) after 2026-11-23T17:00Z
        assertThat(refused.quotaResetsAt()).contains(Instant.parse("2026-11-24T06:00:00Z"));
        assertThat(refused.toString()).contains("the daily quota resets at 2026-11-24T06:00:00Z");
    }

    @Test
    void callsWaitingForTheClientLimiterWhenA607ArrivesThenNotSentAfterIt() throws Exception {
        limits(Map.of("dailyQuota", 1));
        RecordingTrace trace = new RecordingTrace();
        // one call per 2 s: both calls below wait for the limiter; the first to get through is answered 607
        MarketoClient client = TestClients.builder(server, service, trace).limits(new Limits(1, Duration.ofSeconds(2), 10)).build();
        assertThat(client.leads().partitions().success()).as("the quota's one call").isTrue();

        List<ApiResult<List<Leads.Partition>>> waiting = TokensTest.runConcurrently(2, () -> client.leads().partitions());

        assertThat(waiting).allSatisfy(r -> assertThat(r.error()).map(MarketoError::code).contains("607"));
        assertThat(waiting).allSatisfy(r -> assertThat(r.quotaResetsAt()).isPresent());
        assertThat(waiting.stream().mapToInt(r -> r.requestIds().size()).sum()).as("one request answered 607, the other never sent").isEqualTo(1);
        assertThat(trace.notSent).containsExactly("607");
    }

    @Test
    void callsAfterA607ThenAnsweredWithoutARequestUntilTheResetAndSentAgainAfterIt() {
        limits(Map.of("dailyQuota", 2));
        RecordingTrace trace = new RecordingTrace();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T17:00:00Z"));
        MarketoClient client = TestClients.builder(server, service, trace).clock(clock).build();
        ApiResult<List<Leads.Partition>> first = null;
        for (int i = 0; i < 10 && first == null; i++) {
            ApiResult<List<Leads.Partition>> r = client.leads().partitions();
            if (!r.success()) {
                first = r;
            }
        }
        assertThat(first).as("a call refused once the quota of 2 is used").isNotNull();
        assertThat(first.requestIds()).hasSize(1);

        clock.advance(Duration.ofHours(12).plusMinutes(59));
        ApiResult<List<RecordResult>> held = client.leads().sync(List.of(Map.of("email", "held@example.com")));

        assertThat(held.success()).isFalse();
        assertThat(held.error()).map(MarketoError::code).contains("607");
        assertThat(held.requestIds()).as("no request made").isEmpty();
        assertThat(held.quotaResetsAt()).contains(Instant.parse("2026-11-24T06:00:00Z"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(held::orElseThrow).getMessage()).contains("resets at 2026-11-24T06:00:00Z");
        assertThat(trace.notSent).containsExactly("607");

        // the reset passes (the server's own day has not, so it is given a new quota by hand)
        limits(Map.of("dailyQuota", 1_000));
        clock.advance(Duration.ofMinutes(2));
        ApiResult<List<Leads.Partition>> after = client.leads().partitions();

        assertThat(after.success()).as("%s", after).isTrue();
        assertThat(after.requestIds()).hasSize(1);
    }
}
