package dev.mkto.server.objects;

import static dev.mkto.server.objects.Shapes.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Custom object records over HTTP, on H2 and PostgreSQL: sync, query (simple and compound keys),
 * delete, links to leads and to other custom objects, paging while records change.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class CustomObjectRecordApiTest extends CustomObjectTests {

    // ----- records --------------------------------------------------------------------------------

    @Test
    void recordsWhenSyncedThenLinkedToLeadsAndEveryDocumentedCode() {
        String type = car();
        long owner = lead();
        Api.Response r = sync(type, Map.of(),
                rec("vin", "19UYA31581L000000", "leadID", owner, "make", "BMW", "year", 2003, "price", 31999.99),
                rec("vin", "29UYA31581L000000", "leadID", 987654321),
                rec("vin", "39UYA31581L000000", "year", "old"),
                rec("make", "no vin"),
                rec("vin", "49UYA31581L000000", "wheels", 4),
                rec("vin", "19uya31581l000000", "make", "again"),
                rec("vin", "59UYA31581L000000", "updatedAt", "2020-01-01T00:00:00Z"));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("created");
        String guid = r.result().get(0).path("marketoGUID").asString();
        assertThat(reason(r.result().get(1))).isEqualTo("1004");
        assertThat(reason(r.result().get(2))).isEqualTo("1001");
        assertThat(reason(r.result().get(3))).isEqualTo("1002");
        assertThat(reason(r.result().get(4))).isEqualTo("1006");
        assertThat(reason(r.result().get(5))).isEqualTo("1036");
        assertThat(reason(r.result().get(6))).isEqualTo("1003");

        Api.Response update = sync(type, Map.of("action", "updateOnly"), rec("vin", "19UYA31581L000000", "make", "BMW AG"),
                rec("vin", "nope", "make", "x"), rec("marketoGUID", guid, "year", 2004));
        assertThat(update.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(update.result().get(0).path("marketoGUID").asString()).isEqualTo(guid);
        assertThat(reason(update.result().get(1))).isEqualTo("1013");
        assertThat(reason(update.result().get(2))).as("the same record twice in one call").isEqualTo("1036");
        Api.Response byGuid = sync(type, Map.of("dedupeBy", "idField"), rec("marketoGUID", guid, "year", 2004));
        assertThat(byGuid.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(reason(sync(type, Map.of("action", "createOnly"), rec("vin", "19UYA31581L000000")).result().get(0))).isEqualTo("1017");

        JsonNode byLead = query(type, "filterType=leadID&filterValues=" + owner + "&fields=vin,make,year,price");
        assertThat(byLead).hasSize(1);
        assertThat(byLead.get(0).path("make").asString()).isEqualTo("BMW AG");
        assertThat(byLead.get(0).path("year").asInt()).isEqualTo(2004);
        assertThat(byLead.get(0).path("price").asDouble()).isEqualTo(31999.99);
        JsonNode defaults = query(type, "filterType=dedupeFields&filterValues=19UYA31581L000000").get(0);
        List<String> names = new ArrayList<>();
        defaults.propertyNames().forEach(names::add);
        assertThat(names).containsExactly("seq", "marketoGUID", "vin", "createdAt", "updatedAt");
        assertThat(api.get("/rest/v1/customobjects/" + type + ".json?filterType=make&filterValues=BMW", reader).errorCode())
                .isEqualTo("1011");
        assertThat(api.post("/rest/v1/customobjects/" + type + ".json", reader, Map.of("input", List.of(rec("vin", "r")))).errorCode())
                .isEqualTo("603");
    }

    @Test
    void recordsWhenLinkedByEmailToACompanyOrThroughABridgeThenLinksResolve() {
        String email = name("driver") + "@example.com";
        api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email))));
        String licence = type("licence", field("number", "string", "isDedupeField", true),
                field("holder", "link", "relatedTo", Map.of("name", "lead", "field", "email")));
        assertThat(sync(licence, Map.of(), rec("number", "L1", "holder", email.toUpperCase())).result().get(0).path("status").asString())
                .isEqualTo("created");
        assertThat(reason(sync(licence, Map.of(), rec("number", "L2", "holder", "nobody@example.com")).result().get(0))).isEqualTo("1004");

        String contract = type("contract", field("contractNo", "string", "isDedupeField", true),
                field("account", "link", "relatedTo", Map.of("name", "company", "field", "externalCompanyId")));
        String companies = admin.tokenWith("Read-Write Company");
        api.post("/rest/v1/companies.json", companies, Map.of("input", List.of(Map.of("externalCompanyId", "ACME-1"))));
        Api.Response signed = sync(contract, Map.of(), rec("contractNo", "K1", "account", "acme-1"), rec("contractNo", "K2", "account", "NONE"));
        assertThat(signed.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(reason(signed.result().get(1))).isEqualTo("1013");
        assertThat(signed.result().get(1).path("reasons").get(0).path("message").asString()).isEqualTo("Company not found");

        String course = type("course", field("courseID", "string", "isDedupeField", true), field("title", "string"));
        String enrollment = type("enrollment", field("enrollmentID", "string", "isDedupeField", true),
                field("leadID", "link", "relatedTo", Map.of("name", "lead", "field", "id")),
                field("courseID", "link", "relatedTo", Map.of("name", course, "field", "courseID")),
                field("grade", "string"));
        long student = lead();
        sync(course, Map.of(), rec("courseID", "CS101", "title", "Programming"));
        Api.Response r = sync(enrollment, Map.of(), rec("enrollmentID", "E1", "leadID", student, "courseID", "cs101", "grade", "A"),
                rec("enrollmentID", "E2", "leadID", student, "courseID", "CS999"));
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(reason(r.result().get(1))).isEqualTo("1013");
        assertThat(schema("/" + course + "/delete.json", null).errorCode()).as("enrollment links to course").isEqualTo("1022");
        String bridgeTarget = name("nolink");
        assertThat(schema(".json", Map.of("apiName", bridgeTarget, "displayName", bridgeTarget)).success()).isTrue();
        assertThat(schema("/" + bridgeTarget + "/addField.json", Map.of("input", List.of(field("x", "link", "relatedTo",
                Map.of("name", enrollment, "field", "enrollmentID")))))
                .errorCode()).as("a custom object with links cannot be linked to").isEqualTo("1003");
    }

    @Test
    void recordsWhenCompoundDedupeThenQueriedByJsonBodyAndDeletedByEitherKey() {
        String type = type("purchase", field("orderNo", "string", "isDedupeField", true),
                field("lineNo", "integer", "isDedupeField", true), field("product", "string"));
        Api.Response r = sync(type, Map.of(), rec("orderNo", "O1", "lineNo", 1, "product", "Chair"), rec("orderNo", "O1", "lineNo", 2),
                rec("orderNo", "O1"));
        assertThat(reason(r.result().get(2))).isEqualTo("1002");
        Api.Response q = api.post("/rest/v1/customobjects/" + type + ".json?_method=GET", reader, Map.of("filterType", "dedupeFields",
                "fields", List.of("product"), "input", List.of(rec("orderNo", "o1", "lineNo", 1), rec("orderNo", "O1", "lineNo", 3))));
        ok(q, "GET", "/rest/v1/customobjects/" + type + ".json");
        assertThat(q.result()).hasSize(1);
        assertThat(q.result().get(0).path("product").asString()).isEqualTo("Chair");
        assertThat(api.get("/rest/v1/customobjects/" + type + ".json?filterType=dedupeFields&filterValues=O1", reader).errorCode())
                .isEqualTo("1003");
        String second = r.result().get(1).path("marketoGUID").asString();
        Api.Response del = api.post("/rest/v1/customobjects/" + type + "/delete.json", writer, Map.of("deleteBy", "idField",
                "input", List.of(rec("marketoGUID", second), rec("marketoGUID", second))));
        assertThat(del.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(reason(del.result().get(1))).isEqualTo("1013");
        Api.Response byKey = api.post("/rest/v1/customobjects/" + type + "/delete.json", writer, Map.of("input",
                List.of(rec("orderNo", "O1", "lineNo", 1), rec("orderNo", "O1"))));
        assertThat(byKey.result().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(reason(byKey.result().get(1))).isEqualTo("1002");
    }

    @Test
    void recordsWhenMoreThanAPageThenEveryRecordExactlyOnceWhileWritesHappen() {
        String type = car();
        long owner = lead();
        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            batch.add(rec("vin", "P" + i, "leadID", owner));
        }
        sync(type, Map.of(), batch.toArray());
        Set<String> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        String deleted = null;
        do {
            Api.Response r = api.get("/rest/v1/customobjects/" + type + ".json?filterType=leadID&filterValues=" + owner + "&batchSize=5"
                    + (token == null ? "" : "&nextPageToken=" + token), reader);
            ok(r, "GET", "/rest/v1/customobjects/" + type + ".json");
            for (JsonNode c : r.result()) {
                assertThat(seen.add(c.path("marketoGUID").asString())).as("%s seen twice", c).isTrue();
            }
            token = r.json().path("nextPageToken").asString(null);
            if (pages == 1) {
                sync(type, Map.of(), rec("vin", "LATE", "leadID", owner));
                JsonNode everything = query(type, "filterType=leadID&filterValues=" + owner);
                deleted = everything.get(everything.size() - 3).path("marketoGUID").asString();
                api.post("/rest/v1/customobjects/" + type + "/delete.json", writer, Map.of("deleteBy", "idField",
                        "input", List.of(rec("marketoGUID", deleted))));
            }
            pages++;
        } while (token != null);
        assertThat(seen).hasSize(23).doesNotContain(deleted);
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void recordEndpointsWhenTypeUnknownOrInputBadThenDocumentedCodes() {
        String ghost = "/rest/v1/customobjects/" + name("ghost");
        assertThat(api.get(ghost + ".json?filterType=marketoGUID&filterValues=x", reader).errorCode()).isEqualTo("1013");
        assertThat(api.get(ghost + "/describe.json", reader).errorCode()).isEqualTo("1013");
        assertThat(api.post(ghost + ".json", writer, Map.of("input", List.of(rec("a", 1)))).errorCode()).isEqualTo("1013");
        assertThat(api.post(ghost + "/delete.json", writer, Map.of("input", List.of(rec("a", 1)))).errorCode()).isEqualTo("1013");
        String type = car();
        String base = "/rest/v1/customobjects/" + type;
        assertThat(api.post(base + ".json", writer, Map.of("input", "x")).errorCode()).isEqualTo("609");
        assertThat(api.post(base + ".json", writer, Map.of("input", List.of())).errorCode()).isEqualTo("701");
        assertThat(api.post(base + ".json", writer, Map.of("action", "createOnly", "dedupeBy", "idField", "input",
                List.of(rec("marketoGUID", "x")))).errorCode()).isEqualTo("1003");
        assertThat(api.post(base + "/delete.json", writer, Map.of("deleteBy", 7, "input", List.of(rec("vin", "x")))).errorCode())
                .isEqualTo("609");
        assertThat(api.get(base + ".json?filterType=vin", reader).errorCode()).isEqualTo("701");
        assertThat(api.get(base + ".json?filterType=vin&filterValues=a&fields=wheels", reader).errorCode()).isEqualTo("1006");
        assertThat(api.post(base + ".json?_method=GET", reader, "{\"input\": 5}").errorCode()).isEqualTo("609");
        assertThat(api.method("POST", base + ".json?_method=GET", reader, "text/plain", "{}").errorCode()).isEqualTo("612");
    }
}
