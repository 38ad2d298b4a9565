package dev.mkto.server.activities;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.SwaggerSchema;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * The activity log over HTTP, on H2 and PostgreSQL: what the server records as leads change, and
 * reading it back by type, lead, list, field and paging token; custom activity types and custom
 * activities.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ActivityApiTest extends OnEveryBackend {

    private String writer;
    private String reader;
    private String metadata;

    @Override
    protected void fixtures() {
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1000)));
        writer = admin.tokenWith("Read-Write Lead", "Read-Write Activity");
        reader = admin.tokenWith("Read-Only Activity", "Read-Only Lead");
        metadata = admin.tokenWith("Read-Write Activity Metadata", "Read-Write Activity");
    }

    private String since() {
        return URLEncoder.encode(server.clock().instant().minusSeconds(1).toString(), StandardCharsets.UTF_8);
    }

    private String token(String sinceIso) {
        Api.Response r = api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=" + sinceIso, reader);
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(r.json().has("result")).isFalse();
        return r.json().path("nextPageToken").asString();
    }

    private long create(String email, Map<String, Object> more) {
        Map<String, Object> lead = new java.util.LinkedHashMap<>(more);
        lead.put("email", email);
        Api.Response r = api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(lead)));
        return r.result().get(0).path("id").asLong();
    }

    private List<JsonNode> all(String path, String token) {
        List<JsonNode> out = new ArrayList<>();
        String next = token;
        for (int i = 0; i < 100; i++) {
            Api.Response r = api.get(path + (path.contains("?") ? "&" : "?") + "nextPageToken=" + next, reader);
            assertThat(r.success()).as(r.text()).isTrue();
            r.result().forEach(out::add);
            next = r.json().path("nextPageToken").asString();
            assertThat(next).isNotEmpty();
            if (!r.json().path("moreResult").asBoolean()) {
                return out;
            }
        }
        throw new AssertionError("paging did not end");
    }

    @Test
    void partitionMoveWhenTheLeadIsAlreadyThereThenUpdatedAndNothingRecorded() {
        String token = token(since());
        long id = create(AdminClient.unique("stay") + "@example.com", Map.of());
        Api.Response r = api.post("/rest/v1/leads/partitions.json", writer,
                Map.of("input", List.of(Map.of("id", id, "partitionName", "Default"), Map.of("id", id, "partitionName", "Default"))));
        assertThat(r.result()).extracting(x -> x.path("status").asString()).containsExactly("updated", "updated");
        assertThat(all("/rest/v1/activities.json?activityTypeIds=100&leadIds=" + id, token)).isEmpty();
    }

    @Test
    void recordingWhenLeadsAreCreatedChangedMovedAndDeletedThenEachLeavesItsActivity() {
        String token = token(since());
        String email = AdminClient.unique("act") + "@example.com";
        long id = create(email, Map.of("firstName", "Ada"));
        api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email, "firstName", "Augusta", "lastName", "King"))));
        api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email, "firstName", "Augusta"))));
        api.post("/rest/v1/leads/delete.json", writer, Map.of("input", List.of(Map.of("id", id))));

        List<JsonNode> acts = all("/rest/v1/activities.json?activityTypeIds=12,13,37&leadIds=" + id, token);
        assertThat(acts).extracting(a -> a.path("activityTypeId").asInt()).containsExactly(12, 13, 13, 37);
        JsonNode newLead = acts.get(0);
        assertThat(newLead.path("marketoGUID").asString()).isEqualTo(Long.toString(newLead.path("id").asLong()));
        assertThat(newLead.path("leadId").asLong()).isEqualTo(id);
        assertThat(newLead.path("activityDate").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        JsonNode change = acts.get(1).path("primaryAttributeValue").asString().equals("firstName") ? acts.get(1) : acts.get(2);
        assertThat(change.path("primaryAttributeValue").asString()).isEqualTo("firstName");
        assertThat(attribute(change, "New Value")).isEqualTo("Augusta");
        assertThat(attribute(change, "Old Value")).isEqualTo("Ada");
        assertThat(attribute(change, "API Method Name")).isEqualTo("syncLead");
        assertThat(List.of(acts.get(1).path("primaryAttributeValue").asString(), acts.get(2).path("primaryAttributeValue").asString()))
                .containsExactlyInAnyOrder("firstName", "lastName");
        JsonNode deleted = acts.get(3);
        assertThat(deleted.path("primaryAttributeValue").asString()).isEqualTo("Augusta King");
        assertThat(deleted.path("primaryAttributeValueId").asLong()).isEqualTo(id);

        List<JsonNode> gone = all("/rest/v1/activities/deletedleads.json", token);
        assertThat(gone).extracting(a -> a.path("leadId").asLong()).contains(id);
        gone.forEach(a -> assertThat(a.path("activityTypeId").asInt()).isEqualTo(37));
    }

    @Test
    void leadChangesWhenFieldsAskedThenOnlyThoseChangesWithOldAndNewValues() {
        String token = token(since());
        String email = AdminClient.unique("chg") + "@example.com";
        long id = create(email, Map.of("firstName", "A", "city", "Paris"));
        api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email, "firstName", "B", "city", "Rome"))));
        List<JsonNode> changes = all("/rest/v1/activities/leadchanges.json?fields=city&leadIds=" + id, token);
        assertThat(changes).extracting(a -> a.path("activityTypeId").asInt()).containsExactly(12, 13);
        JsonNode field = changes.get(1).path("fields").get(0);
        assertThat(field.path("name").asString()).isEqualTo("city");
        assertThat(field.path("newValue").asString()).isEqualTo("Rome");
        assertThat(field.path("oldValue").asString()).isEqualTo("Paris");
        assertThat(api.get("/rest/v1/activities/leadchanges.json?nextPageToken=" + token, reader).errorCode()).isEqualTo("701");
        assertThat(api.get("/rest/v1/activities/leadchanges.json?fields=nope&nextPageToken=" + token, reader).errorCode()).isEqualTo("1006");
    }

    /** Values with quotes, braces, backslashes or the word NULL come back in the activity as they were sent. */
    @Test
    void leadChangesWhenValuesHoldQuotesBracesBackslashesOrTheWordNullThenRecordedAsSent() {
        String token = token(since());
        String email = AdminClient.unique("odd") + "@example.com";
        String before = "{\"a\",NULL}";
        String after = "back\\slash, \"quote\" 😀";
        long id = create(email, Map.of("city", before));
        api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email, "city", after))));
        List<JsonNode> changes = all("/rest/v1/activities/leadchanges.json?fields=city&leadIds=" + id, token);
        assertThat(changes).extracting(a -> a.path("activityTypeId").asInt()).containsExactly(12, 13);
        JsonNode field = changes.get(1).path("fields").get(0);
        assertThat(field.path("oldValue").asString()).isEqualTo(before);
        assertThat(field.path("newValue").asString()).isEqualTo(after);
    }

    @Test
    void pagingWhenActivitiesAreRecordedBetweenPagesThenEachIsReturnedExactlyOnce() {
        String token = token(since());
        String cohort = AdminClient.unique("pg");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            batch.add(Map.of("email", cohort + i + "@example.com"));
        }
        api.post("/rest/v1/leads.json", writer, Map.of("input", batch));
        Set<Long> seen = new HashSet<>();
        String next = token;
        int pages = 0;
        boolean more = true;
        while (more) {
            Api.Response r = api.get("/rest/v1/activities.json?activityTypeIds=12&batchSize=10&nextPageToken=" + next, reader);
            for (JsonNode a : r.result()) {
                assertThat(seen.add(a.path("id").asLong())).isTrue();
            }
            next = r.json().path("nextPageToken").asString();
            more = r.json().path("moreResult").asBoolean();
            if (pages++ == 0) {
                api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", cohort + "late@example.com"))));
            }
        }
        assertThat(seen).hasSizeGreaterThanOrEqualTo(26);
        // polling: the last token finds nothing new until something happens
        Api.Response idle = api.get("/rest/v1/activities.json?activityTypeIds=12&nextPageToken=" + next, reader);
        assertThat(idle.result()).isEmpty();
        assertThat(idle.json().path("moreResult").asBoolean()).isFalse();
        create(cohort + "later@example.com", Map.of());
        Api.Response after = api.get("/rest/v1/activities.json?activityTypeIds=12&nextPageToken=" + next, reader);
        assertThat(after.result()).hasSize(1);
    }

    @Test
    void pagingTokenWhenSinceIsLaterThenEarlierActivitiesAreNotReturned() {
        create(AdminClient.unique("early") + "@example.com", Map.of());
        server.clock().advance(Duration.ofMinutes(10));
        String later = URLEncoder.encode(server.clock().instant().minusSeconds(1).toString(), StandardCharsets.UTF_8);
        long id = create(AdminClient.unique("late") + "@example.com", Map.of());
        List<JsonNode> acts = all("/rest/v1/activities.json?activityTypeIds=12", token(later));
        assertThat(acts).extracting(a -> a.path("leadId").asLong()).containsExactly(id);
        assertThat(api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2026-02-30", reader).errorCode()).isEqualTo("704");
        assertThat(api.get("/rest/v1/activities/pagingtoken.json", reader).errorCode()).isEqualTo("701");
        assertThat(token("2026-01-01")).isNotEmpty();
        assertThat(token("2026-01-01T10:00:00-0500")).isNotEmpty();
    }

    @Test
    void activitiesWhenParametersAreWrongThenDocumentedCodes() {
        String token = token(since());
        assertThat(api.get("/rest/v1/activities.json?nextPageToken=" + token, reader).errorCode()).isEqualTo("701");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=1", reader).errorCode()).isEqualTo("701");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=1,2,3,6,7,9,10,11,12,13,22&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
        StringBuilder leads = new StringBuilder("1");
        for (int i = 2; i <= 31; i++) {
            leads.append(',').append(i);
        }
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&leadIds=" + leads + "&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=x&nextPageToken=" + token, reader).errorCode()).isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&nextPageToken=NOTATOKEN", reader).errorCode()).isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&listId=987654&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1013");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&batchSize=301&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
    }

    @Test
    void typesWhenListedThenStandardTypesMatchTheSwaggerShape() {
        Api.Response r = api.get("/rest/v1/activities/types.json", reader);
        assertThat(r.result()).extracting(t -> t.path("name").asString())
                .contains("New Lead", "Change Data Value", "Add to List", "Remove from List", "Delete Lead", "Request Campaign");
        JsonNode spec = SharedSpec.json("swagger-mapi.json");
        assertThat(SwaggerSchema.responseProblems(spec, "GET", "/rest/v1/activities/types.json", r.json())
                .stream().filter(p -> !p.contains("errors") && !p.contains("warnings")).toList()).isEmpty();
    }

    /**
     * Concurrent changes of one custom type's draft each keep their change (the type is read as
     * stored and locked, not from the cache), and concurrent creations each get their own id.
     */
    @Test
    void customTypeWhenChangedOrCreatedConcurrentlyThenEveryAttributeAndTypeIsKept() throws Exception {
        String apiName = "conc" + AdminClient.unique("c").replace("-", "");
        Map<String, Object> type = Map.of("apiName", apiName, "name", "Concurrent " + apiName.substring(4, 9), "triggerName", "Does " + apiName,
                "filterName", "Did " + apiName, "primaryAttribute", Map.of("apiName", "topic", "name", "Topic"));
        assertThat(api.post("/rest/v1/activities/external/type.json", metadata, type).success()).isTrue();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Api.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Map<String, Object> attribute = Map.of("apiName", "attr" + i, "name", "Attribute " + i, "dataType", "string");
                calls.add(pool.submit(() -> api.post("/rest/v1/activities/external/type/" + apiName + "/attributes/create.json", metadata,
                        Map.of("attributes", List.of(attribute)))));
            }
            for (Future<Api.Response> c : calls) {
                assertThat(c.get().success()).as(c.get().text()).isTrue();
            }
            JsonNode draft = api.get("/rest/v1/activities/external/type/" + apiName + "/describe.json?draft=true", metadata).result().get(0);
            assertThat(draft.path("attributes")).extracting(a -> a.path("apiName").asString())
                    .containsExactlyInAnyOrder("attr0", "attr1", "attr2", "attr3", "attr4", "attr5");

            List<Future<Api.Response>> creations = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String each = apiName + "n" + i;
                creations.add(pool.submit(() -> api.post("/rest/v1/activities/external/type.json", metadata, Map.of("apiName", each,
                        "name", "Concurrent " + each.substring(4, 9) + " " + each.substring(each.length() - 2), "triggerName", "Does " + each,
                        "filterName", "Did " + each, "primaryAttribute", Map.of("apiName", "topic", "name", "Topic")))));
            }
            List<Long> ids = new ArrayList<>();
            for (Future<Api.Response> c : creations) {
                Api.Response r = c.get();
                assertThat(r.success()).as(r.text()).isTrue();
                ids.add(r.result().get(0).path("id").asLong());
            }
            assertThat(ids).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void customTypeWhenCreatedApprovedAndUsedThenActivitiesAreAddedAndReadBack() {
        String api1 = "attend" + AdminClient.unique("c").replace("-", "");
        Map<String, Object> type = Map.of("apiName", api1, "name", "Attend Conference " + api1.substring(6, 10), "triggerName", "Attends " + api1,
                "filterName", "Attended " + api1, "primaryAttribute", Map.of("apiName", "conferenceName", "name", "Conference Name"));
        Api.Response created = api.post("/rest/v1/activities/external/type.json", metadata, type);
        assertThat(created.success()).as(created.text()).isTrue();
        assertThat(created.result().get(0).path("status").asString()).isEqualTo("draft");
        long typeId = created.result().get(0).path("id").asLong();
        assertThat(typeId).isGreaterThanOrEqualTo(100_001);
        assertThat(api.post("/rest/v1/activities/external/type.json", metadata, type).errorCode()).isEqualTo("1017");

        Api.Response attrs = api.post("/rest/v1/activities/external/type/" + api1 + "/attributes/create.json", metadata,
                Map.of("attributes", List.of(Map.of("apiName", "attendees", "name", "Attendees", "dataType", "integer"))));
        assertThat(attrs.success()).as(attrs.text()).isTrue();
        assertThat(api.get("/rest/v1/activities/external/type/" + api1 + "/describe.json", metadata).errorCode()).isEqualTo("1013");
        assertThat(api.get("/rest/v1/activities/external/type/" + api1 + "/describe.json?draft=true", metadata).result().get(0)
                .path("attributes")).hasSize(1);

        long lead = create(AdminClient.unique("ca") + "@example.com", Map.of());
        Map<String, Object> activity = Map.of("leadId", lead, "activityDate", "2026-09-26T06:56:35+07:00", "activityTypeId", typeId,
                "primaryAttributeValue", "JavaOne", "attributes", List.of(Map.of("apiName", "attendees", "value", 300)));
        Api.Response early = api.post("/rest/v1/activities/external.json", writer, Map.of("input", List.of(activity)));
        assertThat(early.result().get(0).path("status").asString()).isEqualTo("skipped");

        Api.Response approved = api.post("/rest/v1/activities/external/type/" + api1 + "/approve.json", metadata, "");
        assertThat(approved.result().get(0).path("status").asString()).as(approved.text()).isEqualTo("approved");
        assertThat(api.get("/rest/v1/activities/types.json", reader).result()).extracting(t -> t.path("id").asLong()).contains(typeId);

        String token = token("2020-01-01T00:00:00Z");
        Api.Response added = api.post("/rest/v1/activities/external.json", writer, Map.of("input", List.of(activity,
                Map.of("leadId", 987654321, "activityDate", "2026-09-26T06:56:35Z", "activityTypeId", typeId, "primaryAttributeValue", "x"),
                Map.of("leadId", lead, "activityDate", "yesterday", "activityTypeId", typeId, "primaryAttributeValue", "x"),
                Map.of("leadId", lead, "activityDate", "2026-09-26T06:56:35Z", "activityTypeId", typeId, "primaryAttributeValue", "x",
                        "attributes", List.of(Map.of("apiName", "attendees", "value", "many"))))));
        assertThat(added.result().get(0).path("status").asString()).as(added.text()).isEqualTo("added");
        assertThat(added.result().get(0).path("marketoGUID").asString()).isNotEmpty();
        assertThat(added.result().get(1).path("errors").get(0).path("code").asString()).isEqualTo("1004");
        assertThat(added.result().get(2).path("errors").get(0).path("code").asString()).isEqualTo("1001");
        assertThat(added.result().get(3).path("errors").get(0).path("code").asString()).isEqualTo("1001");
        List<JsonNode> read = all("/rest/v1/activities.json?activityTypeIds=" + typeId + "&leadIds=" + lead, token);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).path("primaryAttributeValue").asString()).isEqualTo("JavaOne");
        assertThat(Instant.parse(read.get(0).path("activityDate").asString())).isEqualTo(Instant.parse("2026-09-25T23:56:35Z"));
        assertThat(read.get(0).path("attributes").get(0).path("value").asInt()).isEqualTo(300);

        assertThat(api.post("/rest/v1/activities/external/type/" + api1 + "/delete.json", metadata, "").errorCode()).isEqualTo("1022");
        assertThat(api.post("/rest/v1/activities/external/type/nosuch/approve.json", metadata, "").errorCode()).isEqualTo("1013");
        assertThat(api.post("/rest/v1/activities/external/type/" + api1 + "/approve.json", metadata, "").errorCode()).isEqualTo("709");
    }

    @Test
    void customTypesWhenTheLimitsAreReachedThen1027And1028() {
        for (int i = 0; ; i++) {
            String name = "limit" + AdminClient.unique("t").replace("-", "");
            Api.Response r = api.post("/rest/v1/activities/external/type.json", metadata, Map.of("apiName", name, "name", "Limit " + i,
                    "triggerName", "T " + name, "filterName", "F " + name, "primaryAttribute", Map.of("apiName", "p", "name", "P")));
            if (!r.success()) {
                assertThat(r.errorCode()).isEqualTo("1027");
                break;
            }
            assertThat(i).isLessThan(10);
        }
        String any = api.get("/rest/v1/activities/external/types.json", metadata).result().get(0).path("apiName").asString();
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add(Map.of("apiName", "a" + i, "name", "A" + i, "dataType", "string"));
        }
        assertThat(api.post("/rest/v1/activities/external/type/" + any + "/attributes/create.json", metadata, Map.of("attributes", many))
                .errorCode()).isEqualTo("1028");
    }

    private static String attribute(JsonNode activity, String name) {
        for (JsonNode a : activity.path("attributes")) {
            if (a.path("name").asString().equals(name)) {
                return a.path("value").asString();
            }
        }
        return null;
    }

    @Test
    void activitiesWhenDatesOrIdsAreOutOfRangeOrListIdIsOddThenMarketoCodesNeverASystemError() {
        String token = token(since());
        assertThat(api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=%2B999999999-12-31T23:59:59Z", reader).errorCode())
                .isEqualTo("704");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&nextPageToken=" + base32("+999999999-12-31T23:59:59Z,0"), reader)
                .errorCode()).isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=4294967308&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&listId=,&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities.json?activityTypeIds=12&listId=1&listId=2&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
        assertThat(api.get("/rest/v1/activities/leadchanges.json?fields=email&listId=,&nextPageToken=" + token, reader).errorCode())
                .isEqualTo("1003");
    }

    private static String base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
