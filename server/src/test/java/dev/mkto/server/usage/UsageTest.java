package dev.mkto.server.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/** Usage and error statistics after a mixed workload: exact per user and per code, on both backends. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class UsageTest extends OnEveryBackend {

    private static Map<String, Long> users(JsonNode day) {
        Map<String, Long> m = new HashMap<>();
        day.path("users").forEach(u -> m.put(u.path("userId").asString(), u.path("count").asLong()));
        return m;
    }

    private static Map<String, Long> codes(JsonNode day) {
        Map<String, Long> m = new HashMap<>();
        day.path("errors").forEach(e -> m.put(e.path("errorCode").asString(), e.path("count").asLong()));
        return m;
    }

    @Test
    void statsWhenAMixedWorkloadRanThenCountsAreExactPerUserAndPerCode() {
        AdminClient.Service writer = admin.serviceWith("Read-Write Lead");
        AdminClient.Service reader = admin.serviceWith("Read-Only Lead");
        String w = admin.token(writer);
        String r = admin.token(reader);
        JsonNode before = api.get("/rest/v1/stats/usage.json", r).result().get(0);
        Map<String, Long> errorsBefore = codes(api.get("/rest/v1/stats/errors.json", r).result().get(0));

        for (int i = 0; i < 7; i++) {
            assertThat(api.post("/rest/v1/leads.json", w, Map.of("input", List.of(Map.of("email", AdminClient.unique("u") + "@example.com"))))
                    .success()).isTrue();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(api.get("/rest/v1/leads/describe.json", r).success()).isTrue();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/rest/v1/leads.json", r, Map.of("input", List.of(Map.of("email", "no@example.com")))).errorCode())
                    .isEqualTo("603");
        }
        assertThat(api.get("/rest/v1/leads.json?filterType=email", w).errorCode()).isEqualTo("701");
        assertThat(api.post("/rest/v1/leads.json", w, "{oops").errorCode()).isEqualTo("609");
        assertThat(api.get("/rest/v1/leads/describe.json", "0f8e0b1c-0000-4000-8000-000000000000:mk").errorCode()).isEqualTo("601");
        assertThat(api.get("/rest/v1/leads/describe.json", null).errorCode()).isEqualTo("600");

        JsonNode today = api.get("/rest/v1/stats/usage.json", r).result().get(0);
        Map<String, Long> u = users(today);
        Map<String, Long> b = users(before);
        // the reader's stats calls count as well: the "before" call and this one
        assertThat(u.get(writer.userEmail())).isEqualTo(9);
        assertThat(u.get(reader.userEmail()) - b.getOrDefault(reader.userEmail(), 0L)).isEqualTo(4 + 3 + 1 + 1);
        assertThat(today.path("total").asLong()).isEqualTo(u.values().stream().mapToLong(Long::longValue).sum());
        assertThat(today.path("date").asString()).isEqualTo(LocalDate.ofInstant(server.clock().instant(), ZoneId.of("America/Chicago")).toString());

        Map<String, Long> errors = codes(api.get("/rest/v1/stats/errors.json", r).result().get(0));
        assertThat(errors.getOrDefault("603", 0L) - errorsBefore.getOrDefault("603", 0L)).isEqualTo(3);
        assertThat(errors.getOrDefault("701", 0L) - errorsBefore.getOrDefault("701", 0L)).isEqualTo(1);
        assertThat(errors.getOrDefault("609", 0L) - errorsBefore.getOrDefault("609", 0L)).isEqualTo(1);
        assertThat(errors.getOrDefault("601", 0L) - errorsBefore.getOrDefault("601", 0L)).isEqualTo(1);
        assertThat(errors.getOrDefault("600", 0L) - errorsBefore.getOrDefault("600", 0L)).isEqualTo(1);
    }

    @Test
    void lastSevenDaysWhenAskedThenOneElementPerDayEndingToday() {
        String r = admin.tokenWith("Read-Only Lead");
        JsonNode days = api.get("/rest/v1/stats/usage/last7days.json", r).result();
        assertThat(days).hasSize(7);
        LocalDate last = LocalDate.parse(days.get(6).path("date").asString());
        for (int i = 0; i < 7; i++) {
            assertThat(days.get(i).path("date").asString()).isEqualTo(last.minusDays(6 - i).toString());
        }
        assertThat(days.get(6).path("total").asLong()).isPositive();
        assertThat(api.get("/rest/v1/stats/errors/last7days.json", r).result()).hasSize(7);
    }

    @Test
    void statsWhenCallerHasNoPermissionAtAllThenStillAnswered() {
        String none = admin.tokenWith();
        assertThat(api.get("/rest/v1/stats/usage.json", none).success()).isTrue();
        assertThat(api.get("/rest/v1/leads/describe.json", none).errorCode()).isEqualTo("603");
    }

    @Test
    void adminUsageWhenCallsWereMadeThenPerServiceAndEndpointAndLastUsedAt() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        api.get("/rest/v1/leads/describe.json", token);
        api.get("/rest/v1/leads/describe.json", token);
        api.get("/rest/v1/leads/partitions.json", token);
        JsonNode usage = admin.get("/usage?days=1").json();
        long describe = 0;
        long partitions = 0;
        for (JsonNode row : usage.path("calls")) {
            if (row.path("serviceId").asLong() == s.id()) {
                if (row.path("endpoint").asString().equals("GET /rest/v1/leads/describe.json")) {
                    describe += row.path("calls").asLong();
                }
                if (row.path("endpoint").asString().equals("GET /rest/v1/leads/partitions.json")) {
                    partitions += row.path("calls").asLong();
                }
                assertThat(row.path("userId").asString()).isEqualTo(s.userEmail());
            }
        }
        assertThat(describe).isEqualTo(2);
        assertThat(partitions).isEqualTo(1);
        JsonNode service = admin.get("/services/" + s.id()).json();
        assertThat(service.path("lastUsedAt").asString()).isNotEmpty();
        assertThat(admin.get("/users/" + s.userId()).json().path("lastUsedAt").asString()).isNotEmpty();
        assertThat(admin.get("/usage?days=0").status()).isEqualTo(400);
    }
}
