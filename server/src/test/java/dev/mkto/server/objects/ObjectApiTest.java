package dev.mkto.server.objects;

import static dev.mkto.server.objects.Shapes.assertFits;
import static dev.mkto.server.objects.Shapes.reason;
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

/**
 * Companies, opportunities, opportunity roles, named accounts, named account lists and sales
 * persons over HTTP, on H2 and on PostgreSQL: every operation, the documented record-level and
 * response-level codes, shapes against swagger-mapi.json, paging while records change.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ObjectApiTest extends OnEveryBackend {

    private static final String COMPANIES = "/rest/v1/companies";
    private static final String OPPORTUNITIES = "/rest/v1/opportunities";
    private static final String ROLES = "/rest/v1/opportunities/roles";
    private static final String ACCOUNTS = "/rest/v1/namedaccounts";
    private static final String LISTS = "/rest/v1/namedAccountLists";
    private static final String SALES = "/rest/v1/salespersons";

    private String all;
    private String reader;

    @Override
    protected void fixtures() {
        all = admin.tokenWith("Read-Write Company", "Read-Write Opportunity", "Read-Write Named Account", "Read-Write Named Account List",
                "Read-Write Sales Person", "Read-Write Lead");
        reader = admin.tokenWith("Read-Only Company", "Read-Only Opportunity", "Read-Only Named Account", "Read-Only Named Account List",
                "Read-Only Sales Person");
        // the test clock stands still, so the rate window never empties: make room for every call of the class
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000)));
    }

    private static String id(String prefix) {
        return AdminClient.unique(prefix);
    }

    private static Map<String, Object> rec(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private Api.Response sync(String base, Map<String, Object> options, Object... records) {
        Map<String, Object> body = new LinkedHashMap<>(options);
        body.put("input", List.of(records));
        Api.Response r = api.post(base + ".json", all, body);
        assertThat(r.success()).as(r.text()).isTrue();
        assertFits("POST", base + ".json", r);
        return r;
    }

    private Api.Response delete(String base, Map<String, Object> options, Object... records) {
        Map<String, Object> body = new LinkedHashMap<>(options);
        body.put("input", List.of(records));
        Api.Response r = api.post(base + "/delete.json", all, body);
        assertFits("POST", base + "/delete.json", r);
        return r;
    }

    private Api.Response get(String base, String query) {
        return api.get(base + ".json?" + query, reader);
    }

    private JsonNode found(String base, String query) {
        Api.Response r = get(base, query);
        assertFits("GET", base + ".json", r);
        return r.result();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private long lead(String email) {
        Api.Response r = api.post("/rest/v1/leads.json", all, Map.of("input", List.of(Map.of("email", email))));
        return r.result().get(0).path("id").asLong();
    }

    // ----- describe -------------------------------------------------------------------------------

    @Test
    void describeWhenCalledForEachKindThenKeysSearchableFieldsAndFieldsAsDocumented() {
        Map<String, String[]> expected = Map.of(
                COMPANIES, new String[] {"id", "[\"externalCompanyId\"]", "[[\"externalCompanyId\"],[\"id\"],[\"company\"]]"},
                OPPORTUNITIES, new String[] {"marketoGUID", "[\"externalOpportunityId\"]", "[[\"externalOpportunityId\"],[\"marketoGUID\"]]"},
                ROLES, new String[] {"marketoGUID", "[\"externalOpportunityId\",\"leadId\",\"role\"]",
                        "[[\"externalOpportunityId\",\"leadId\",\"role\"],[\"marketoGUID\"],[\"leadId\"],[\"externalOpportunityId\"]]"},
                SALES, new String[] {"id", "[\"externalSalesPersonId\"]", "[[\"email\"],[\"id\"],[\"externalSalesPersonId\"]]"},
                ACCOUNTS, new String[] {"marketoGUID", "[\"name\"]", null});
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            Api.Response r = api.get(e.getKey() + "/describe.json", reader);
            assertFits("GET", e.getKey() + "/describe.json", r);
            JsonNode d = r.result().get(0);
            assertThat(d.path("idField").asString()).isEqualTo(e.getValue()[0]);
            assertThat(d.path("dedupeFields").toString()).isEqualTo(e.getValue()[1]);
            if (e.getValue()[2] != null) {
                assertThat(d.path("searchableFields").toString()).isEqualTo(e.getValue()[2]);
            }
            assertThat(d.path("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            for (JsonNode f : d.path("fields")) {
                if (f.path("name").asString().equals(e.getValue()[0]) || f.path("name").asString().equals("createdAt")) {
                    assertThat(f.path("updateable").asBoolean()).as(f.toString()).isFalse();
                }
            }
        }
        JsonNode company = api.get(COMPANIES + "/describe.json", reader).result().get(0);
        assertThat(company.path("name").asString()).isEqualTo("Company");
        assertThat(company.path("fields").toString()).contains("\"name\":\"annualRevenue\",\"displayName\":\"Annual Revenue\",\"dataType\":\"currency\"");
    }

    @Test
    void describeWhenNamedAccountListsThenNoSuchEndpoint() {
        assertThat(api.get(LISTS + "/describe.json", reader).errorCode()).isEqualTo("610");
    }

    @Test
    void fieldSchemaWhenBrowsedThenEveryFieldOnceAcrossPagesAndEachByName() {
        String schema = admin.tokenWith("Read-Write Schema Custom Field");
        for (String base : List.of(COMPANIES, OPPORTUNITIES, ACCOUNTS)) {
            List<String> described = new ArrayList<>();
            api.get(base + "/describe.json", reader).result().get(0).path("fields").forEach(f -> described.add(f.path("name").asString()));
            List<String> browsed = new ArrayList<>();
            String token = null;
            do {
                Api.Response r = api.get(base + "/schema/fields.json?batchSize=5" + (token == null ? "" : "&nextPageToken=" + token), schema);
                assertFits("GET", base + "/schema/fields.json", r);
                r.result().forEach(f -> browsed.add(f.path("name").asString()));
                token = r.json().path("nextPageToken").asString(null);
                assertThat(r.json().path("moreResult").asBoolean(false)).isEqualTo(token != null);
            } while (token != null);
            assertThat(browsed).isEqualTo(described);
            assertThat(api.get(base + "/schema/fields.json", reader).errorCode()).isEqualTo("603");
        }
        Api.Response industry = api.get(COMPANIES + "/schema/fields/industry.json", schema);
        assertFits("GET", COMPANIES + "/schema/fields/industry.json", industry);
        JsonNode f = industry.result().get(0);
        assertThat(f.path("name").asString()).isEqualTo("industry");
        assertThat(f.path("dataType").asString()).isEqualTo("string");
        assertThat(f.path("length").asInt()).isEqualTo(255);
        assertThat(f.path("isCustom").asBoolean()).isFalse();
        assertThat(api.get(OPPORTUNITIES + "/schema/fields/nope.json", schema).errorCode()).isEqualTo("1006");
        assertThat(api.get(ACCOUNTS + "/schema/fields.json?batchSize=0", schema).errorCode()).isEqualTo("1003");
        assertThat(api.get(ACCOUNTS + "/schema/fields.json?nextPageToken=zzz", schema).errorCode()).isEqualTo("1003");
    }

    // ----- sync --------------------------------------------------------------------------------

    @Test
    void syncCompaniesWhenCreateOrUpdateThenCreatesThenUpdatesTheSameRecord() {
        String ext = id("ACME");
        Api.Response created = sync(COMPANIES, Map.of(), rec("externalCompanyId", ext, "company", "Acme", "numberOfEmployees", 12));
        JsonNode c = created.result().get(0);
        assertThat(c.path("seq").asInt()).isZero();
        assertThat(c.path("status").asString()).isEqualTo("created");
        long id = c.path("id").asLong();
        Api.Response updated = sync(COMPANIES, Map.of("action", "createOrUpdate", "dedupeBy", "dedupeFields"),
                rec("externalCompanyId", ext.toUpperCase(), "industry", "Anvils"));
        assertThat(updated.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(updated.result().get(0).path("id").asLong()).isEqualTo(id);
        JsonNode stored = found(COMPANIES, "filterType=externalCompanyId&filterValues=" + ext + "&fields=company,industry,numberOfEmployees");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).path("id").asLong()).isEqualTo(id);
        assertThat(stored.get(0).path("company").asString()).isEqualTo("Acme");
        assertThat(stored.get(0).path("industry").asString()).isEqualTo("Anvils");
        assertThat(stored.get(0).path("numberOfEmployees").asInt()).isEqualTo(12);
        assertThat(stored.get(0).path("seq").asInt()).isZero();
    }

    @Test
    void syncWhenRecordsMixOutcomesThenEachRecordHasItsDocumentedReasonInInputOrder() {
        String taken = id("taken");
        sync(COMPANIES, Map.of(), rec("externalCompanyId", taken));
        String fresh = id("fresh");
        Api.Response r = api.post(COMPANIES + ".json", all, Map.of("action", "createOnly", "input", List.of(
                rec("externalCompanyId", fresh, "company", "New"),
                rec("externalCompanyId", id("x"), "numberOfEmployees", "many"),
                rec("company", "No key"),
                rec("externalCompanyId", id("x"), "bogus", 1),
                rec("externalCompanyId", id("x"), "createdAt", "2020-01-01T00:00:00Z"),
                rec("externalCompanyId", taken),
                rec("externalCompanyId", fresh.toLowerCase(), "company", "Again"),
                "not an object",
                rec("externalCompanyId", id("x"), "id", 5))));
        assertFits("POST", COMPANIES + ".json", r);
        JsonNode res = r.result();
        assertThat(res).hasSize(9);
        for (int i = 0; i < res.size(); i++) {
            assertThat(res.get(i).path("seq").asInt()).isEqualTo(i);
        }
        assertThat(res.get(0).path("status").asString()).isEqualTo("created");
        assertThat(reason(res.get(1))).isEqualTo("1001");
        assertThat(res.get(1).path("reasons").get(0).path("message").asString()).isEqualTo("Invalid value 'many'. Required of type 'integer'");
        assertThat(reason(res.get(2))).isEqualTo("1002");
        assertThat(res.get(2).path("reasons").get(0).path("message").asString())
                .isEqualTo("Missing value for the required parameter 'externalCompanyId'");
        assertThat(reason(res.get(3))).isEqualTo("1006");
        assertThat(res.get(3).path("reasons").get(0).path("message").asString()).isEqualTo("Field 'bogus' not found");
        assertThat(reason(res.get(4))).isEqualTo("1003");
        assertThat(reason(res.get(5))).isEqualTo("1017");
        assertThat(res.get(5).path("reasons").get(0).path("message").asString()).isEqualTo("Object already exists");
        assertThat(reason(res.get(6))).isEqualTo("1036");
        assertThat(res.get(6).path("reasons").get(0).path("message").asString()).isEqualTo("Duplicate object found in input");
        assertThat(reason(res.get(7))).isEqualTo("1003");
        assertThat(reason(res.get(8))).isEqualTo("1003");
        assertThat(found(COMPANIES, "filterType=externalCompanyId&filterValues=" + fresh + "&fields=company").get(0)
                .path("company").asString()).isEqualTo("New");
    }

    @Test
    void syncWhenConcurrentCallsCreateTheSameKeyThenOneRecordAndEveryCallSucceeds() throws Exception {
        String ext = id("race");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Api.Response>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                int n = i;
                calls.add(pool.submit(() -> api.post(COMPANIES + ".json", all,
                        Map.of("input", List.of(rec("externalCompanyId", ext, "site", "s" + n))))));
            }
            Set<Long> ids = new HashSet<>();
            int created = 0;
            for (Future<Api.Response> f : calls) {
                Api.Response r = f.get();
                assertThat(r.success()).as(r.text()).isTrue();
                JsonNode res = r.result().get(0);
                assertThat(res.path("status").asString()).as(r.text()).isIn("created", "updated");
                created += res.path("status").asString().equals("created") ? 1 : 0;
                ids.add(res.path("id").asLong());
            }
            assertThat(created).isEqualTo(1);
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(found(COMPANIES, "filterType=externalCompanyId&filterValues=" + ext)).hasSize(1);
    }

    @Test
    void syncWhenConcurrentCallsUpdateDifferentFieldsOfOneRecordThenNoChangeIsLost() throws Exception {
        String ext = id("merge");
        sync(COMPANIES, Map.of(), rec("externalCompanyId", ext));
        List<String> fields = List.of("company", "site", "billingCity", "billingState", "billingCountry", "industry", "website",
                "mainPhone");
        ExecutorService pool = Executors.newFixedThreadPool(fields.size());
        List<Future<Api.Response>> calls = new ArrayList<>();
        try {
            for (String f : fields) {
                calls.add(pool.submit(() -> api.post(COMPANIES + ".json", all,
                        Map.of("input", List.of(rec("externalCompanyId", ext, f, "v-" + f))))));
            }
            for (Future<Api.Response> f : calls) {
                Api.Response r = f.get();
                assertThat(r.success()).as(r.text()).isTrue();
                assertThat(r.result().get(0).path("status").asString()).as(r.text()).isEqualTo("updated");
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode record = found(COMPANIES, "filterType=externalCompanyId&filterValues=" + ext + "&fields=" + String.join(",", fields))
                .get(0);
        for (String f : fields) {
            assertThat(record.path(f).asString()).as(f + " in " + record).isEqualTo("v-" + f);
        }
    }

    @Test
    void syncWhenTextHoldsHalfASurrogatePairThen1001AndItNeverMatchesAQuestionMark() {
        String ext = id("half");
        sync(COMPANIES, Map.of(), rec("externalCompanyId", ext + "?", "company", "Question"));
        Api.Response r = api.post(COMPANIES + ".json", all, "{\"input\":[{\"externalCompanyId\":\"" + ext + "\\ud800\"},"
                + "{\"externalCompanyId\":\"" + ext + "-b\",\"company\":\"\\udc00\"},"
                + "{\"externalCompanyId\":\"" + ext + "-c\",\"company\":\"\\ud83d\\ude00\"}]}");
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(reason(r.result().get(0))).isEqualTo("1001");
        assertThat(reason(r.result().get(1))).isEqualTo("1001");
        assertThat(r.result().get(2).path("status").asString()).isEqualTo("created");
        assertThat(found(COMPANIES, "filterType=externalCompanyId&filterValues=" + enc(ext + "?") + "&fields=company").get(0)
                .path("company").asString()).as("the record named with '?' is untouched").isEqualTo("Question");
        assertThat(found(COMPANIES, "filterType=externalCompanyId&filterValues=" + enc(ext + "-b"))).isEmpty();
        assertThat(found(COMPANIES, "filterType=externalCompanyId&filterValues=" + enc(ext + "-c") + "&fields=company").get(0)
                .path("company").asString()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void syncWhenUpdateOnlyThenMissingIs1013AndIdFieldUpdates() {
        String ext = id("uo");
        long id = sync(COMPANIES, Map.of(), rec("externalCompanyId", ext)).result().get(0).path("id").asLong();
        Api.Response r = sync(COMPANIES, Map.of("action", "updateOnly"),
                rec("externalCompanyId", id("ghost"), "company", "x"),
                rec("id", id, "company", "By id"),
                rec("id", 987654321, "company", "nobody"));
        assertThat(reason(r.result().get(0))).isEqualTo("1013");
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString()).isEqualTo("Object not found");
        assertThat(r.result().get(1).path("status").asString()).isEqualTo("updated");
        assertThat(r.result().get(1).path("id").asLong()).isEqualTo(id);
        assertThat(reason(r.result().get(2))).isEqualTo("1013");
        Api.Response byIdField = sync(COMPANIES, Map.of("action", "createOrUpdate", "dedupeBy", "idField"),
                rec("id", id, "site", "HQ"), rec("externalCompanyId", id("no-id")), rec("id", 987654321));
        assertThat(byIdField.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(reason(byIdField.result().get(1))).isEqualTo("1002");
        assertThat(reason(byIdField.result().get(2))).isEqualTo("1013");
        JsonNode stored = found(COMPANIES, "filterType=idField&filterValues=" + id + "&fields=company,site");
        assertThat(stored.get(0).path("company").asString()).isEqualTo("By id");
        assertThat(stored.get(0).path("site").asString()).isEqualTo("HQ");
    }

    @Test
    void syncWhenKeyFieldChangesOnUpdateThen1003AndNullOrEmptyClearsAValue() {
        String ext = id("key");
        long id = sync(COMPANIES, Map.of(), rec("externalCompanyId", ext, "company", "Named", "website", "https://example.com"))
                .result().get(0).path("id").asLong();
        Api.Response r = sync(COMPANIES, Map.of("dedupeBy", "idField"), rec("id", id, "externalCompanyId", "other"));
        assertThat(reason(r.result().get(0))).isEqualTo("1003");
        sync(COMPANIES, Map.of(), rec("externalCompanyId", ext, "company", null, "website", ""));
        JsonNode stored = found(COMPANIES, "filterType=id&filterValues=" + id + "&fields=company,website,externalCompanyId").get(0);
        assertThat(stored.has("company")).isFalse();
        assertThat(stored.has("website")).isFalse();
        assertThat(stored.path("externalCompanyId").asString()).isEqualTo(ext);
    }

    @Test
    void syncWhenRequestShapeIsWrongThenResponseLevelCode() {
        assertThat(api.post(COMPANIES + ".json", all, Map.of("input", List.of())).errorCode()).isEqualTo("701");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("action", "createOnly")).errorCode()).isEqualTo("701");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("input", "x")).errorCode()).isEqualTo("609");
        assertThat(api.post(COMPANIES + ".json", all, "[1]").errorCode()).isEqualTo("609");
        assertThat(api.post(COMPANIES + ".json", all, "{\"input\": [").errorCode()).isEqualTo("609");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("action", 1, "input", List.of(rec("externalCompanyId", "a")))).errorCode())
                .isEqualTo("609");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("action", "upsert", "input", List.of(rec("externalCompanyId", "a"))))
                .errorCode()).isEqualTo("1003");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("action", "createDuplicate", "input", List.of(rec("externalCompanyId", "a"))))
                .errorCode()).isEqualTo("1003");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("dedupeBy", "email", "input", List.of(rec("externalCompanyId", "a"))))
                .errorCode()).isEqualTo("1003");
        assertThat(api.post(COMPANIES + ".json", all, Map.of("action", "createOnly", "dedupeBy", "idField",
                "input", List.of(rec("id", 1)))).errorCode()).isEqualTo("1003");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 301; i++) {
            tooMany.add(rec("externalCompanyId", "many-" + i));
        }
        assertThat(api.post(COMPANIES + ".json", all, Map.of("input", tooMany)).errorCode()).isEqualTo("1003");
        assertThat(api.method("POST", COMPANIES + ".json", all, "text/plain", "{\"input\":[]}").errorCode()).isEqualTo("612");
        assertThat(api.post(COMPANIES + ".json", reader, Map.of("input", List.of(rec("externalCompanyId", "r")))).errorCode())
                .isEqualTo("603");
    }

    @Test
    void syncWhenValuesHaveWrongTypesThen1001() {
        Api.Response r = api.post(OPPORTUNITIES + ".json", all, Map.of("input", List.of(
                rec("externalOpportunityId", id("o"), "name", "n", "amount", "lots"),
                rec("externalOpportunityId", id("o"), "name", "n", "closeDate", "31/12/2020"),
                rec("externalOpportunityId", id("o"), "name", "n", "isWon", "perhaps"),
                rec("externalOpportunityId", id("o"), "name", Map.of("nested", true)),
                rec("externalOpportunityId", id("o"), "name", "x".repeat(256)),
                rec("externalOpportunityId", "x".repeat(51), "name", "long key"),
                rec("externalOpportunityId", id("o"), "name", "nul\u0000"),
                rec("externalOpportunityId", id("o"), "name", "ok", "amount", 1604.47, "closeDate", "2026-12-31", "isWon", true,
                        "externalCreatedDate", "2026-01-02T03:04:05Z"))));
        for (int i = 0; i < 7; i++) {
            assertThat(reason(r.result().get(i))).as("record %d: %s", i, r.result().get(i)).isEqualTo("1001");
        }
        assertThat(r.result().get(7).path("status").asString()).isEqualTo("created");
        String guid = r.result().get(7).path("marketoGUID").asString();
        JsonNode o = found(OPPORTUNITIES, "filterType=marketoGUID&filterValues=" + guid + "&fields=amount,closeDate,isWon,externalCreatedDate")
                .get(0);
        assertThat(o.path("amount").asDouble()).isEqualTo(1604.47);
        assertThat(o.path("closeDate").asString()).isEqualTo("2026-12-31");
        assertThat(o.path("isWon").asBoolean()).isTrue();
        assertThat(o.path("externalCreatedDate").asString()).isEqualTo("2026-01-02T03:04:05Z");
    }

    // ----- opportunities, roles, sales persons: links between records ------------------------------

    @Test
    void syncOpportunitiesWhenNameMissingThen1002AndWhenSalesPersonUnknownThen718() {
        Api.Response r = sync(OPPORTUNITIES, Map.of(), rec("externalOpportunityId", id("o")));
        assertThat(reason(r.result().get(0))).isEqualTo("1002");
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString())
                .isEqualTo("Missing value for the required parameter 'name'");
        Api.Response unknown = api.post(OPPORTUNITIES + ".json", all, Map.of("input", List.of(
                rec("externalOpportunityId", id("o"), "name", "fine"),
                rec("externalOpportunityId", id("o"), "name", "owned", "externalSalesPersonId", id("nobody")))));
        assertThat(unknown.errorCode()).isEqualTo("718");
        assertThat(unknown.json().path("errors").get(0).path("message").asString()).isEqualTo("ExternalSalesPersonID not found");
        String rep = id("rep") + "@example.com";
        sync(SALES, Map.of(), rec("externalSalesPersonId", rep, "email", rep, "firstName", "Sam"));
        Api.Response owned = sync(OPPORTUNITIES, Map.of(), rec("externalOpportunityId", id("o"), "name", "owned", "externalSalesPersonId",
                rep.toUpperCase()));
        assertThat(owned.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(owned.result().get(0).path("marketoGUID").asString()).matches("[0-9a-f-]{36}");
    }

    @Test
    void syncRolesWhenOpportunityAndLeadExistThenCreatedAndCompoundKeyQueriesFindThem() {
        String opp = id("opp");
        sync(OPPORTUNITIES, Map.of(), rec("externalOpportunityId", opp, "name", "Chairs"));
        long lead1 = lead(id("buyer") + "@example.com");
        long lead2 = lead(id("buyer") + "@example.com");
        Api.Response r = sync(ROLES, Map.of(),
                rec("externalOpportunityId", opp, "leadId", lead1, "role", "Technical Buyer", "isPrimary", false),
                rec("externalOpportunityId", opp, "leadId", lead2, "role", "Technical Buyer"),
                rec("externalOpportunityId", opp, "leadId", 987654321, "role", "Ghost"),
                rec("externalOpportunityId", id("no-opp"), "leadId", lead1, "role", "Lost"),
                rec("externalOpportunityId", opp, "leadId", lead1),
                rec("externalOpportunityId", opp, "leadId", lead1, "role", "Technical Buyer", "isPrimary", true));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(r.result().get(1).path("status").asString()).isEqualTo("created");
        assertThat(reason(r.result().get(2))).isEqualTo("1004");
        assertThat(r.result().get(2).path("reasons").get(0).path("message").asString()).isEqualTo("Lead not found");
        assertThat(reason(r.result().get(3))).isEqualTo("1013");
        assertThat(r.result().get(3).path("reasons").get(0).path("message").asString()).isEqualTo("Opportunity not found");
        assertThat(reason(r.result().get(4))).isEqualTo("1002");
        assertThat(reason(r.result().get(5))).isEqualTo("1036");
        Api.Response again = sync(ROLES, Map.of(), rec("externalOpportunityId", opp, "leadId", lead1, "role", "technical buyer",
                "isPrimary", true));
        assertThat(again.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(again.result().get(0).path("marketoGUID").asString()).isEqualTo(r.result().get(0).path("marketoGUID").asString());

        Map<String, Object> compound = Map.of("filterType", "dedupeFields", "fields", List.of("marketoGuid", "role", "isPrimary"),
                "input", List.of(rec("externalOpportunityId", opp, "leadId", lead1, "role", "Technical Buyer"),
                        rec("externalOpportunityId", opp, "leadId", lead2, "role", "Technical Buyer"),
                        rec("externalOpportunityId", opp, "leadId", lead2, "role", "Other")));
        Api.Response q = api.post(ROLES + ".json?_method=GET", reader, compound);
        assertFits("GET", ROLES + ".json", q);
        assertThat(q.result()).hasSize(2);
        assertThat(q.result().get(0).path("isPrimary").asBoolean()).isTrue();
        assertThat(found(ROLES, "filterType=leadId&filterValues=" + lead2)).hasSize(1);
        assertThat(found(ROLES, "filterType=externalOpportunityId&filterValues=" + opp)).hasSize(2);
        assertThat(get(ROLES, "filterType=dedupeFields&filterValues=" + opp).errorCode()).isEqualTo("1003");
        Api.Response del = delete(ROLES, Map.of(), rec("externalOpportunityId", opp, "leadId", lead2, "role", "Technical Buyer"),
                rec("externalOpportunityId", opp, "leadId", lead2, "role", "Technical Buyer"));
        assertThat(del.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(reason(del.result().get(1))).isEqualTo("1013");
    }

    @Test
    void syncRolesWhenLeadIsInAPartitionTheCallerCannotWriteThen1004() {
        String partition = id("Hidden");
        admin.partition(partition);
        String workspace = id("HiddenWs");
        admin.workspace(workspace, partition);
        String leadRole = id("hidden-leads");
        admin.role(leadRole, "Read-Write Lead", "Read-Write Opportunity");
        String owner = id("owner") + "@example.com";
        admin.apiUser(owner, leadRole, workspace);
        String insider = admin.token(admin.service(id("insider"), owner));
        long hiddenLead = api.post("/rest/v1/leads.json", insider, Map.of("input", List.of(Map.of("email", id("h") + "@example.com"))))
                .result().get(0).path("id").asLong();
        String opp = id("opp");
        sync(OPPORTUNITIES, Map.of(), rec("externalOpportunityId", opp, "name", "Hidden deal"));
        Api.Response outsider = sync(ROLES, Map.of(), rec("externalOpportunityId", opp, "leadId", hiddenLead, "role", "Buyer"));
        assertThat(reason(outsider.result().get(0))).isEqualTo("1004");
        Api.Response byInsider = api.post(ROLES + ".json", insider, Map.of("input",
                List.of(rec("externalOpportunityId", opp, "leadId", hiddenLead, "role", "Buyer"))));
        assertThat(byInsider.result().get(0).path("status").asString()).as(byInsider.text()).isEqualTo("created");
        assertThat(found(ROLES, "filterType=leadId&filterValues=" + hiddenLead)).as("records are instance-wide").hasSize(1);
    }

    @Test
    void deleteSalesPersonWhenACompanyOrOpportunityPointsAtItThen1022() {
        String busy = id("busy");
        String idle = id("idle");
        Api.Response reps = sync(SALES, Map.of(), rec("externalSalesPersonId", busy), rec("externalSalesPersonId", idle));
        long idleId = reps.result().get(1).path("id").asLong();
        sync(COMPANIES, Map.of(), rec("externalCompanyId", id("c"), "externalSalesPersonId", busy));
        Api.Response r = delete(SALES, Map.of("deleteBy", "dedupeFields"), rec("externalSalesPersonId", busy), rec("externalSalesPersonId",
                id("nobody")));
        assertThat(reason(r.result().get(0))).isEqualTo("1022");
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString()).isEqualTo("Object in use");
        assertThat(reason(r.result().get(1))).isEqualTo("1013");
        Api.Response byId = delete(SALES, Map.of("deleteBy", "idField"), rec("id", idleId));
        assertThat(byId.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(byId.result().get(0).path("id").asLong()).isEqualTo(idleId);
        assertThat(found(SALES, "filterType=id&filterValues=" + idleId)).isEmpty();
    }

    @Test
    void salesPersonsWhenQueriedWithoutFieldsThenEveryFieldWithAValue() {
        String rep = id("rep") + "@example.com";
        sync(SALES, Map.of(), rec("externalSalesPersonId", rep, "email", rep, "firstName", "Sam", "lastName", "Sanosin"));
        JsonNode s = found(SALES, "filterType=dedupeFields&filterValues=" + enc(rep)).get(0);
        List<String> names = new ArrayList<>();
        s.propertyNames().forEach(names::add);
        assertThat(names).containsExactly("seq", "id", "externalSalesPersonId", "email", "firstName", "lastName", "createdAt", "updatedAt");
        assertThat(found(SALES, "filterType=email&filterValues=" + enc(rep.toUpperCase()))).hasSize(1);
    }

    // ----- named accounts and their lists ------------------------------------------------------

    @Test
    void namedAccountsWhenSyncedQueriedAndDeletedThenDocumentedAnswers() {
        String name = id("Google");
        Api.Response created = sync(ACCOUNTS, Map.of(), rec("name", name, "domainName", "google.com", "annualRevenue", 1.5e9, "score1", 7));
        String guid = created.result().get(0).path("marketoGUID").asString();
        Api.Response updated = sync(ACCOUNTS, Map.of("action", "updateOnly", "dedupeBy", "idField"),
                rec("marketoGUID", guid.toUpperCase(), "city", "Mountain View"));
        assertThat(updated.result().get(0).path("status").asString()).isEqualTo("updated");
        JsonNode byName = found(ACCOUNTS, "filterType=name&filterValues=" + name + "&fields=city,domainName,annualRevenue");
        assertThat(byName.get(0).path("city").asString()).isEqualTo("Mountain View");
        assertThat(byName.get(0).path("annualRevenue").asDouble()).isEqualTo(1.5e9);
        assertThat(found(ACCOUNTS, "filterType=annualRevenue&filterValues=1500000000.00")).extracting(n -> n.path("marketoGUID").asString())
                .contains(guid);
        assertThat(found(ACCOUNTS, "filterType=score1&filterValues=7,x")).extracting(n -> n.path("marketoGUID").asString()).contains(guid);
        JsonNode defaults = found(ACCOUNTS, "filterType=idField&filterValues=" + guid).get(0);
        List<String> names = new ArrayList<>();
        defaults.propertyNames().forEach(names::add);
        assertThat(names).containsExactly("seq", "marketoGUID", "name", "createdAt", "updatedAt");
        Api.Response del = delete(ACCOUNTS, Map.of(), rec("name", name.toLowerCase()), rec("name", name));
        assertThat(del.result().get(0).path("marketoGUID").asString()).isEqualTo(guid);
        assertThat(reason(del.result().get(1))).isEqualTo("1013");
    }

    @Test
    void namedAccountListsWhenSyncedThenCreateOnlyByDefaultRenameByIdAndMembership() {
        String name = id("SaaS");
        Api.Response created = sync(LISTS, Map.of(), rec("name", name));
        assertThat(created.result().get(0).path("status").asString()).isEqualTo("created");
        String list = created.result().get(0).path("marketoGUID").asString();
        assertThat(reason(sync(LISTS, Map.of(), rec("name", name)).result().get(0))).isEqualTo("1017");
        assertThat(api.post(LISTS + ".json", all, Map.of("action", "createOrUpdate", "input", List.of(rec("name", "x")))).errorCode())
                .isEqualTo("1003");
        String other = id("Other");
        sync(LISTS, Map.of(), rec("name", other));
        Api.Response clash = sync(LISTS, Map.of("action", "updateOnly", "dedupeBy", "idField"), rec("marketoGUID", list, "name", other));
        assertThat(reason(clash.result().get(0))).isEqualTo("1017");
        String renamed = id("Renamed");
        Api.Response rename = sync(LISTS, Map.of("action", "updateOnly", "dedupeBy", "idField"), rec("marketoGUID", list, "name", renamed));
        assertThat(rename.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(reason(sync(LISTS, Map.of(), rec("name", renamed, "type", "external")).result().get(0))).isEqualTo("1003");
        JsonNode stored = found(LISTS, "filterType=dedupeFields&filterValues=" + renamed).get(0);
        assertThat(stored.path("marketoGUID").asString()).isEqualTo(list);
        assertThat(stored.path("type").asString()).isEqualTo("default");
        assertThat(stored.path("updateable").asBoolean()).isTrue();

        String a = sync(ACCOUNTS, Map.of(), rec("name", id("A"))).result().get(0).path("marketoGUID").asString();
        String b = sync(ACCOUNTS, Map.of(), rec("name", id("B"))).result().get(0).path("marketoGUID").asString();
        String members = "/rest/v1/namedAccountList/" + list + "/namedAccounts";
        Api.Response add = api.post(members + ".json", all, Map.of("input", List.of(rec("marketoGUID", a), rec("marketoGUID", b),
                rec("marketoGUID", a), rec("marketoGUID", "00000000-0000-0000-0000-000000000000"), rec("name", "no guid"))));
        assertFits("POST", members + ".json", add);
        assertThat(add.result().get(0).path("status").asString()).isEqualTo("added");
        assertThat(add.result().get(2).path("status").asString()).isEqualTo("added");
        assertThat(reason(add.result().get(3))).isEqualTo("1013");
        assertThat(reason(add.result().get(4))).isEqualTo("1002");
        Api.Response page = api.get(members + ".json?batchSize=1", reader);
        assertFits("GET", members + ".json", page);
        assertThat(page.result()).hasSize(1);
        assertThat(page.json().path("moreResult").asBoolean()).isTrue();
        Api.Response rest = api.get(members + ".json?fields=name,domainName&nextPageToken=" + page.json().path("nextPageToken").asString(),
                reader);
        assertThat(rest.result()).hasSize(1);
        assertThat(rest.json().has("nextPageToken")).isFalse();
        Api.Response remove = api.post(members + "/remove.json", all, Map.of("input", List.of(rec("marketoGUID", a), rec("marketoGUID", a))));
        assertFits("POST", members + "/remove.json", remove);
        assertThat(remove.result().get(0).path("status").asString()).isEqualTo("removed");
        assertThat(reason(remove.result().get(1))).isEqualTo("1015");
        assertThat(api.get(members + ".json", reader).result()).extracting(n -> n.path("marketoGUID").asString()).containsExactly(b);
        assertThat(api.get("/rest/v1/namedAccountList/nope/namedAccounts.json", reader).errorCode()).isEqualTo("1013");
        assertThat(api.post("/rest/v1/namedAccountList/nope/namedAccounts.json", all, Map.of("input", List.of(rec("marketoGUID", a))))
                .errorCode()).isEqualTo("1013");
        Api.Response deleted = delete(LISTS, Map.of("deleteBy", "idField"), rec("marketoGUID", list));
        assertThat(deleted.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(api.get(members + ".json", reader).errorCode()).isEqualTo("1013");
    }

    // ----- query --------------------------------------------------------------------------------

    @Test
    void queryWhenParametersMissingOrInvalidThenDocumentedCodes() {
        assertThat(get(COMPANIES, "filterValues=a").errorCode()).isEqualTo("701");
        assertThat(get(COMPANIES, "filterType=company").errorCode()).isEqualTo("701");
        assertThat(get(COMPANIES, "filterType=industry&filterValues=a").errorCode()).isEqualTo("1011");
        assertThat(get(COMPANIES, "filterType=nope&filterValues=a").errorCode()).isEqualTo("1011");
        assertThat(get(COMPANIES, "filterType=company&filterValues=a&fields=nope").errorCode()).isEqualTo("1006");
        assertThat(get(COMPANIES, "filterType=company&filterValues=a&batchSize=301").errorCode()).isEqualTo("1003");
        assertThat(get(COMPANIES, "filterType=company&filterValues=a&batchSize=0").errorCode()).isEqualTo("1003");
        assertThat(get(COMPANIES, "filterType=company&filterValues=a&nextPageToken=@@").errorCode()).isEqualTo("1003");
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 301; i++) {
            values.append(i == 0 ? "" : ",").append(i);
        }
        assertThat(get(COMPANIES, "filterType=id&filterValues=" + values).errorCode()).isEqualTo("1003");
        Api.Response none = get(COMPANIES, "filterType=id&filterValues=x,-1,99999999999999999999,%00");
        assertThat(none.success()).isTrue();
        assertThat(none.result()).isEmpty();
        assertThat(api.post(ROLES + ".json?_method=GET", reader, Map.of("filterType", "dedupeFields", "input", List.of(1))).errorCode())
                .isEqualTo("609");
        assertThat(api.post(ROLES + ".json?_method=GET", reader, Map.of("filterType", "dedupeFields")).errorCode()).isEqualTo("701");
        assertThat(api.post(ROLES + ".json?_method=GET", reader, Map.of("input", List.of(rec("leadId", 1)), "batchSize", 0)).errorCode())
                .isEqualTo("1003");
        assertThat(get(OPPORTUNITIES, "filterType=externalOpportunityId&filterValues=a").errorCode()).isNull();
        assertThat(api.get(OPPORTUNITIES + ".json?filterType=marketoGUID&filterValues=a", admin.tokenWith("Read-Only Company")).errorCode())
                .isEqualTo("603");
    }

    @Test
    void queryWhenSentAsPostWithMethodGetAndFormBodyThenSameAnswerAsGet() {
        String ext = id("form");
        sync(COMPANIES, Map.of(), rec("externalCompanyId", ext, "company", "Form"));
        StringBuilder values = new StringBuilder(ext);
        for (int i = 0; i < 280; i++) {
            values.append(",padding-for-a-long-external-company-id-").append(i);
        }
        assertThat(get(COMPANIES, "filterType=externalCompanyId&filterValues=" + values).status()).isEqualTo(414);
        Api.Response viaPost = api.postForm(COMPANIES + ".json?_method=GET", reader, "filterType=externalCompanyId&filterValues="
                + enc(values.toString()) + "&fields=company");
        assertFits("GET", COMPANIES + ".json", viaPost);
        assertThat(viaPost.result()).extracting(n -> n.path("company").asString()).containsExactly("Form");
    }

    @Test
    void queryWhenSentAsPostWithMethodGetAndJsonBodyThenFilterTypeMayComeFromTheQueryString() {
        String name = id("jsonq");
        long id = sync(COMPANIES, Map.of(), rec("externalCompanyId", id("jq"), "company", name)).result().get(0).path("id").asLong();
        Api.Response r = api.post(COMPANIES + ".json?_method=GET&filterType=company", reader,
                Map.of("input", List.of(rec("company", name))));
        assertFits("GET", COMPANIES + ".json", r);
        assertThat(r.result()).extracting(n -> n.path("id").asLong()).containsExactly(id);
        Api.Response inBody = api.post(COMPANIES + ".json?_method=GET&filterType=nonsense", reader,
                Map.of("filterType", "company", "input", List.of(rec("company", name))));
        assertThat(inBody.result()).as("the body's filterType wins").extracting(n -> n.path("id").asLong()).containsExactly(id);
    }

    @Test
    void queryWhenMoreThanAPageThenPagesCoverEveryRecordExactlyOnceWhileWritesHappen() {
        String industry = id("paging");
        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            batch.add(rec("externalCompanyId", id("p"), "company", industry));
        }
        sync(COMPANIES, Map.of(), batch.toArray());
        Set<Long> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        long deletedDuringPaging = -1;
        do {
            Api.Response r = get(COMPANIES, "filterType=company&filterValues=" + industry + "&batchSize=10"
                    + (token == null ? "" : "&nextPageToken=" + token));
            assertFits("GET", COMPANIES + ".json", r);
            for (JsonNode c : r.result()) {
                assertThat(seen.add(c.path("id").asLong())).as("company %s seen twice", c.path("id")).isTrue();
            }
            token = r.json().path("nextPageToken").asString(null);
            assertThat(r.json().path("moreResult").asBoolean(false)).isEqualTo(token != null);
            if (pages == 0) {
                // between pages: one company joins, one not yet seen is deleted, one already seen is updated
                sync(COMPANIES, Map.of(), rec("externalCompanyId", id("late"), "company", industry));
                JsonNode everything = found(COMPANIES, "filterType=company&filterValues=" + industry);
                deletedDuringPaging = everything.get(everything.size() - 2).path("id").asLong();
                delete(COMPANIES, Map.of("deleteBy", "idField"), rec("id", deletedDuringPaging));
                sync(COMPANIES, Map.of("dedupeBy", "idField"), rec("id", everything.get(0).path("id").asLong(), "site", "moved"));
            }
            pages++;
        } while (token != null);
        assertThat(seen).hasSize(25).doesNotContain(deletedDuringPaging);
        assertThat(pages).isEqualTo(3);
    }

    // ----- delete -------------------------------------------------------------------------------

    @Test
    void deleteWhenShapeOrKeysAreWrongThenDocumentedCodes() {
        assertThat(api.post(COMPANIES + "/delete.json", all, Map.of("input", List.of())).errorCode()).isEqualTo("701");
        assertThat(api.post(COMPANIES + "/delete.json", all, Map.of("input", Map.of("id", 1))).errorCode()).isEqualTo("609");
        assertThat(api.post(COMPANIES + "/delete.json", all, Map.of("deleteBy", "name", "input", List.of(rec("id", 1)))).errorCode())
                .isEqualTo("1003");
        assertThat(api.post(COMPANIES + "/delete.json", reader, Map.of("input", List.of(rec("id", 1)))).errorCode()).isEqualTo("603");
        Api.Response r = delete(COMPANIES, Map.of("deleteBy", "idField"), rec("id", "abc"), rec("company", "no id"), "x", rec("id", 987654321));
        assertThat(reason(r.result().get(0))).isEqualTo("1001");
        assertThat(reason(r.result().get(1))).isEqualTo("1002");
        assertThat(reason(r.result().get(2))).isEqualTo("1003");
        assertThat(reason(r.result().get(3))).isEqualTo("1013");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 301; i++) {
            tooMany.add(rec("externalCompanyId", "d" + i));
        }
        assertThat(api.post(COMPANIES + "/delete.json", all, Map.of("input", tooMany)).errorCode()).isEqualTo("1003");
    }
}
