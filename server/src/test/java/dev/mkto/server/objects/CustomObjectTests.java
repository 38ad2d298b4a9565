package dev.mkto.server.objects;

import static dev.mkto.server.objects.Shapes.assertFits;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.OnEveryBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the custom object test classes share: tokens, and helpers that define, approve and fill
 * types. Marketo allows 10 types per instance, so each class keeps to fewer.
 */
abstract class CustomObjectTests extends OnEveryBackend {

    static final String SCHEMA = "/rest/v1/customobjects/schema";

    String designer;
    String typeReader;
    String writer;
    String reader;

    @Override
    protected void fixtures() {
        designer = admin.tokenWith("Read-Write Custom Object Type");
        typeReader = admin.tokenWith("Read-Only Custom Object Type");
        writer = admin.tokenWith("Read-Write Custom Object", "Read-Write Lead");
        reader = admin.tokenWith("Read-Only Custom Object");
        // the test clock stands still, so the rate window never empties: make room for every call of the class
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000)));
    }

    static String name(String prefix) {
        return AdminClient.unique(prefix).replace('-', '_');
    }

    static Map<String, Object> rec(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    Api.Response schema(String path, Object body) {
        return api.post(SCHEMA + path, designer, body);
    }

    void ok(Api.Response r, String method, String path) {
        assertThat(r.success()).as(r.text()).isTrue();
        assertFits(method, path, r);
    }

    /** Creates and approves a type with the given fields. */
    @SafeVarargs
    final String type(String prefix, Map<String, Object>... fields) {
        String type = name(prefix);
        ok(schema(".json", Map.of("action", "createOnly", "apiName", type, "displayName", type)), "POST", SCHEMA + ".json");
        ok(schema("/" + type + "/addField.json", Map.of("input", List.of(fields))), "POST", SCHEMA + "/" + type + "/addField.json");
        ok(schema("/" + type + "/approve.json", null), "POST", SCHEMA + "/" + type + "/approve.json");
        return type;
    }

    static Map<String, Object> field(String name, String dataType, Object... more) {
        Map<String, Object> m = rec(more);
        m.put("name", name);
        m.put("displayName", name.toUpperCase());
        m.put("dataType", dataType);
        return m;
    }

    String car() {
        return type("car", field("vin", "string", "isDedupeField", true),
                field("leadID", "link", "relatedTo", Map.of("name", "lead", "field", "id")),
                field("make", "string"), field("year", "integer"), field("price", "currency"));
    }

    Api.Response sync(String type, Map<String, Object> options, Object... records) {
        Map<String, Object> body = new LinkedHashMap<>(options);
        body.put("input", List.of(records));
        Api.Response r = api.post("/rest/v1/customobjects/" + type + ".json", writer, body);
        ok(r, "POST", "/rest/v1/customobjects/" + type + ".json");
        return r;
    }

    JsonNode query(String type, String q) {
        Api.Response r = api.get("/rest/v1/customobjects/" + type + ".json?" + q, reader);
        ok(r, "GET", "/rest/v1/customobjects/" + type + ".json");
        return r.result();
    }

    long lead() {
        return api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", name("owner") + "@example.com"))))
                .result().get(0).path("id").asLong();
    }

}
