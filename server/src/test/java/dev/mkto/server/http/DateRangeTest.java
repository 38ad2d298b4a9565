package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dates the API takes are those of the years 0001 to 9999, as a date field holds: beyond them
 * ISO-8601 needs a sign and more digits ({@code +99999-01-01T00:00:00Z}), which the server used to
 * store and write back and most clients cannot parse. A date outside them is as invalid as one that
 * does not parse: 704 for a parameter, 1001 for a record's value.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class DateRangeTest extends OnEveryBackend {

    private static final List<String> OUTSIDE = List.of("-99999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "0000-12-31T23:59:59Z");
    private static final List<String> EDGES = List.of("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z");
    private String token;

    @Override
    protected void fixtures() {
        admin.create("/fields", Map.of("name", "renewsAt", "dataType", "datetime"));
        token = admin.tokenWith("Access API");
    }

    @Test
    void pagingTokenWhenSinceIsOutsideTheYears1To9999Then704() {
        for (String since : OUTSIDE) {
            Api.Response r = api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=" + since.replace("+", "%2B"), token);
            assertThat(r.errorCode()).as("%s: %s", since, r.text()).isEqualTo("704");
        }
        for (String since : EDGES) {
            assertThat(api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=" + since, token).success()).as(since).isTrue();
        }
    }

    @Test
    void bulkExportWhenTheWindowIsOutsideTheYears1To9999Then704() {
        for (String start : OUTSIDE) {
            Api.Response r = api.post("/bulk/v1/leads/export/create.json", token, Map.of("fields", List.of("email"),
                    "filter", Map.of("createdAt", Map.of("startAt", start, "endAt", "2026-11-15T00:00:00Z"))));
            assertThat(r.errorCode()).as("%s: %s", start, r.text()).isEqualTo("704");
        }
    }

    @Test
    void scheduleWhenRunAtIsOutsideTheYears1To9999Then704() {
        long batch = admin.create("/campaigns", Map.of("name", AdminClient.unique("Batch"), "type", "batch")).path("id").asLong();
        for (String runAt : OUTSIDE) {
            Api.Response r = api.post("/rest/v1/campaigns/" + batch + "/schedule.json", token, Map.of("input", Map.of("runAt", runAt)));
            assertThat(r.errorCode()).as("%s: %s", runAt, r.text()).isEqualTo("704");
        }
    }

    @Test
    void recordsWhenADateIsOutsideTheYears1To9999ThenSkippedWith1001() {
        for (String at : OUTSIDE) {
            Api.Response sync = api.post("/rest/v1/leads.json", token,
                    Map.of("input", List.of(Map.of("email", AdminClient.unique("date") + "@example.com", "renewsAt", at))));
            assertThat(sync.result().get(0).path("reasons").get(0).path("code").asString()).as("%s: %s", at, sync.text()).isEqualTo("1001");
        }
        Api.Response edge = api.post("/rest/v1/leads.json", token,
                Map.of("input", List.of(Map.of("email", AdminClient.unique("date") + "@example.com", "renewsAt", EDGES.get(1)))));
        long id = edge.result().get(0).path("id").asLong();
        assertThat(api.get("/rest/v1/lead/" + id + ".json?fields=renewsAt", token).result().get(0).path("renewsAt").asString())
                .isEqualTo(EDGES.get(1));

        Api.Response type = api.post("/rest/v1/activities/external/type.json", token, Map.of("apiName", "dateact", "name", "Date Act",
                "triggerName", "Dates", "filterName", "Dated", "primaryAttribute", Map.of("apiName", "what", "name", "What")));
        long typeId = type.result().get(0).path("id").asLong();
        assertThat(api.post("/rest/v1/activities/external/type/dateact/approve.json", token, "").success()).isTrue();
        for (String at : OUTSIDE) {
            Api.Response r = api.post("/rest/v1/activities/external.json", token, Map.of("input", List.of(Map.of("leadId", id,
                    "activityDate", at, "activityTypeId", typeId, "primaryAttributeValue", "x"))));
            assertThat(r.result().get(0).path("errors").get(0).path("code").asString()).as("%s: %s", at, r.text()).isEqualTo("1001");
        }
    }
}
