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
    void limitsWhenSettingsAreInvalidThen400NamingThem() {
        Api.Response r = admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 0)));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asString()).contains("instance.limits.rateCalls");
        Api.Response zone = admin.patch("/instance", Map.of("limits", Map.of("timeZone", "Mars/Olympus")));
        assertThat(zone.status()).isEqualTo(400);
        assertThat(zone.json().path("error").path("message").asString()).contains("Mars/Olympus");
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
    private static final class HeldRequest implements AutoCloseable {
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
