package dev.mkto.server.leads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

/** Every leads operation and record-level code, over HTTP, on H2 and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class LeadApiTest extends OnEveryBackend {

    private String writer;
    private String reader;

    @Override
    protected void fixtures() {
        admin.create("/fields", Map.of("name", "favouriteColour", "displayName", "Favourite colour", "dataType", "string"));
        admin.create("/fields", Map.of("name", "shoeSize", "dataType", "integer"));
        admin.create("/fields", Map.of("name", "cohort", "dataType", "string"));
        writer = admin.tokenWith("Read-Write Lead");
        reader = admin.tokenWith("Read-Only Lead");
        // the test clock stands still, so the rate window never empties: make room for every call of the class
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000)));
    }

    private static String email(String prefix) {
        return AdminClient.unique(prefix) + "@example.com";
    }

    private Api.Response sync(Object body) {
        return api.post("/rest/v1/leads.json", writer, body);
    }

    private Api.Response sync(Map<String, Object> options, List<Map<String, Object>> input) {
        Map<String, Object> body = new LinkedHashMap<>(options);
        body.put("input", input);
        return sync(body);
    }

    private static Map<String, Object> lead(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private JsonNode byEmail(String email, String fields) {
        Api.Response r = api.get("/rest/v1/leads.json?filterType=email&filterValues=" + enc(email) + "&fields=" + fields, reader);
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Concurrent updates of one lead each change their own fields: none writes back what it read
     * before another's change (the lead is locked while a call reads and writes it). Repeated, since
     * the loss, when there was one, depended on timing.
     */
    @Test
    void syncWhenConcurrentCallsUpdateDifferentFieldsOfOneLeadThenNoChangeIsLost() throws Exception {
        List<String> fields = List.of("firstName", "lastName", "title", "phone", "city", "state", "country", "industry");
        ExecutorService pool = Executors.newFixedThreadPool(fields.size());
        try {
            for (int round = 0; round < 5; round++) {
                String email = email("together");
                assertThat(sync(Map.of(), List.of(lead("email", email))).result().get(0).path("status").asString()).isEqualTo("created");
                List<Future<Api.Response>> calls = new ArrayList<>();
                for (String f : fields) {
                    calls.add(pool.submit(() -> sync(Map.of("action", "updateOnly"), List.of(lead("email", email, f, "v-" + f)))));
                }
                for (Future<Api.Response> c : calls) {
                    Api.Response r = c.get();
                    assertThat(r.result().get(0).path("status").asString()).as(r.text()).isEqualTo("updated");
                }
                JsonNode found = byEmail(email, String.join(",", fields)).get(0);
                for (String f : fields) {
                    assertThat(found.path(f).asString()).as(f + " in round " + round + ": " + found).isEqualTo("v-" + f);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String reasonCode(JsonNode record) {
        return record.path("reasons").get(0).path("code").asString();
    }

    // ----- sync ------------------------------------------------------------------------------

    @Test
    void syncWhenCreateOrUpdateThenCreatesThenUpdatesTheSameLead() {
        String e = email("ada");
        Api.Response created = sync(Map.of(), List.of(lead("email", e, "firstName", "Ada")));
        assertThat(created.success()).as(created.text()).isTrue();
        assertThat(created.result().get(0).path("status").asString()).isEqualTo("created");
        long id = created.result().get(0).path("id").asLong();
        Api.Response updated = sync(Map.of("action", "createOrUpdate"), List.of(lead("email", e.toUpperCase(), "lastName", "Lovelace")));
        assertThat(updated.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(updated.result().get(0).path("id").asLong()).isEqualTo(id);
        JsonNode stored = byEmail(e, "firstName,lastName");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).path("firstName").asString()).isEqualTo("Ada");
        assertThat(stored.get(0).path("lastName").asString()).isEqualTo("Lovelace");
    }

    @Test
    void syncWhenLeadsOfOneCallGiveDifferentFieldsThenEachKeepsItsOwnAndTheRestStayEmpty() {
        String a = email("cols-a");
        String b = email("cols-b");
        String c = email("cols-c");
        Api.Response r = sync(Map.of("action", "createOnly"), List.of(lead("email", a, "firstName", "Ada", "company", "Engines"),
                lead("email", b, "lastName", "Babbage", "numberOfEmployees", 12), lead("email", c)));
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(r.result()).allSatisfy(x -> assertThat(x.path("status").asString()).isEqualTo("created"));
        String fields = "firstName,lastName,company,numberOfEmployees";
        JsonNode first = byEmail(a, fields).get(0);
        assertThat(first.path("firstName").asString()).isEqualTo("Ada");
        assertThat(first.path("company").asString()).isEqualTo("Engines");
        assertThat(empty(first, "lastName") && empty(first, "numberOfEmployees")).as(first.toString()).isTrue();
        JsonNode second = byEmail(b, fields).get(0);
        assertThat(second.path("lastName").asString()).isEqualTo("Babbage");
        assertThat(second.path("numberOfEmployees").asLong()).isEqualTo(12);
        assertThat(empty(second, "firstName") && empty(second, "company")).as(second.toString()).isTrue();
        JsonNode third = byEmail(c, fields).get(0);
        assertThat(empty(third, "firstName") && empty(third, "lastName") && empty(third, "company") && empty(third, "numberOfEmployees"))
                .as(third.toString()).isTrue();
    }

    /**
     * Text that means something to an array literal or an escaper (braces, quotes, backslashes,
     * commas, the word NULL, line breaks, non-ASCII) and every column type are stored as sent, and a
     * call's new leads get ascending ids in input order: on PostgreSQL a batch is inserted as one
     * statement taking each column as an array.
     */
    @Test
    void syncWhenTextHoldsBracesQuotesBackslashesOrTheWordNullThenStoredAsSentAndIdsAscendInInputOrder() {
        List<String> texts = List.of("{a,b}", "\"quoted\"", "back\\slash", "a, b", "NULL", "null", "line\nbreak\ttab",
                "Zoë 😀 ünïcode", "{\"x\":[1,2]}", "'single'", "(1,2)", "\\N");
        List<Map<String, Object>> input = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String e = email("arrays");
            emails.add(e);
            input.add(lead("email", e, "firstName", texts.get(i), "company", texts.get(texts.size() - 1 - i), "numberOfEmployees", i * 1000,
                    "annualRevenue", i + 0.25, "unsubscribed", i % 2 == 0, "dateOfBirth", "1815-12-1" + (i % 10)));
        }
        Api.Response r = sync(Map.of("action", "createOnly"), input);
        assertThat(r.success()).as(r.text()).isTrue();
        List<Long> ids = new ArrayList<>();
        r.result().forEach(x -> ids.add(x.path("id").asLong()));
        assertThat(r.result()).allSatisfy(x -> assertThat(x.path("status").asString()).isEqualTo("created"));
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        for (int i = 0; i < texts.size(); i++) {
            JsonNode stored = byEmail(emails.get(i), "id,firstName,company,numberOfEmployees,annualRevenue,unsubscribed,dateOfBirth").get(0);
            assertThat(stored.path("id").asLong()).isEqualTo(ids.get(i));
            assertThat(stored.path("firstName").asString()).isEqualTo(texts.get(i));
            assertThat(stored.path("company").asString()).isEqualTo(texts.get(texts.size() - 1 - i));
            assertThat(stored.path("numberOfEmployees").asLong()).isEqualTo(i * 1000L);
            assertThat(stored.path("annualRevenue").asDouble()).isEqualTo(i + 0.25);
            assertThat(stored.path("unsubscribed").asBoolean()).as(stored.toString()).isEqualTo(i % 2 == 0);
            assertThat(stored.path("dateOfBirth").asString()).isEqualTo("1815-12-1" + (i % 10));
        }
    }

    private static boolean empty(JsonNode lead, String field) {
        return lead.path(field).isMissingNode() || lead.path(field).isNull();
    }

    @Test
    void syncWhenRecordsMixOutcomesThenResultsKeepInputOrderWithReasons() {
        String e1 = email("mix");
        String e2 = email("mix");
        Api.Response r = sync(Map.of(), List.of(
                lead("email", e1, "firstName", "One"),
                lead("email", e2, "numberOfEmployees", "many"),
                lead("firstName", "No email"),
                lead("email", e2, "emial", "typo"),
                lead("email", e1, "createdAt", "2020-01-01T00:00:00Z"),
                lead("email", e2, "lastName", "Two")));
        JsonNode res = r.result();
        assertThat(res).hasSize(6);
        assertThat(res.get(0).path("status").asString()).isEqualTo("created");
        assertThat(reasonCode(res.get(1))).isEqualTo("1001");
        assertThat(res.get(1).path("reasons").get(0).path("message").asString())
                .isEqualTo("Invalid value 'many'. Required of type 'integer'");
        assertThat(reasonCode(res.get(2))).isEqualTo("1002");
        assertThat(reasonCode(res.get(3))).isEqualTo("1006");
        assertThat(res.get(3).path("reasons").get(0).path("message").asString()).isEqualTo("Field 'emial' not found");
        assertThat(reasonCode(res.get(4))).isEqualTo("1003");
        assertThat(res.get(5).path("status").asString()).isEqualTo("created");
        for (int i : new int[] {1, 2, 3, 4}) {
            assertThat(res.get(i).path("status").asString()).isEqualTo("skipped");
        }
        assertThat(byEmail(e2, "lastName").get(0).path("lastName").asString()).isEqualTo("Two");
        assertThat(byEmail(e1, "firstName").get(0).path("firstName").asString()).isEqualTo("One");
    }

    @Test
    void syncWhenCreateOnlyAndLeadExistsThen1005() {
        String e = email("co");
        sync(Map.of(), List.of(lead("email", e)));
        Api.Response r = sync(Map.of("action", "createOnly"), List.of(lead("email", e), lead("email", email("co"))));
        assertThat(reasonCode(r.result().get(0))).isEqualTo("1005");
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString()).isEqualTo("Lead already exists");
        assertThat(r.result().get(1).path("status").asString()).isEqualTo("created");
    }

    @Test
    void syncWhenUpdateOnlyThenMissingLeadIs1004AndIdLookupUpdates() {
        String e = email("uo");
        long id = sync(Map.of(), List.of(lead("email", e))).result().get(0).path("id").asLong();
        Api.Response r = sync(Map.of("action", "updateOnly"), List.of(
                lead("email", email("ghost"), "firstName", "x"),
                lead("id", id, "firstName", "ById"),
                lead("id", 999_999_999, "firstName", "nobody")));
        assertThat(reasonCode(r.result().get(0))).isEqualTo("1004");
        assertThat(r.result().get(1).path("status").asString()).isEqualTo("updated");
        assertThat(r.result().get(1).path("id").asLong()).isEqualTo(id);
        assertThat(reasonCode(r.result().get(2))).isEqualTo("1004");
        assertThat(byEmail(e, "firstName").get(0).path("firstName").asString()).isEqualTo("ById");
    }

    @Test
    void syncWhenIdGivenOutsideUpdateOnlyThen1003() {
        Api.Response r = sync(Map.of("action", "createOnly"), List.of(lead("id", 1, "email", email("x"))));
        assertThat(reasonCode(r.result().get(0))).isEqualTo("1003");
    }

    @Test
    void syncWhenCreateDuplicateThenTwoLeadsAndLookupFindsBothThen1007() {
        String e = email("dup");
        Api.Response first = sync(Map.of("action", "createDuplicate"), List.of(lead("email", e), lead("email", e)));
        assertThat(first.result().get(0).path("id").asLong()).isNotEqualTo(first.result().get(1).path("id").asLong());
        assertThat(byEmail(e, "email")).hasSize(2);
        Api.Response r = sync(Map.of(), List.of(lead("email", e, "firstName", "Which")));
        assertThat(reasonCode(r.result().get(0))).isEqualTo("1007");
        // Marketo's wire text (captured responses; clients match on it), not the error table's wording
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString()).isEqualTo("Multiple lead match lookup criteria");
    }

    @Test
    void syncWhenSameKeyTwiceInOneBatchThenCreatedThenUpdatedSameLead() {
        String e = email("twice");
        Api.Response r = sync(Map.of(), List.of(lead("email", e, "firstName", "A"), lead("email", e, "lastName", "B")));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(r.result().get(1).path("status").asString()).isEqualTo("updated");
        assertThat(r.result().get(1).path("id").asLong()).isEqualTo(r.result().get(0).path("id").asLong());
        JsonNode stored = byEmail(e, "firstName,lastName");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).path("lastName").asString()).isEqualTo("B");
    }

    @Test
    void syncWhenLookupFieldIsSfdcLeadIdThenDedupesOnIt() {
        String sfdc = AdminClient.unique("00Q");
        Api.Response a = sync(Map.of("lookupField", "sfdcLeadId"), List.of(lead("sfdcLeadId", sfdc, "email", email("s1"))));
        Api.Response b = sync(Map.of("lookupField", "sfdcLeadId"), List.of(lead("sfdcLeadId", sfdc, "firstName", "Same")));
        assertThat(b.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(b.result().get(0).path("id").asLong()).isEqualTo(a.result().get(0).path("id").asLong());
    }

    @Test
    void syncWhenLookupFieldUnsupportedUnknownOrIdThenResponseLevelError() {
        assertThat(sync(Map.of("lookupField", "firstName"), List.of(lead("firstName", "x"))).errorCode()).isEqualTo("1011");
        assertThat(sync(Map.of("lookupField", "noSuchField"), List.of(lead("firstName", "x"))).errorCode()).isEqualTo("1006");
        assertThat(sync(Map.of("lookupField", "id"), List.of(lead("id", 1))).errorCode()).isEqualTo("1003");
    }

    @Test
    void syncWhenCustomFieldsGivenThenStoredTypedAndFilterable() {
        String e = email("cf");
        Api.Response r = sync(Map.of(), List.of(lead("email", e, "favouriteColour", "Teal", "shoeSize", 42),
                lead("email", email("cf"), "shoeSize", "huge")));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(reasonCode(r.result().get(1))).isEqualTo("1001");
        JsonNode stored = byEmail(e, "favouriteColour,shoeSize");
        assertThat(stored.get(0).path("favouriteColour").asString()).isEqualTo("Teal");
        assertThat(stored.get(0).path("shoeSize").isInt()).isTrue();
        assertThat(stored.get(0).path("shoeSize").asInt()).isEqualTo(42);
        Api.Response byColour = api.get("/rest/v1/leads.json?filterType=favouriteColour&filterValues=teal&fields=email", reader);
        assertThat(byColour.result()).extracting(n -> n.path("email").asString()).contains(e);
        sync(Map.of(), List.of(lead("email", e, "favouriteColour", null)));
        assertThat(byEmail(e, "favouriteColour").get(0).has("favouriteColour")).isFalse();
    }

    @Test
    void syncWhenValuesHaveWrongTypesThen1001PerRecord() {
        Api.Response r = sync(Map.of(), List.of(
                lead("email", "not-an-email"),
                lead("email", email("t"), "unsubscribed", "maybe"),
                lead("email", email("t"), "dateOfBirth", "31/12/1990"),
                lead("email", email("t"), "annualRevenue", "lots"),
                lead("email", email("t"), "firstName", Map.of("nested", true)),
                lead("email", email("t"), "firstName", "x".repeat(256)),
                lead("email", email("t"), "unsubscribed", true, "dateOfBirth", "1990-12-31", "annualRevenue", 1.5e6)));
        for (int i = 0; i < 6; i++) {
            assertThat(reasonCode(r.result().get(i))).as("record %d: %s", i, r.result().get(i)).isEqualTo("1001");
        }
        assertThat(r.result().get(6).path("status").asString()).isEqualTo("created");
    }

    @Test
    void syncWhenRequestShapeIsWrongThenResponseLevelCode() {
        assertThat(sync(Map.of("input", List.of())).errorCode()).isEqualTo("701");
        assertThat(sync(Map.of("action", "createOnly")).errorCode()).isEqualTo("701");
        assertThat(sync(Map.of("input", "not a list")).errorCode()).isEqualTo("609");
        assertThat(api.post("/rest/v1/leads.json", writer, "[1,2]").errorCode()).isEqualTo("609");
        assertThat(api.post("/rest/v1/leads.json", writer, "{\"input\": [").errorCode()).isEqualTo("609");
        assertThat(sync(Map.of("action", "upsert", "input", List.of(lead("email", "a@b.co")))).errorCode()).isEqualTo("1003");
        assertThat(sync(Map.of("lookupField", 7, "input", List.of(lead("email", "a@b.co")))).errorCode()).isEqualTo("609");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 301; i++) {
            tooMany.add(lead("email", "many" + i + "@example.com"));
        }
        Api.Response over = sync(Map.of(), tooMany);
        assertThat(over.errorCode()).isEqualTo("1003");
        assertThat(api.method("POST", "/rest/v1/leads.json", writer, "text/plain", "{\"input\":[]}").errorCode()).isEqualTo("612");
        Api.Response items = sync(Map.of("input", List.of(1, "x")));
        assertThat(reasonCode(items.result().get(0))).isEqualTo("1003");
    }

    @Test
    void syncWhenAsyncProcessingRequestedThenProcessedAndAnswered() {
        Api.Response r = sync(Map.of("asyncProcessing", true), List.of(lead("email", email("async"))));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("created");
    }

    @Test
    void syncWhenCallerOnlyReadsThen603() {
        assertThat(api.post("/rest/v1/leads.json", reader, Map.of("input", List.of(lead("email", email("r"))))).errorCode())
                .isEqualTo("603");
    }

    // ----- get lead by id --------------------------------------------------------------------

    @Test
    void getLeadWhenNoFieldsGivenThenDefaultFields() {
        String e = email("get");
        long id = sync(Map.of(), List.of(lead("email", e, "firstName", "G", "lastName", "H", "city", "Paris"))).result().get(0).path("id").asLong();
        Api.Response r = api.get("/rest/v1/lead/" + id + ".json", reader);
        JsonNode l = r.result().get(0);
        List<String> names = new ArrayList<>();
        l.propertyNames().forEach(names::add);
        assertThat(names).containsExactlyInAnyOrder("id", "updatedAt", "lastName", "email", "createdAt", "firstName");
        assertThat(l.path("updatedAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        Api.Response some = api.get("/rest/v1/lead/" + id + ".json?fields=city,leadPartitionId", reader);
        assertThat(some.result().get(0).path("city").asString()).isEqualTo("Paris");
        assertThat(some.result().get(0).path("leadPartitionId").asLong()).isEqualTo(1);
        assertThat(some.result().get(0).has("email")).isFalse();
    }

    @Test
    void getLeadWhenMissingThenEmptyResultAndWhenMalformedThen610() {
        Api.Response r = api.get("/rest/v1/lead/987654321.json", reader);
        assertThat(r.success()).isTrue();
        assertThat(r.result()).isEmpty();
        assertThat(api.get("/rest/v1/lead/abc.json", reader).errorCode()).isEqualTo("610");
        assertThat(api.get("/rest/v1//lead/1.json", reader).errorCode()).isEqualTo("610");
        assertThat(api.get("/rest//v1/leads/describe.json", reader).errorCode()).isEqualTo("610");
        assertThat(api.get("/rest/v1/lead/1.json?fields=nope", reader).errorCode()).isEqualTo("1006");
    }

    // ----- query ------------------------------------------------------------------------------

    @Test
    void queryWhenSeveralValuesThenEachMatchingLeadOnce() {
        String a = email("q");
        String b = email("q");
        sync(Map.of(), List.of(lead("email", a), lead("email", b)));
        Api.Response r = api.get("/rest/v1/leads.json?filterType=email&filterValues=" + enc(a.toUpperCase() + "," + b + ",nobody@x.io"), reader);
        assertThat(r.result()).extracting(n -> n.path("email").asString()).containsExactlyInAnyOrder(a, b);
        assertThat(r.json().has("nextPageToken")).isFalse();
    }

    @Test
    void queryWhenFilterOrValuesMissingOrInvalidThenDocumentedCodes() {
        assertThat(api.get("/rest/v1/leads.json?filterValues=a@b.co", reader).errorCode()).isEqualTo("701");
        assertThat(api.get("/rest/v1/leads.json?filterType=email", reader).errorCode()).isEqualTo("701");
        assertThat(api.get("/rest/v1/leads.json?filterType=firstName&filterValues=Ada", reader).errorCode()).isEqualTo("1011");
        assertThat(api.get("/rest/v1/leads.json?filterType=email&filterValues=a@b.co&batchSize=301", reader).errorCode()).isEqualTo("1003");
        assertThat(api.get("/rest/v1/leads.json?filterType=email&filterValues=a@b.co&batchSize=x", reader).errorCode()).isEqualTo("1003");
        assertThat(api.get("/rest/v1/leads.json?filterType=email&filterValues=a@b.co&nextPageToken=@@@", reader).errorCode()).isEqualTo("1003");
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 301; i++) {
            values.append(i == 0 ? "" : ",").append(i);
        }
        assertThat(api.get("/rest/v1/leads.json?filterType=id&filterValues=" + values, reader).errorCode()).isEqualTo("1003");
    }

    @Test
    void queryWhenFilterTypeIsCookiesThenAcceptedAndNothingMatches() {
        sync(Map.of(), List.of(lead("email", email("cookie"))));
        Api.Response r = api.get("/rest/v1/leads.json?filterType=cookies&filterValues="
                + enc("id:123-ABC-456&token:_mch-example.com-1594662481190-60776") + "&fields=email", reader);
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(r.result().isArray()).as(r.text()).isTrue();
        assertThat(r.result()).isEmpty();
        assertThat(r.json().has("nextPageToken")).isFalse();
        assertThat(api.get("/rest/v1/leads.json?filterType=cookies&filterValues=x&fields=nope", reader).errorCode()).isEqualTo("1006");
    }

    @Test
    void queryWhenCustomIntegerValueIsWrittenWithSignOrLeadingZeroThenItStillMatches() {
        String e = email("int");
        sync(Map.of(), List.of(lead("email", e, "shoeSize", 4207)));
        for (String v : List.of("4207", "04207", "+4207", " 4207")) {
            Api.Response r = api.get("/rest/v1/leads.json?filterType=shoeSize&filterValues=" + enc(v) + "&fields=email", reader);
            assertThat(r.result()).as("%s: %s", v, r.text()).extracting(n -> n.path("email").asString()).containsExactly(e);
        }
        assertThat(api.get("/rest/v1/leads.json?filterType=shoeSize&filterValues=4207x", reader).result()).isEmpty();
    }

    @Test
    void errorsWhenQuotingWhatWasSentThenAtMost100CharactersWithoutControlCharacters() {
        String longName = "f".repeat(500) + "\u0001";
        List<String> messages = new ArrayList<>();
        Api.Response filter = api.get("/rest/v1/leads.json?filterType=" + enc(longName) + "&filterValues=1", reader);
        assertThat(filter.errorCode()).isEqualTo("1011");
        messages.add(filter.json().path("errors").get(0).path("message").asString());
        Api.Response lookup = sync(Map.of("lookupField", longName), List.of(lead("email", email("echo"))));
        assertThat(lookup.errorCode()).isEqualTo("1006");
        messages.add(lookup.json().path("errors").get(0).path("message").asString());
        Api.Response action = sync(Map.of("action", longName), List.of(lead("email", email("echo"))));
        assertThat(action.errorCode()).isEqualTo("1003");
        messages.add(action.json().path("errors").get(0).path("message").asString());
        long id = sync(Map.of(), List.of(lead("email", email("echo")))).result().get(0).path("id").asLong();
        Api.Response move = api.post("/rest/v1/leads/partitions.json", writer, Map.of("input", List.of(Map.of("id", id, "partitionName", longName))));
        assertThat(reasonCode(move.result().get(0))).isEqualTo("1008");
        messages.add(move.result().get(0).path("reasons").get(0).path("message").asString());
        for (String m : messages) {
            assertThat(m).as(m).doesNotContain("f".repeat(101)).doesNotContain("\u0001").contains("f".repeat(50));
        }
    }

    @Test
    void queryWhenMoreThanAPageThenPagesCoverEveryLeadExactlyOnceWhileWritesHappen() {
        String cohort = AdminClient.unique("page");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            batch.add(lead("email", email("p"), "cohort", cohort));
        }
        sync(Map.of(), batch);
        Set<Long> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        long deletedDuringPaging = -1;
        do {
            Api.Response r = api.get("/rest/v1/leads.json?filterType=cohort&filterValues=" + cohort + "&batchSize=10&fields=cohort"
                    + (token == null ? "" : "&nextPageToken=" + token), reader);
            assertThat(r.success()).as(r.text()).isTrue();
            for (JsonNode l : r.result()) {
                assertThat(seen.add(l.path("id").asLong())).as("lead %s seen twice", l.path("id")).isTrue();
            }
            token = r.json().path("nextPageToken").asString(null);
            if (pages == 0) {
                // between pages: one new lead joins the cohort, one not yet seen is deleted
                sync(Map.of(), List.of(lead("email", email("late"), "cohort", cohort)));
                JsonNode all = api.get("/rest/v1/leads.json?filterType=cohort&filterValues=" + cohort + "&fields=cohort", reader).result();
                deletedDuringPaging = all.get(all.size() - 2).path("id").asLong();
                api.post("/rest/v1/leads/delete.json", writer, Map.of("input", List.of(Map.of("id", deletedDuringPaging))));
            }
            pages++;
        } while (token != null);
        assertThat(seen).hasSize(25).doesNotContain(deletedDuringPaging);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void queryWhenMoreThanAThousandMatchThen1003() {
        String cohort = AdminClient.unique("big");
        for (int b = 0; b < 4; b++) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int i = 0; i < (b < 3 ? 300 : 101); i++) {
                batch.add(lead("email", email("big"), "cohort", cohort));
            }
            assertThat(sync(Map.of(), batch).success()).isTrue();
        }
        Api.Response r = api.get("/rest/v1/leads.json?filterType=cohort&filterValues=" + cohort, reader);
        assertThat(r.errorCode()).isEqualTo("1003");
        assertThat(r.json().path("errors").get(0).path("message").asString()).isEqualTo("Too many results match the filter");
    }

    @Test
    void queryWhenSentAsPostWithMethodGetThenSameAnswerAsGet() {
        String e = email("long");
        sync(Map.of(), List.of(lead("email", e)));
        StringBuilder values = new StringBuilder(e);
        for (int i = 0; i < 280; i++) {
            values.append(",").append("padding-address-").append(i).append("@example.com");
        }
        Api.Response viaGet = api.get("/rest/v1/leads.json?filterType=email&filterValues=" + enc(values.toString()), reader);
        assertThat(viaGet.status()).isEqualTo(414);
        Api.Response viaPost = api.postForm("/rest/v1/leads.json?_method=GET", reader,
                "filterType=email&filterValues=" + enc(values.toString()) + "&fields=email");
        assertThat(viaPost.success()).as(viaPost.text()).isTrue();
        assertThat(viaPost.result()).extracting(n -> n.path("email").asString()).containsExactly(e);
    }

    @Test
    void queryWhenFilteringByIdOrPartitionThenMatches() {
        long id = sync(Map.of(), List.of(lead("email", email("id")))).result().get(0).path("id").asLong();
        assertThat(api.get("/rest/v1/leads.json?filterType=id&filterValues=" + id + ",x", reader).result()).hasSize(1);
        String partition = AdminClient.unique("Small");
        long partitionId = admin.partition(partition);
        String workspace = AdminClient.unique("SmallWs");
        admin.workspace(workspace, partition);
        String role = AdminClient.unique("small-rw");
        admin.role(role, "Read-Write Lead");
        String user = email("small");
        admin.apiUser(user, role, workspace);
        String token = admin.token(admin.service(AdminClient.unique("small"), user));
        api.post("/rest/v1/leads.json", token, Map.of("input", List.of(lead("email", email("s")), lead("email", email("s")))));
        Api.Response r = api.get("/rest/v1/leads.json?filterType=leadPartitionId&filterValues=" + partitionId + "&batchSize=1", token);
        assertThat(r.result()).hasSize(1);
        assertThat(r.json().path("nextPageToken").asString()).isNotEmpty();
    }

    // ----- delete, partitions, describe ------------------------------------------------------------

    @Test
    void deleteWhenIdsGivenInBodyOrQueryThenDeletedOr1004() {
        Api.Response created = sync(Map.of(), List.of(lead("email", email("d")), lead("email", email("d"))));
        long a = created.result().get(0).path("id").asLong();
        long b = created.result().get(1).path("id").asLong();
        Api.Response r = api.post("/rest/v1/leads/delete.json", writer, Map.of("input", List.of(Map.of("id", a), Map.of("id", 987654321))));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(reasonCode(r.result().get(1))).isEqualTo("1004");
        Api.Response q = api.method("POST", "/rest/v1/leads/delete.json?id=" + b, writer, null, null);
        assertThat(q.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(api.get("/rest/v1/lead/" + a + ".json", reader).result()).isEmpty();
        assertThat(api.method("POST", "/rest/v1/leads/delete.json", writer, null, null).errorCode()).isEqualTo("701");
        assertThat(api.method("POST", "/rest/v1/leads/delete.json?id=x", writer, null, null).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/delete.json", writer, Map.of("input", List.of(Map.of("id", "x")))).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/leads/delete.json", reader, Map.of("input", List.of(Map.of("id", b)))).errorCode()).isEqualTo("603");
    }

    @Test
    void describeWhenCalledThenStandardAndCustomFieldsWithTypes() {
        JsonNode d = api.get("/rest/v1/leads/describe.json", reader).result();
        assertThat(d).extracting(n -> n.path("rest").path("name").asString()).contains("email", "firstName", "favouriteColour", "shoeSize");
        JsonNode d2 = api.get("/rest/v1/leads/describe2.json", reader).result().get(0);
        assertThat(d2.path("name").asString()).isEqualTo("API Lead");
        assertThat(d2.path("searchableFields").toString()).contains("[\"email\"]", "[\"favouriteColour\"]", "[\"shoeSize\"]");
        assertThat(d2.path("searchableFields").toString()).doesNotContain("firstName");
        for (JsonNode f : d2.path("fields")) {
            if (f.path("name").asString().equals("createdAt")) {
                assertThat(f.path("updateable").asBoolean()).isFalse();
                assertThat(f.path("dataType").asString()).isEqualTo("datetime");
            }
        }
    }

    @Test
    void partitionsWhenReadThenDefaultAndWhenMovingToUnknownPartitionThen1008() {
        JsonNode parts = api.get("/rest/v1/leads/partitions.json", reader).result();
        assertThat(parts).extracting(n -> n.path("name").asString()).containsExactly("Default");
        assertThat(parts.get(0).path("description").asString()).isEqualTo("Initial system lead partition");
        long id = sync(Map.of(), List.of(lead("email", email("mv")))).result().get(0).path("id").asLong();
        Api.Response r = api.post("/rest/v1/leads/partitions.json", writer,
                Map.of("input", List.of(Map.of("id", id, "partitionName", "Nowhere"), Map.of("id", 987654321, "partitionName", "Default"),
                        Map.of("id", id, "partitionName", "Default"))));
        assertThat(reasonCode(r.result().get(0))).isEqualTo("1008");
        assertThat(reasonCode(r.result().get(1))).isEqualTo("1004");
        assertThat(r.result().get(2).path("status").asString()).isEqualTo("updated");
    }
}
