package dev.mkto.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/api/v1/users/{id}/least-privilege} over HTTP, against real calls. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegeTest {

    private TestServer server;
    private AdminClient admin;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        admin = server.admin();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private record Setup(long userId, String token) {
    }

    private Setup user(String... permissions) {
        AdminClient.Service s = admin.serviceWith(permissions);
        return new Setup(s.userId(), admin.token(s));
    }

    private JsonNode report(long userId, String query) {
        Api.Response r = admin.get("/users/" + userId + "/least-privilege" + query);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode granted(JsonNode report, String permission) {
        for (JsonNode g : report.path("granted")) {
            if (g.path("permission").asString().equals(permission)) {
                return g;
            }
        }
        throw new AssertionError(permission + " not granted in " + report);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    @Test
    void reportWhenPermissionsUnusedThenListedAndUsedOnesCountTheirCalls() {
        Setup u = user("Read-Write Lead", "Read-Only Company", "Read-Only Opportunity");
        for (int i = 0; i < 3; i++) {
            assertThat(server.api().post("/rest/v1/leads.json", u.token(), Map.of("input", List.of(Map.of("email", "a" + i + "@example.com"))))
                    .success()).isTrue();
        }
        JsonNode r = reportOnce(u.userId(), x -> granted(x, "Read-Write Lead").path("calls").asLong() == 3);
        assertThat(r.path("days").asInt()).isEqualTo(7);
        assertThat(strings(r.path("unused"))).containsExactly("Read-Only Company", "Read-Only Opportunity");
        JsonNode lead = granted(r, "Read-Write Lead");
        assertThat(lead.path("permission").asString()).isEqualTo("Read-Write Lead");
        assertThat(lead.path("used").asBoolean()).isTrue();
        assertThat(lead.path("calls").asLong()).isEqualTo(3);
        assertThat(strings(lead.path("endpoints"))).containsExactly("POST /rest/v1/leads.json");
        assertThat(lead.path("grantedBy").get(0).path("workspace").asString()).isEqualTo("Default");
        assertThat(r.path("narrower").isEmpty()).isTrue();
        assertThat(r.path("denied").isEmpty()).isTrue();
    }

    @Test
    void reportWhenReadWriteOnlyReadThenSuggestsReadOnly() {
        Setup u = user("Read-Write Lead");
        assertThat(server.api().get("/rest/v1/leads/describe.json", u.token()).success()).isTrue();
        JsonNode r = reportOnce(u.userId(), x -> strings(x.path("unused")).isEmpty());
        assertThat(strings(r.path("unused"))).isEmpty();
        assertThat(strings(r.path("narrower").path("Read-Write Lead"))).containsExactly("Read-Only Lead");
        assertThat(strings(granted(r, "Read-Write Lead").path("neededInstead"))).containsExactly("Read-Only Lead");
    }

    /**
     * An endpoint that accepts either of two permissions (a campaign's trigger: Execute Campaign or
     * Read-Write Campaign) is credited to one held permission only, the narrowest, the same on every
     * run: the broader one, if no call needed it, is reported unused.
     */
    @Test
    void reportWhenAnEndpointAcceptsEitherOfTwoPermissionsThenTheNarrowestHeldIsCreditedAndTheOtherUnused() {
        Map<String, Object> trigger = Map.of("input", Map.of("leads", List.of(Map.of("id", 1))));
        Setup both = user("Read-Write Campaign", "Execute Campaign");
        Setup parent = user("Access API");
        for (Setup u : List.of(both, parent)) {
            Api.Response r = server.api().post("/rest/v1/campaigns/987654/trigger.json", u.token(), trigger);
            assertThat(r.errorCode()).as(r.text()).isNotEqualTo("603");
        }
        JsonNode r = reportOnce(both.userId(), x -> granted(x, "Execute Campaign").path("calls").asLong() == 1);
        assertThat(granted(r, "Execute Campaign").path("calls").asLong()).isEqualTo(1);
        assertThat(strings(granted(r, "Execute Campaign").path("neededInstead"))).isEmpty();
        assertThat(strings(r.path("unused"))).containsExactly("Read-Write Campaign");

        JsonNode p = reportOnce(parent.userId(), x -> granted(x, "Access API").path("calls").asLong() == 1);
        assertThat(strings(granted(p, "Access API").path("neededInstead"))).containsExactly("Execute Campaign");
        assertThat(strings(p.path("narrower").path("Access API"))).containsExactly("Execute Campaign");
    }

    @Test
    void reportWhenCallsWereDenied603ThenNamesThePermissionsTheyAskedFor() {
        Setup u = user("Read-Only Lead");
        assertThat(server.api().post("/rest/v1/leads.json", u.token(), Map.of("input", List.of(Map.of("email", "x@example.com"))))
                .errorCode()).isEqualTo("603");
        assertThat(server.api().get("/userservice/management/v1/users/allusers.json", u.token()).status()).isEqualTo(403);
        JsonNode r = reportOnce(u.userId(), x -> x.path("denied").size() == 2);
        assertThat(strings(r.path("missing"))).containsExactly("Access User Management Api", "Read-Write Lead");
        assertThat(r.path("denied")).hasSize(2);
        JsonNode leads = r.path("denied").get(1); // ordered by endpoint
        assertThat(leads.path("endpoint").asString()).isEqualTo("POST /rest/v1/leads.json");
        assertThat(leads.path("count").asLong()).isEqualTo(1);
        assertThat(leads.path("holdsOneNow").asBoolean()).isFalse();
        assertThat(strings(r.path("unused"))).containsExactly("Read-Only Lead");
    }

    @Test
    void reportWhen603CameFromTheIpAllowlistThenMarkedAsHeld() {
        Setup u = user("Read-Only Lead");
        admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("203.0.113.0/24"))));
        try {
            assertThat(server.api().get("/rest/v1/leads/describe.json", u.token()).errorCode()).isEqualTo("603");
        } finally {
            admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", false, "entries", List.of())));
        }
        JsonNode r = reportOnce(u.userId(), x -> x.path("denied").size() == 1);
        assertThat(r.path("denied").get(0).path("holdsOneNow").asBoolean()).isTrue();
        assertThat(strings(r.path("missing"))).isEmpty();
    }

    @Test
    void reportOnlyCountsCallsOfTheLastDays() {
        Setup u = user("Read-Only Lead");
        assertThat(server.api().get("/rest/v1/leads/describe.json", u.token()).success()).isTrue();
        awaitRecorded(u.userId()); // a call is recorded just after its answer: let that happen on today's clock
        server.clock().advance(Duration.ofDays(2));
        assertThat(strings(report(u.userId(), "?days=3").path("unused"))).isEmpty();
        assertThat(strings(report(u.userId(), "?days=1").path("unused"))).containsExactly("Read-Only Lead");
    }

    /** The report once {@code ready} holds: a call is recorded just after its answer is sent. */
    private JsonNode reportOnce(long userId, java.util.function.Predicate<JsonNode> ready) {
        JsonNode r = report(userId, "");
        for (int i = 0; i < 100 && !ready.test(r); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = report(userId, "");
        }
        return r;
    }

    private void awaitRecorded(long userId) {
        reportOnce(userId, r -> strings(r.path("unused")).isEmpty());
    }

    @Test
    void reportWhenUserUnknownThen404AndWhenDaysOutOfRangeThen400() {
        assertThat(admin.get("/users/999999/least-privilege").status()).isEqualTo(404);
        Setup u = user("Read-Only Lead");
        assertThat(admin.get("/users/" + u.userId() + "/least-privilege?days=0").status()).isEqualTo(400);
        assertThat(admin.get("/users/" + u.userId() + "/least-privilege?days=91").status()).isEqualTo(400);
    }
}
