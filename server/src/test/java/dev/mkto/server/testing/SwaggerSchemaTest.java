package dev.mkto.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.http.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The schema checker itself: a checker that never complains would make every shape test pass. */
class SwaggerSchemaTest {

    private static final JsonNode SPEC = Json.MAPPER.readTree("""
            {"swagger": "2.0", "basePath": "/",
             "paths": {
               "/v1/things/{id}.json": {"get": {"responses": {"200": {"schema": {"$ref": "#/definitions/Thing"}}}}},
               "/v1/things/list.json": {"get": {"responses": {"200": {"schema": {"type": "array", "items": {"$ref": "#/definitions/Thing"}}}}}},
               "/v1/things/{id}/delete.json": {"post": {"responses": {"200": {"description": "OK"}}}}
             },
             "definitions": {
               "Thing": {"type": "object", "required": ["id", "name", "errors"],
                 "properties": {
                   "id": {"type": "integer", "format": "int32"},
                   "name": {"type": "string"},
                   "status": {"type": "string", "enum": ["pending"]},
                   "parts": {"type": "array", "items": {"$ref": "#/definitions/Part"}},
                   "errors": {"type": "array", "items": {"type": "string"}}}},
               "Part": {"type": "object", "required": ["code"], "properties": {"code": {"type": "integer"}}},
               "Both": {"allOf": [{"$ref": "#/definitions/Part"}, {"type": "object", "required": ["more"]}]}
             }}
            """);

    private static JsonNode json(String text) {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void problemsWhenValueFitsThenNone() {
        assertThat(SwaggerSchema.problems(SPEC, "Thing", json("""
                {"id": 1, "name": "a", "status": "pending", "parts": [{"code": 2}], "extra": true}"""))).isEmpty();
    }

    @Test
    void problemsWhenRequiredMissingOrTypeWrongThenEachIsNamedWithItsPath() {
        assertThat(SwaggerSchema.problems(SPEC, "Thing", json("""
                {"id": "1", "status": "done", "parts": [{"code": 2}, {"code": 1.5}, {}]}""")))
                .containsExactlyInAnyOrder(
                        "$: required property 'name' is missing",
                        "$.id: expected integer (int32), got string \"1\"",
                        "$.status: \"done\" is not one of [\"pending\"]",
                        "$.parts[1].code: expected integer, got number 1.5",
                        "$.parts[2]: required property 'code' is missing");
    }

    @Test
    void problemsWhenInt32OverflowsOrTopLevelTypeWrongThenReported() {
        assertThat(SwaggerSchema.problems(SPEC, "Thing", json("{\"id\": 3000000000, \"name\": \"a\"}")))
                .containsExactly("$.id: expected integer (int32), got number 3000000000");
        assertThat(SwaggerSchema.problems(SPEC, "Thing", json("[]"))).containsExactly("$: expected object, got array []");
    }

    @Test
    void problemsWhenNullOrErrorsThenAccepted() {
        assertThat(SwaggerSchema.problems(SPEC, "Thing", json("{\"id\": null, \"name\": null, \"errors\": 5}"))).isEmpty();
    }

    @Test
    void problemsWhenAllOfThenEveryPartApplies() {
        assertThat(SwaggerSchema.problems(SPEC, "Both", json("{\"code\": 1}"))).containsExactly("$: required property 'more' is missing");
    }

    @Test
    void responseSchemaWhenConcretePathThenTheMatchingTemplatesSchema() {
        assertThat(SwaggerSchema.responseProblems(SPEC, "GET", "/v1/things/42.json?fields=a", json("{\"id\": 42, \"name\": \"x\"}"))).isEmpty();
        assertThat(SwaggerSchema.responseProblems(SPEC, "GET", "/v1/things/list.json", json("[{\"id\": 42}]")))
                .containsExactly("$[0]: required property 'name' is missing");
        assertThat(SwaggerSchema.responseSchema(SPEC, "POST", "/v1/things/42/delete.json")).isEmpty();
        assertThatThrownBy(() -> SwaggerSchema.responseSchema(SPEC, "DELETE", "/v1/things/42.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no operation DELETE");
        assertThatThrownBy(() -> SwaggerSchema.problems(SPEC, "Nothing", json("{}"))).isInstanceOf(IllegalArgumentException.class);
    }
}
