package dev.mkto.server.objects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Custom object types over HTTP, on H2 and PostgreSQL: drafts, fields, approval, discarding,
 * deleting, listing, and what types can link to.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class CustomObjectTypeApiTest extends CustomObjectTests {

    /** Each test starts on a fresh instance: the types a test leaves count against the instance's limit of 10. */
    @BeforeEach
    void freshInstance() {
        restartServer();
    }

    // ----- types --------------------------------------------------------------------------------

    @Test
    void typeWhenCreatedThenDraftUntilApprovedAndOnlyThenRecordsCanBeWritten() {
        String type = name("transaction");
        ok(schema(".json", Map.of("action", "createOnly", "apiName", type, "displayName", "Transaction " + type, "pluralName", "Transactions",
                "description", "Commerce happens")), "POST", SCHEMA + ".json");
        Api.Response d = api.get(SCHEMA + "/" + type + "/describe.json", typeReader);
        ok(d, "GET", SCHEMA + "/" + type + "/describe.json");
        JsonNode draft = d.result().get(0);
        assertThat(draft.path("state").asString()).isEqualTo("draft");
        assertThat(draft.path("version").asString()).isEqualTo("draft");
        assertThat(draft.path("description").asString()).isEqualTo("Commerce happens");
        assertThat(draft.path("fields")).extracting(f -> f.path("name").asString()).containsExactly("marketoGUID", "createdAt", "updatedAt");
        assertThat(api.get("/rest/v1/customobjects/" + type + ".json?filterType=marketoGUID&filterValues=x", reader).errorCode())
                .isEqualTo("1013");
        assertThat(schema("/" + type + "/approve.json", null).errorCode()).as("no dedupe field yet").isEqualTo("709");
        ok(schema("/" + type + "/addField.json", Map.of("input", List.of(field("txId", "string", "isDedupeField", true),
                field("amount", "float")))), "POST", SCHEMA + "/x/addField.json");
        ok(schema("/" + type + "/approve.json", null), "POST", SCHEMA + "/x/approve.json");
        JsonNode approved = api.get(SCHEMA + "/" + type + "/describe.json", typeReader).result().get(0);
        assertThat(approved.path("state").asString()).isEqualTo("approved");
        assertThat(approved.path("dedupeFields").toString()).isEqualTo("[\"txId\"]");
        assertThat(schema("/" + type + "/approve.json", null).errorCode()).as("nothing to approve").isEqualTo("709");
        Api.Response created = sync(type, Map.of(), rec("txId", "T-1", "amount", 9.5));
        assertThat(created.result().get(0).path("status").asString()).isEqualTo("created");
        Api.Response described = api.get("/rest/v1/customobjects/" + type + "/describe.json", reader);
        ok(described, "GET", "/rest/v1/customobjects/" + type + "/describe.json");
        assertThat(described.result().get(0).path("displayName").asString()).isEqualTo("Transaction " + type);
        assertThat(described.result().get(0).path("searchableFields").toString()).isEqualTo("[[\"txId\"],[\"marketoGUID\"]]");
    }

    @Test
    void typeSyncWhenActionDoesNotFitOrInputIsBadThenDocumentedCodes() {
        String type = name("dup");
        ok(schema(".json", Map.of("apiName", type, "displayName", type)), "POST", SCHEMA + ".json");
        assertThat(schema(".json", Map.of("action", "createOnly", "apiName", type, "displayName", type + "x")).errorCode()).isEqualTo("1017");
        assertThat(schema(".json", Map.of("action", "createOnly", "apiName", name("other"), "displayName", type)).errorCode())
                .as("display names are unique").isEqualTo("1017");
        assertThat(schema(".json", Map.of("action", "updateOnly", "apiName", name("ghost"), "description", "x")).errorCode())
                .isEqualTo("1013");
        assertThat(schema(".json", Map.of("displayName", "No type name")).errorCode()).isEqualTo("701");
        assertThat(schema(".json", Map.of("apiName", name("nodisplay"))).errorCode()).isEqualTo("701");
        assertThat(schema(".json", Map.of("apiName", "has space", "displayName", "x")).errorCode()).isEqualTo("1003");
        assertThat(schema(".json", Map.of("apiName", "schema", "displayName", "Schema")).errorCode()).isEqualTo("1003");
        assertThat(schema(".json", Map.of("apiName", "company", "displayName", "Company")).errorCode()).isEqualTo("1003");
        assertThat(schema(".json", Map.of("action", "upsert", "apiName", type)).errorCode()).isEqualTo("1003");
        assertThat(schema(".json", Map.of("apiName", type, "showInLeadDetail", "yes")).errorCode()).isEqualTo("609");
        assertThat(schema(".json", Map.of("apiName", 5)).errorCode()).isEqualTo("609");
        assertThat(schema(".json", List.of()).errorCode()).isEqualTo("609");
        assertThat(api.post(SCHEMA + ".json", typeReader, Map.of("apiName", name("ro"), "displayName", "ro")).errorCode()).isEqualTo("603");
        ok(schema(".json", Map.of("action", "updateOnly", "apiName", type.toUpperCase(), "description", "changed", "showInLeadDetail", true)),
                "POST", SCHEMA + ".json");
        JsonNode d = api.get(SCHEMA + "/" + type + "/describe.json", typeReader).result().get(0);
        assertThat(d.path("description").asString()).isEqualTo("changed");
        assertThat(d.path("showInLeadDetail").asBoolean()).isTrue();
    }

    @Test
    void addFieldWhenDefinitionIsBadThenDocumentedCodesAndNothingIsAdded() {
        String type = name("fields");
        ok(schema(".json", Map.of("apiName", type, "displayName", type)), "POST", SCHEMA + ".json");
        String add = "/" + type + "/addField.json";
        assertThat(schema(add, Map.of("input", List.of(field("a", "string"), field("b", "blob")))).errorCode()).isEqualTo("1003");
        assertThat(schema(add, Map.of("input", List.of(field("marketoGUID", "string")))).errorCode()).isEqualTo("1003");
        assertThat(schema(add, Map.of("input", List.of(field("1bad", "string")))).errorCode()).isEqualTo("1003");
        assertThat(schema(add, Map.of("input", List.of(field("l", "link")))).errorCode()).isEqualTo("701");
        assertThat(schema(add, Map.of("input", List.of(field("l", "link", "relatedTo", Map.of("name", "lead", "field", "firstName")))))
                .errorCode()).as("not a searchable lead field").isEqualTo("1003");
        assertThat(schema(add, Map.of("input", List.of(field("l", "link", "relatedTo", Map.of("name", "nothing", "field", "id")))))
                .errorCode()).isEqualTo("1003");
        assertThat(schema(add, Map.of("input", List.of(rec("name", "noType", "displayName", "No type")))).errorCode()).isEqualTo("701");
        assertThat(schema(add, Map.of("input", List.of(field("a", "string"), field("a", "integer")))).errorCode()).isEqualTo("1003");
        assertThat(schema(add, Map.of("input", List.of(field("a", "string", "isDedupeField", "yes")))).errorCode()).isEqualTo("609");
        assertThat(schema(add, Map.of("input", List.of("a"))).errorCode()).isEqualTo("609");
        assertThat(schema(add, Map.of("input", List.of())).errorCode()).isEqualTo("701");
        assertThat(schema("/" + name("ghost") + "/addField.json", Map.of("input", List.of(field("a", "string")))).errorCode())
                .isEqualTo("1013");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            many.add(field("f" + i, "string"));
        }
        assertThat(schema(add, Map.of("input", many)).errorCode()).isEqualTo("1028");
        List<Map<String, Object>> dedupe = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            dedupe.add(field("k" + i, "string", "isDedupeField", true));
        }
        assertThat(schema(add, Map.of("input", dedupe)).errorCode()).isEqualTo("1003");
        JsonNode d = api.get(SCHEMA + "/" + type + "/describe.json", typeReader).result().get(0);
        assertThat(d.path("fields")).hasSize(3);
    }

    @Test
    void approvedTypeWhenChangedThenApprovedWithDraftAndKeyFieldsStayFixed() {
        String type = car();
        ok(schema(".json", Map.of("apiName", type, "description", "now with a draft")), "POST", SCHEMA + ".json");
        JsonNode def = api.get(SCHEMA + "/" + type + "/describe.json", typeReader).result().get(0);
        assertThat(def.path("state").asString()).isEqualTo("approvedWithDraft");
        assertThat(def.path("version").asString()).isEqualTo("approved");
        JsonNode draft = api.get(SCHEMA + "/" + type + "/describe.json?state=draft", typeReader).result().get(0);
        assertThat(draft.path("version").asString()).isEqualTo("draft");
        assertThat(draft.path("description").asString()).isEqualTo("now with a draft");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json?state=nonsense", typeReader).errorCode()).isEqualTo("1003");
        assertThat(schema(".json", Map.of("apiName", type, "displayName", "Renamed")).errorCode()).isEqualTo("709");
        assertThat(schema("/" + type + "/addField.json", Map.of("input", List.of(field("vin2", "string", "isDedupeField", true)))).errorCode())
                .isEqualTo("709");
        assertThat(schema("/" + type + "/deleteField.json", Map.of("input", List.of(Map.of("name", "vin"))))
                .errorCode()).isEqualTo("709");
        assertThat(schema("/" + type + "/leadID/updateField.json", Map.of("dataType", "string")).errorCode()).isEqualTo("709");
        assertThat(schema("/" + type + "/deleteField.json", Map.of("input", List.of(Map.of("name", "nope")))).errorCode()).isEqualTo("1006");
        assertThat(schema("/" + type + "/deleteField.json", Map.of("input", List.of(Map.of("name", "createdAt")))).errorCode())
                .isEqualTo("1003");
        assertThat(schema("/" + type + "/nope/updateField.json", Map.of("displayName", "x")).errorCode()).isEqualTo("1006");
        ok(schema("/" + type + "/make/updateField.json", Map.of("displayName", "Manufacturer", "description", "who built it")), "POST",
                SCHEMA + "/x/make/updateField.json");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json?state=approvedWithDraft", typeReader).result().get(0)
                .path("fields").toString()).contains("Manufacturer");
        ok(schema("/" + type + "/discardDraft.json", null), "POST", SCHEMA + "/x/discardDraft.json");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json", typeReader).result().get(0).path("state").asString())
                .isEqualTo("approved");
        assertThat(schema("/" + type + "/discardDraft.json", null).errorCode()).isEqualTo("1048");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json?state=draft", typeReader).errorCode()).isEqualTo("1013");
    }

    @Test
    void approvedTypeWhenADedupeFieldIsRetypedThen709AndRecordsStayFindableByTheirKey() {
        String type = car();
        String guid = sync(type, Map.of(), rec("vin", "ABC")).result().get(0).path("marketoGUID").asString();
        assertThat(schema("/" + type + "/vin/updateField.json", Map.of("dataType", "integer")).errorCode()).isEqualTo("709");
        assertThat(schema("/" + type + "/vin/updateField.json", Map.of("dataType", "email")).errorCode()).isEqualTo("709");
        JsonNode found = query(type, "filterType=dedupeFields&filterValues=abc&fields=vin").get(0);
        assertThat(found.path("marketoGUID").asString()).isEqualTo(guid);
        assertThat(found.path("vin").asString()).isEqualTo("ABC");
    }

    @Test
    void typeSyncWhenNamesHoldHalfASurrogatePairThen1003AndNothingIsStored() {
        String type = name("half");
        assertThat(api.post(SCHEMA + ".json", designer, "{\"apiName\":\"" + type + "\",\"displayName\":\"Half \\ud800\"}").errorCode())
                .isEqualTo("1003");
        assertThat(api.post(SCHEMA + ".json", designer, "{\"apiName\":\"" + type + "\",\"displayName\":\"Half\","
                + "\"description\":\"\\udc00 alone\"}").errorCode()).isEqualTo("1003");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json", typeReader).errorCode()).isEqualTo("1013");
        ok(api.post(SCHEMA + ".json", designer, "{\"apiName\":\"" + type + "\",\"displayName\":\"Whole \\ud83d\\ude00\"}"), "POST",
                SCHEMA + ".json");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json", typeReader).result().get(0).path("displayName").asString())
                .isEqualTo("Whole \ud83d\ude00");
    }

    @Test
    void approvedTypeWhenFieldsRemovedOrRetypedThenRecordsKeepWhatStillFits() {
        String type = car();
        long owner = lead();
        String guid = sync(type, Map.of(), rec("vin", "V1", "leadID", owner, "make", "BMW", "year", 2003)).result().get(0)
                .path("marketoGUID").asString();
        ok(schema("/" + type + "/deleteField.json", Map.of("input", List.of(Map.of("name", "make")))), "POST", SCHEMA + "/x/deleteField.json");
        ok(schema("/" + type + "/year/updateField.json", Map.of("dataType", "date")), "POST", SCHEMA + "/x/year/updateField.json");
        ok(schema("/" + type + "/addField.json", Map.of("input", List.of(field("colour", "string")))), "POST", SCHEMA + "/x/addField.json");
        assertThat(query(type, "filterType=idField&filterValues=" + guid + "&fields=vin,year").get(0).path("year").asInt())
                .as("records follow the approved version until the draft is approved").isEqualTo(2003);
        ok(schema("/" + type + "/approve.json", null), "POST", SCHEMA + "/x/approve.json");
        JsonNode r = query(type, "filterType=idField&filterValues=" + guid + "&fields=vin,year,colour,leadID").get(0);
        assertThat(r.path("vin").asString()).isEqualTo("V1");
        assertThat(r.path("leadID").asLong()).isEqualTo(owner);
        assertThat(r.has("year")).isFalse();
        assertThat(api.get("/rest/v1/customobjects/" + type + ".json?filterType=idField&filterValues=" + guid + "&fields=make", reader)
                .errorCode()).isEqualTo("1006");
        sync(type, Map.of(), rec("vin", "V1", "colour", "blue"));
        assertThat(query(type, "filterType=vin&filterValues=v1&fields=colour").get(0).path("colour").asString()).isEqualTo("blue");
    }

    @Test
    void typeDeleteWhenRecordsExistOrLinkedToThen1022AndOtherwiseGone() {
        String type = car();
        sync(type, Map.of(), rec("vin", "D1"));
        assertThat(schema("/" + type + "/delete.json", null).errorCode()).isEqualTo("1022");
        Api.Response del = api.post("/rest/v1/customobjects/" + type + "/delete.json", writer, Map.of("input", List.of(rec("vin", "d1"))));
        ok(del, "POST", "/rest/v1/customobjects/" + type + "/delete.json");
        assertThat(del.result().get(0).path("status").asString()).isEqualTo("deleted");
        ok(schema("/" + type + "/delete.json", null), "POST", SCHEMA + "/x/delete.json");
        assertThat(api.get(SCHEMA + "/" + type + "/describe.json", typeReader).errorCode()).isEqualTo("1013");
        assertThat(schema("/" + type + "/delete.json", null).errorCode()).isEqualTo("1013");
        assertThat(api.get("/rest/v1/customobjects/" + type + "/describe.json", reader).errorCode()).isEqualTo("1013");

        String never = name("never");
        ok(schema(".json", Map.of("apiName", never, "displayName", never)), "POST", SCHEMA + ".json");
        ok(schema("/" + never + "/discardDraft.json", null), "POST", SCHEMA + "/x/discardDraft.json");
        assertThat(api.get(SCHEMA + "/" + never + "/describe.json", typeReader).errorCode()).as("a draft never approved is gone")
                .isEqualTo("1013");
    }

    @Test
    void typesWhenListedThenFilteredByNameAndStateWithShapes() {
        String approved = car();
        String draftOnly = name("draftonly");
        ok(schema(".json", Map.of("apiName", draftOnly, "displayName", draftOnly)), "POST", SCHEMA + ".json");
        Api.Response all = api.get(SCHEMA + ".json", typeReader);
        ok(all, "GET", SCHEMA + ".json");
        assertThat(all.result()).extracting(n -> n.path("apiName").asString()).contains(approved, draftOnly);
        Api.Response named = api.get(SCHEMA + ".json?names=" + approved + "," + draftOnly + "&state=approved", typeReader);
        assertThat(named.result()).extracting(n -> n.path("apiName").asString()).containsExactly(approved);
        assertThat(api.get(SCHEMA + ".json?state=draft&names=" + draftOnly, typeReader).result()).hasSize(1);
        Api.Response records = api.get("/rest/v1/customobjects.json?names=" + approved + "," + draftOnly, reader);
        ok(records, "GET", "/rest/v1/customobjects.json");
        assertThat(records.result()).extracting(n -> n.path("name").asString()).containsExactly(approved);
        JsonNode rel = records.result().get(0).path("relationships").get(0);
        assertThat(rel.path("field").asString()).isEqualTo("leadID");
        assertThat(rel.path("relatedTo").path("name").asString()).isEqualTo("Lead");
        assertThat(rel.path("relatedTo").path("field").asString()).isEqualTo("id");
        assertThat(api.get("/rest/v1/customobjects.json", typeReader).errorCode()).isEqualTo("603");
    }

    @Test
    void schemaListsWhenAskedThenDataTypesLinkableObjectsAndDependentAssets() {
        Api.Response types = api.get(SCHEMA + "/fieldDataTypes.json", typeReader);
        ok(types, "GET", SCHEMA + "/fieldDataTypes.json");
        assertThat(types.result()).extracting(JsonNode::asString).contains("string", "link", "datetime", "text");
        String course = type("course", field("courseID", "string", "isDedupeField", true), field("title", "string"));
        Api.Response linkable = api.get(SCHEMA + "/linkableObjects.json", typeReader);
        ok(linkable, "GET", SCHEMA + "/linkableObjects.json");
        assertThat(linkable.result()).extracting(n -> n.path("name").asString()).contains("lead", "company", course);
        assertThat(linkable.result().get(0).path("fields").toString()).contains("\"name\":\"email\"");
        Api.Response assets = api.get(SCHEMA + "/" + course + "/dependentAssets.json", typeReader);
        ok(assets, "GET", SCHEMA + "/x/dependentAssets.json");
        assertThat(assets.result()).isEmpty();
        assertThat(api.get(SCHEMA + "/" + name("ghost") + "/dependentAssets.json", typeReader).errorCode()).isEqualTo("1013");
    }

    @Test
    void typeWhenTheInstanceHasTenThenAnEleventhIs709() {
        List<String> created = new ArrayList<>();
        Api.Response r;
        while (true) {
            String t = name("limit");
            r = schema(".json", Map.of("apiName", t, "displayName", t));
            if (!r.success()) {
                break;
            }
            created.add(t);
            assertThat(created).hasSizeLessThanOrEqualTo(10);
        }
        assertThat(r.errorCode()).isEqualTo("709");
        assertThat(api.get(SCHEMA + ".json", typeReader).result()).hasSize(10);
        for (String t : created) {
            ok(schema("/" + t + "/discardDraft.json", null), "POST", SCHEMA + "/x/discardDraft.json");
        }
    }
}
