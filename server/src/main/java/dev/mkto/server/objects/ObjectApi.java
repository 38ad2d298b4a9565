package dev.mkto.server.objects;

import dev.mkto.server.access.EndpointPolicy;
import dev.mkto.server.access.Permission;
import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import dev.mkto.server.objects.ObjectKind.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The Lead Database object endpoints: for each standard kind and for custom objects, query, sync,
 * delete and describe under the kind's path; the custom object list; named account list
 * membership. Parses and renders; {@link ObjectService} does the rest.
 */
public final class ObjectApi implements ApiRoutes.Feature {

    private static final String CUSTOM = "/rest/v1/customobjects/{customObjectName}";
    private static final String MEMBERS = "/rest/v1/namedAccountList/{id}/namedAccounts";

    private final ObjectService objects;
    private final CustomObjectTypes types;

    public ObjectApi(ObjectService objects, CustomObjectTypes types) {
        this.objects = objects;
        this.types = types;
    }

    @Override
    public void register(ApiRoutes routes) {
        for (ObjectKind kind : StandardKinds.ALL) {
            requireRule("GET", kind.path() + ".json", kind.read());
            requireRule("POST", kind.path() + ".json", kind.write());
            routes.get(kind.path() + ".json", call -> query(call, kind))
                    .post(kind.path() + ".json", call -> sync(call, call.json(), kind))
                    .post(kind.path() + "/delete.json", call -> delete(call, call.json(), kind));
            if (kind.describable()) {
                routes.get(kind.path() + "/describe.json", call -> describe(call, kind));
            }
        }
        for (ObjectKind kind : StandardKinds.WITH_FIELD_SCHEMA) {
            routes.get(kind.path() + "/schema/fields.json", call -> fields(call, kind))
                    .get(kind.path() + "/schema/fields/{fieldApiName}.json", call -> field(call, kind));
        }
        requireRule("GET", CUSTOM + ".json", Permission.READ_ONLY_CUSTOM_OBJECT);
        requireRule("POST", CUSTOM + ".json", Permission.READ_WRITE_CUSTOM_OBJECT);
        routes.get("/rest/v1/customobjects.json", this::listCustom)
                .get(CUSTOM + ".json", call -> query(call, custom(call)))
                // the body is read before the type is looked up: a malformed body is 609/612 whatever the name
                .post(CUSTOM + ".json", call -> sync(call, call.json(), custom(call)))
                .post(CUSTOM + "/delete.json", call -> delete(call, call.json(), custom(call)))
                .get(CUSTOM + "/describe.json", call -> describe(call, custom(call)))
                .get(MEMBERS + ".json", this::members)
                .post(MEMBERS + ".json", call -> changeMembers(call, true))
                .post(MEMBERS + "/remove.json", call -> changeMembers(call, false));
    }

    /** A kind's permissions are data; the endpoint table must agree with them, or the server does not start. */
    private static void requireRule(String method, String template, Permission permission) {
        Set<Permission> anyOf = EndpointPolicy.ruleFor(method, template).map(EndpointPolicy.Rule::anyOf).orElse(Set.of());
        if (!anyOf.equals(Set.of(permission))) {
            throw new IllegalStateException("the endpoint table gives " + method + " " + template + " " + anyOf + ", its kind "
                    + permission);
        }
    }

    private ObjectKind custom(ApiCall call) {
        return objects.customKind(call.caller(), call.pathVar("customObjectName"));
    }

    /**
     * Get records: {@code filterType} and {@code filterValues} as parameters, or, sent by POST
     * with {@code _method=GET}, a JSON body whose {@code input} holds compound keys.
     */
    private Reply query(ApiCall call, ObjectKind kind) {
        ObjectService.Filter filter;
        List<String> fields;
        int batchSize;
        String token;
        if (call.param("_method").isPresent() && call.hasBody()) {
            JsonNode body = Json.object(call.json());
            String filterType = Bodies.text(body, "filterType");
            List<Map<String, JsonNode>> input = new ArrayList<>();
            for (Map<String, JsonNode> record : Bodies.records(body)) {
                if (record == null) {
                    throw MarketoException.of(ErrorCode.INVALID_JSON);
                }
                input.add(record);
            }
            // like fields, batchSize and nextPageToken, filterType may come from the query string
            filter = new ObjectService.Filter(filterType != null ? filterType : call.param("filterType").orElse("dedupeFields"), null,
                    input);
            fields = body.has("fields") ? Bodies.names(body, "fields") : call.listParam("fields");
            batchSize = body.has("batchSize") ? batchSize(body.get("batchSize")) : batchSize(call);
            token = body.has("nextPageToken") ? Bodies.text(body, "nextPageToken") : call.param("nextPageToken").orElse(null);
        } else {
            String filterType = call.requiredParam("filterType");
            List<String> values = call.listParam("filterValues");
            if (values.isEmpty()) {
                throw MarketoException.of(ErrorCode.BLANK, "filterValues");
            }
            filter = new ObjectService.Filter(filterType, values, null);
            fields = call.listParam("fields");
            batchSize = batchSize(call);
            token = call.param("nextPageToken").orElse(null);
        }
        return page(objects.query(call.caller(), kind, filter, fields, batchSize, token));
    }

