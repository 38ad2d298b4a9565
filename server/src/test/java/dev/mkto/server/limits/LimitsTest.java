package dev.mkto.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.MutableClock;
import dev.mkto.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The instance's limits at their edges, with a clock the test moves: the sliding window (606),
 * calls in flight (615, with truly concurrent requests held open), the daily quota (607, reset at
 * midnight in the instance's time zone), which answers count, and per-service caps.
 */
class LimitsTest {

    private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");

    private TestServer server;
    private Api api;
    private AdminClient admin;

    @BeforeEach
    void start() {
        // noon in Chicago, so a day boundary is a known distance away
        Instant noon = LocalDate.of(2026, 11, 23).atTime(12, 0).atZone(CHICAGO).toInstant();
        server = TestServer.start(Backend.H2, new MutableClock(noon), List.of(), Map.of());
        api = server.api();
        admin = server.admin();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void limits(Map<String, Object> limits) {
        Api.Response r = admin.patch("/instance", Map.of("limits", limits));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private JsonNode snapshot() {
        return admin.get("/limits").json().path("instance");
    }

    private String describe(String token) {
        Api.Response r = api.get("/rest/v1/leads/describe2.json", token);
        return r.success() ? "ok" : r.errorCode();
    }

    @Test
    void rateWhenDefaultLimitThenTheHundredthCallPassesAndTheHundredAndFirstGets606() {
        String token = admin.tokenWith("Read-Only Lead");
        for (int i = 1; i <= 100; i++) {
            assertThat(describe(token)).as("call %d", i).isEqualTo("ok");
        }
        Api.Response refused = api.get("/rest/v1/leads/describe2.json", token);
        assertThat(refused.errorCode()).isEqualTo("606");
        assertThat(refused.json().path("errors").get(0).path("message").asString()).isEqualTo("Max rate limit '100' exceeded with in '20' secs");
        server.clock().advance(Duration.ofSeconds(19));
        assertThat(describe(token)).isEqualTo("606");
        server.clock().advance(Duration.ofSeconds(1));
        assertThat(describe(token)).isEqualTo("ok");
    }

    @Test
    void rateWhenWindowSlidesThenOnlyCallsOlderThanTheWindowFree() {
        limits(Map.of("rateCalls", 4, "rateWindowSeconds", 10));
        String token = admin.tokenWith("Read-Only Lead");
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        server.clock().advance(Duration.ofSeconds(6));
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("606");
        server.clock().advance(Duration.ofSeconds(4)); // the first two leave the window
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("606");
    }

    @Test
    void quotaWhenExactlyReachedThen607UntilMidnightInTheInstancesTimeZone() {
        limits(Map.of("dailyQuota", 5));
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        for (int i = 1; i <= 5; i++) {
            assertThat(describe(token)).as("call %d", i).isEqualTo("ok");
        }
        Api.Response refused = api.get("/rest/v1/leads/describe2.json", token);
        assertThat(refused.errorCode()).isEqualTo("607");
        assertThat(refused.json().path("errors").get(0).path("message").asString()).isEqualTo("Daily quota reached");
        JsonNode snap = snapshot();
        assertThat(snap.path("quotaUsed").asLong()).isEqualTo(5);
        assertThat(Instant.parse(snap.path("quotaResetsAt").asString()))
                .isEqualTo(LocalDate.of(2026, 11, 24).atStartOfDay(CHICAGO).toInstant());
        server.clock().set(LocalDate.of(2026, 11, 23).atTime(23, 59, 59).atZone(CHICAGO).toInstant());
        assertThat(describe(admin.token(s))).isEqualTo("607");
        server.clock().set(LocalDate.of(2026, 11, 24).atStartOfDay(CHICAGO).toInstant());
        assertThat(describe(admin.token(s))).isEqualTo("ok");
    }

    @Test
    void concurrencyWhenCallsAreTrulyInFlightThenTheNextGets615AndFreedSlotsAdmitAgain() throws Exception {
        limits(Map.of("concurrent", 2));
        String token = admin.tokenWith("Read-Write Lead");
        try (HeldRequest a = new HeldRequest(api.base(), token); HeldRequest b = new HeldRequest(api.base(), token)) {
            awaitInFlight(2);
            Api.Response refused = api.get("/rest/v1/leads/describe2.json", token);
            assertThat(refused.errorCode()).isEqualTo("615");
            assertThat(refused.json().path("errors").get(0).path("message").asString()).isEqualTo("Concurrent access limit '2' reached");
            assertThat(a.finish()).contains("\"status\":\"created\"");
            awaitInFlight(1);
            assertThat(describe(token)).isEqualTo("ok");
            assertThat(b.finish()).contains("\"status\":\"created\"");
        }
        awaitInFlight(0);
        assertThat(snapshot().path("peakInFlight").asLong()).isEqualTo(2);
    }

    @Test
    void countingWhenAnswersAreExemptThenTheyDoNotUseTheLimitsButDeniedAndBadCallsDo() {
        limits(Map.of("dailyQuota", 1000));
        String token = admin.tokenWith("Read-Only Lead");
        api.get("/rest/v1/leads/describe2.json", null);                        // 600
        api.get("/rest/v1/leads/describe2.json", "bogus");                     // 601
        api.get("/rest/v1/nothing.json", token);                                // 610, before any caller is known
        api.method("PUT", "/rest/v1/leads.json", token, null, null);            // 605
        assertThat(snapshot().path("quotaUsed").asLong()).isZero();
        assertThat(snapshot().path("callsInWindow").asLong()).isZero();
        api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "x@example.com")))); // 603: counts
        api.get("/rest/v1/leads.json?filterType=email", token);                 // 701: counts
        assertThat(describe(token)).isEqualTo("ok");                            // counts
        assertThat(snapshot().path("quotaUsed").asLong()).isEqualTo(3);
        assertThat(snapshot().path("callsInWindow").asLong()).isEqualTo(3);
        assertThat(snapshot().path("inFlight").asLong()).isZero();
    }

    @Test
    void limitsWhenChangedThroughTheAdminApiThenTheNextCallUsesThemWithoutRestart() {
        String token = admin.tokenWith("Read-Only Lead");
        limits(Map.of("rateCalls", 2));
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("606");
        limits(Map.of("rateCalls", 3));
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("606");
    }

    @Test
    void capsWhenAServiceHasItsOwnThenItIsRefusedWithItsOwnMessageAndOthersAreNot() {
        AdminClient.Service capped = admin.serviceWith("Read-Only Lead");
        String other = admin.tokenWith("Read-Only Lead");
        Api.Response set = admin.patch("/services/" + capped.id(), Map.of("caps", Map.of("rateCalls", 2, "rateWindowSeconds", 60)));
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.json().path("caps").path("rateCalls").asInt()).isEqualTo(2);
        String token = admin.token(capped);
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        Api.Response refused = api.get("/rest/v1/leads/describe2.json", token);
        assertThat(refused.errorCode()).isEqualTo("606");
        assertThat(refused.json().path("errors").get(0).path("message").asString())
                .isEqualTo("Max rate limit '2' exceeded with in '60' secs for custom service '" + set.json().path("name").asString() + "'");
        assertThat(describe(other)).isEqualTo("ok");
        JsonNode view = admin.get("/limits").json().path("services");
        assertThat(view).hasSize(1);
        assertThat(view.get(0).path("usage").path("callsInWindow").asLong()).isEqualTo(2);
        assertThat(admin.patch("/services/" + capped.id(), Map.of("caps", Map.of("rateCalls", 0))).status()).isEqualTo(400);
        assertThat(admin.patch("/services/" + capped.id(), Map.of("caps", Map.of("burst", 3))).status()).isEqualTo(400);
        admin.patch("/services/" + capped.id(), java.util.Collections.singletonMap("caps", null));
        assertThat(describe(token)).isEqualTo("ok");
    }

    @Test
    void capsWhenRemovedAndSetAgainOnTheSameDayThenEveryCallOfTheServiceThatDayCounts() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        assertThat(describe(token)).isEqualTo("ok"); // before any cap: counted when the cap is first set
        assertThat(admin.patch("/services/" + s.id(), Map.of("caps", Map.of("dailyQuota", 4))).status()).isEqualTo(200);
        assertThat(describe(token)).isEqualTo("ok");
        admin.patch("/services/" + s.id(), java.util.Collections.singletonMap("caps", null));
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(admin.patch("/services/" + s.id(), Map.of("caps", Map.of("dailyQuota", 4))).status()).isEqualTo(200);
        // four calls today already
        assertThat(describe(token)).isEqualTo("607");
    }

    @Test
    void limitsWhenSettingsAreInvalidThen400NamingThem() {
        Api.Response r = admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 0)));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asString()).contains("instance.limits.rateCalls");
        Api.Response zone = admin.patch("/instance", Map.of("limits", Map.of("timeZone", "Mars/Olympus")));
        assertThat(zone.status()).isEqualTo(400);
        assertThat(zone.json().path("error").path("message").asString()).contains("Mars/Olympus");
    }

    @Test
    void countingWhenTheBodyIsTooLargeThenTheCallCountsLikeOtherBadInput() {
        String token = admin.tokenWith("Read-Write Lead");
        Api.Response tooLarge = api.post("/rest/v1/leads.json", token, "{\"input\":[{\"email\":\"" + "x".repeat(1024 * 1024) + "\"}]}");
        assertThat(tooLarge.status()).isEqualTo(413);
        // part 0: only 600, 601, 602, 604, 605, 608 and 611 are not counted
        assertThat(snapshot().path("quotaUsed").asLong()).isEqualTo(1);
        assertThat(snapshot().path("callsInWindow").asLong()).isEqualTo(1);
        assertThat(snapshot().path("inFlight").asLong()).isZero();
    }

    @Test
    void quotaWhenTheDayIsShortenedByDaylightSavingThenItStillResetsAtLocalMidnight() {
        limits(Map.of("dailyQuota", 2));
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        // 8 March 2026: Chicago springs forward at 2:00, so the day has 23 hours
        server.clock().set(LocalDate.of(2026, 3, 8).atTime(0, 30).atZone(CHICAGO).toInstant());
        String token = admin.token(s);
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("607");
        Instant midnight = LocalDate.of(2026, 3, 9).atStartOfDay(CHICAGO).toInstant();
        assertThat(Instant.parse(snapshot().path("quotaResetsAt").asString())).isEqualTo(midnight);
        assertThat(Duration.between(LocalDate.of(2026, 3, 8).atStartOfDay(CHICAGO).toInstant(), midnight)).isEqualTo(Duration.ofHours(23));
        server.clock().set(midnight.minusSeconds(1));
        assertThat(describe(admin.token(s))).isEqualTo("607");
        server.clock().set(midnight);
        assertThat(describe(admin.token(s))).isEqualTo("ok");
        // 1 November 2026: Chicago falls back, so the day has 25 hours
        server.clock().set(LocalDate.of(2026, 11, 1).atTime(0, 30).atZone(CHICAGO).toInstant());
        token = admin.token(s);
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(describe(token)).isEqualTo("ok");
        server.clock().set(LocalDate.of(2026, 11, 1).atTime(23, 59, 59).atZone(CHICAGO).toInstant());
        assertThat(describe(admin.token(s))).isEqualTo("607");
        server.clock().set(LocalDate.of(2026, 11, 2).atStartOfDay(CHICAGO).toInstant());
        assertThat(describe(admin.token(s))).isEqualTo("ok");
    }

    @Test
    void quotaWhenACallIsInFlightAtMidnightThenItCountsOnTheDayItWasAdmittedInTheUsageToo() throws Exception {
        limits(Map.of("dailyQuota", 5));
        AdminClient.Service s = admin.serviceWith("Read-Write Lead");
        server.clock().set(LocalDate.of(2026, 11, 23).atTime(23, 59, 59).atZone(CHICAGO).toInstant());
        try (HeldRequest held = new HeldRequest(api.base(), admin.token(s))) {
            awaitInFlight(1);
            server.clock().set(LocalDate.of(2026, 11, 24).atTime(0, 0, 1).atZone(CHICAGO).toInstant());
            assertThat(held.finish()).contains("\"status\":\"created\"");
        }
        Thread.sleep(2_500); // the usage counts are flushed before the limits see the new day
        // the call was admitted on the 23rd: it used the 23rd's quota, not the 24th's
        assertThat(snapshot().path("day").asString()).isEqualTo("2026-11-24");
        assertThat(snapshot().path("quotaUsed").asLong()).isZero();
        JsonNode days = api.get("/rest/v1/stats/usage/last7days.json", admin.token(s)).result();
        assertThat(days.get(5).path("date").asString()).isEqualTo("2026-11-23");
        assertThat(days.get(5).path("total").asLong()).isEqualTo(1);
        assertThat(days.get(6).path("total").asLong()).isZero();
    }

    @Test
    void concurrencyWhenTheClientGoesAwayDuringALargeDownloadThenTheSlotIsFreedOnceAndTheCallCounts() throws Exception {
        limits(Map.of("rateCalls", 10_000, "concurrent", 1));
        String writer = admin.tokenWith("Read-Write Lead");
        String exporter = admin.tokenWith("Read-Only Lead");
        String tag = AdminClient.unique("big");
        String filler = "y".repeat(2000);
        for (int batch = 0; batch < 10; batch++) {
            List<Map<String, Object>> leads = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                leads.add(Map.of("email", tag + "-" + batch + "-" + i + "@example.com", "address", filler, "unsubscribedReason", filler));
            }
            assertThat(api.post("/rest/v1/leads.json", writer, Map.of("input", leads)).success()).isTrue();
        }
        Instant now = server.clock().instant();
        String window = "{\"startAt\":\"" + now.minus(Duration.ofDays(1)) + "\",\"endAt\":\"" + now.plus(Duration.ofDays(1)) + "\"}";
        Api.Response created = api.post("/bulk/v1/leads/export/create.json", exporter,
                "{\"fields\":[\"email\",\"address\",\"unsubscribedReason\"],\"filter\":{\"createdAt\":" + window + "}}");
        String id = created.result().get(0).path("exportId").asString();
        api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!api.get("/bulk/v1/leads/export/" + id + "/status.json", exporter).result().get(0).path("status").asString().equals("Completed")) {
            assertThat(System.nanoTime()).as("export done").isLessThan(deadline);
            Thread.sleep(100);
        }
        Map<String, Long> errorsBefore = errorCounts(exporter);
        long usedBefore = snapshot().path("quotaUsed").asLong();
        java.net.URI uri = java.net.URI.create(api.base());
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()));
            socket.getOutputStream().write(("GET /bulk/v1/leads/export/" + id + "/file.json HTTP/1.1\r\nHost: " + uri.getHost()
                    + "\r\nAuthorization: Bearer " + exporter + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            awaitInFlight(1);
            Thread.sleep(500); // the server is stuck writing 8 MB to a client that reads nothing
            assertThat(snapshot().path("inFlight").asLong()).isEqualTo(1);
            socket.setSoLinger(true, 0); // the client goes away: reset
        }
        awaitInFlight(0);
        assertThat(describe(exporter)).isEqualTo("ok"); // the one slot is free again
        awaitInFlight(0);
        // the download was answered: it counts, and it is no system error (611)
        assertThat(snapshot().path("quotaUsed").asLong() - usedBefore).isEqualTo(2);
        Map<String, Long> errors = errorCounts(exporter);
        assertThat(errors.getOrDefault("611", 0L)).isEqualTo(errorsBefore.getOrDefault("611", 0L));
    }

    @Test
    void quotaWhenTheTimeZoneChangesAndChangesBackThenCallsNotYetFlushedStillCount() {
        limits(Map.of("dailyQuota", 3));
        String token = admin.tokenWith("Read-Only Lead");
        for (int i = 1; i <= 3; i++) {
            assertThat(describe(token)).as("call %d", i).isEqualTo("ok");
        }
        assertThat(describe(token)).isEqualTo("607");
        limits(Map.of("timeZone", "Asia/Tokyo")); // already the 24th there
        assertThat(snapshot().path("day").asString()).isEqualTo("2026-11-24");
        limits(Map.of("timeZone", "America/Chicago"));
        assertThat(snapshot().path("day").asString()).isEqualTo("2026-11-23");
        assertThat(snapshot().path("quotaUsed").asLong()).isEqualTo(3);
        assertThat(describe(token)).isEqualTo("607");
    }

    @Test
    void concurrencyWhenTheClientGoesAwayMidBodyThenTheSlotIsFreedAndTheCallCounts() throws Exception {
        limits(Map.of("concurrent", 1));
        String token = admin.tokenWith("Read-Write Lead");
        try (HeldRequest held = new HeldRequest(api.base(), token)) {
            awaitInFlight(1);
            assertThat(describe(token)).isEqualTo("615");
        } // closed before the body was sent
        awaitInFlight(0);
        assertThat(describe(token)).isEqualTo("ok");
        assertThat(snapshot().path("quotaUsed").asLong()).isEqualTo(2);
        assertThat(snapshot().path("inFlight").asLong()).isZero();
    }

    @Test
    void usageWhenSomeCallsAreRefusedByTheLimitsThenItCountsTheAdmittedOnesAndTheRefusalsAsErrors() {
        limits(Map.of("rateCalls", 3));
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        List<String> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(describe(token));
        }
        assertThat(answers).containsExactly("ok", "ok", "ok", "606", "606");
        long calls = 0;
        long refused = 0;
        JsonNode usage = admin.get("/usage?days=1").json();
        for (JsonNode row : usage.path("calls")) {
            calls += row.path("serviceId").asLong() == s.id() ? row.path("calls").asLong() : 0;
        }
        for (JsonNode row : usage.path("errors")) {
            refused += row.path("serviceId").asLong() == s.id() && row.path("errorCode").asString().equals("606") ? row.path("count").asLong() : 0;
        }
        assertThat(calls).isEqualTo(3);
        assertThat(refused).isEqualTo(2);
        assertThat(snapshot().path("quotaUsed").asLong()).isEqualTo(3);
    }

    private Map<String, Long> errorCounts(String token) {
        Map<String, Long> m = new java.util.HashMap<>();
        api.get("/rest/v1/stats/errors.json", token).result().get(0).path("errors")
                .forEach(e -> m.put(e.path("errorCode").asString(), e.path("count").asLong()));
        return m;
    }

    private void awaitInFlight(long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (snapshot().path("inFlight").asLong() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("in flight never reached " + n + ": " + snapshot());
            }
            Thread.sleep(20);
        }
    }

    /** A sync request whose body is held back after its headers, so the call stays in flight. */
    static final class HeldRequest implements AutoCloseable {
        private final Socket socket;
        private final String rest;

        HeldRequest(String base, String token) throws IOException {
            java.net.URI uri = java.net.URI.create(base);
            socket = new Socket(uri.getHost(), uri.getPort());
            String body = "{\"input\":[{\"email\":\"" + AdminClient.unique("held") + "@example.com\"}]}";
            String head = "POST /rest/v1/leads.json HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write((head + body.substring(0, 5)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            rest = body.substring(5);
        }

        String finish() throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(rest.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                head.append((char) c);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
            int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