    private Reply sync(ApiCall call, JsonNode json, ObjectKind kind) {
        JsonNode body = Json.object(json);
        String actionName = Bodies.text(body, "action");
        Action action = actionName == null ? kind.defaultAction() : Action.parse(actionName).orElseThrow(() -> new MarketoException(
                ErrorCode.INVALID_DATA, "Invalid action '" + Echo.of(actionName) + "'; use "
                + String.join(" or ", kind.actions().stream().map(Action::wire).toList())));
        boolean byId = Bodies.byIdField(body, "dedupeBy");
        return Reply.Envelope.of(objects.sync(call.caller(), kind, action, byId, Bodies.records(body)));
    }

    private Reply delete(ApiCall call, JsonNode json, ObjectKind kind) {
        JsonNode body = Json.object(json);
        boolean byId = Bodies.byIdField(body, "deleteBy");
        return Reply.Envelope.of(objects.delete(call.caller(), kind, byId, Bodies.records(body)));
    }

    private Reply describe(ApiCall call, ObjectKind kind) {
        return Reply.Envelope.of(List.of(objects.describe(call.caller(), kind)));
    }

    /** Get Fields: every field of the kind with its metadata, a page at a time. */
    private Reply fields(ApiCall call, ObjectKind kind) {
        int batchSize = batchSize(call);
        long after = Records.decodePageToken(call.param("nextPageToken").orElse(null));
        List<Map<String, Object>> out = new ArrayList<>();
        List<ObjectField> all = kind.fields();
        for (int i = (int) Math.min(after, all.size()); i < all.size() && out.size() < batchSize; i++) {
            out.add(Descriptions.fieldSchema(all.get(i)));
        }
        long last = Math.min(after, all.size()) + out.size();
        return page(new ObjectService.Page(out, last < all.size() ? Records.encodePageToken(last) : null));
    }

    /** Get Field by Name; an unknown field is 1006. */
    private Reply field(ApiCall call, ObjectKind kind) {
        String name = call.pathVar("fieldApiName");
        ObjectField f = kind.field(name).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(name)));
        return Reply.Envelope.of(List.of(Descriptions.fieldSchema(f)));
    }

    /** List Custom Objects: the approved types, optionally only those {@code names} names. */
    private Reply listCustom(ApiCall call) {
        List<String> names = call.listParam("names");
        List<Map<String, Object>> out = new ArrayList<>();
        for (ObjectKind kind : types.kinds(call.caller().instanceId())) {
            if (names.isEmpty() || names.stream().anyMatch(n -> n.equalsIgnoreCase(kind.name()))) {
                out.add(objects.describe(call.caller(), kind));
            }
        }
        return Reply.Envelope.of(out);
    }

    private Reply members(ApiCall call) {
        return page(objects.members().page(call.caller(), call.pathVar("id"), call.listParam("fields"), batchSize(call),
                call.param("nextPageToken").orElse(null)));
    }

    private Reply changeMembers(ApiCall call, boolean add) {
        JsonNode body = Json.object(call.json());
        return Reply.Envelope.of(objects.members().change(call.caller(), call.pathVar("id"), Bodies.records(body), add));
    }

    private static Reply page(ObjectService.Page page) {
        boolean more = page.nextPageToken() != null;
        return new Reply.Envelope(page.records(), page.nextPageToken(), more ? Boolean.TRUE : null, List.of(), Map.of());
    }

    private static int batchSize(ApiCall call) {
        return call.intParam("batchSize", ObjectService.MAX_BATCH, 1, ObjectService.MAX_BATCH);
    }

    private static int batchSize(JsonNode node) {
        if (node.isNull()) {
            return ObjectService.MAX_BATCH;
        }
        if (node.isIntegralNumber() && node.canConvertToInt() && node.asInt() >= 1 && node.asInt() <= ObjectService.MAX_BATCH) {
            return node.asInt();
        }
        throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid value for 'batchSize': must be an integer from 1 to "
                + ObjectService.MAX_BATCH);
    }
}
