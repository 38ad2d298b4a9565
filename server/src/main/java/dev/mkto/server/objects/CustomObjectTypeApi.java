package dev.mkto.server.objects;

import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import dev.mkto.server.leads.FieldType;
import dev.mkto.server.leads.LeadField;
import dev.mkto.server.leads.LeadSchema;
import dev.mkto.server.objects.CustomObjectTypes.FieldSpec;
import dev.mkto.server.objects.CustomObjectTypes.Stored;
import dev.mkto.server.objects.ObjectKind.Action;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The Custom Object Metadata API ({@code /rest/v1/customobjects/schema…}): types, their fields,
 * approval, and what can be linked to. Write calls answer an empty {@code result}, as Marketo's do.
 */
public final class CustomObjectTypeApi implements ApiRoutes.Feature {

    private static final String SCHEMA = "/rest/v1/customobjects/schema";
    private static final List<String> STATES = List.of("draft", "approved", "approvedWithDraft");

    private final CustomObjectTypes types;
    private final LeadSchema leadSchema;

    public CustomObjectTypeApi(CustomObjectTypes types, LeadSchema leadSchema) {
        this.types = types;
        this.leadSchema = leadSchema;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get(SCHEMA + ".json", this::list)
                .post(SCHEMA + ".json", this::sync)
                .get(SCHEMA + "/{apiName}/describe.json", this::describe)
                .post(SCHEMA + "/{apiName}/addField.json", this::addFields)
                .post(SCHEMA + "/{apiName}/deleteField.json", this::deleteFields)
                .post(SCHEMA + "/{apiName}/{fieldApiName}/updateField.json", this::updateField)
                .post(SCHEMA + "/{apiName}/approve.json", call -> done(() -> types.approve(instance(call), call.pathVar("apiName"))))
                .post(SCHEMA + "/{apiName}/discardDraft.json",
                        call -> done(() -> types.discardDraft(instance(call), call.pathVar("apiName"))))
                .post(SCHEMA + "/{apiName}/delete.json", call -> done(() -> types.delete(instance(call), call.pathVar("apiName"))))
                .get(SCHEMA + "/fieldDataTypes.json", call -> Reply.Envelope.of(TypeDefinition.DATA_TYPES))
                .get(SCHEMA + "/linkableObjects.json", this::linkableObjects)
                .get(SCHEMA + "/{apiName}/dependentAssets.json", call -> {
                    types.require(instance(call), call.pathVar("apiName"));
                    return Reply.Envelope.of(List.of()); // no assets use custom objects here
                });
    }

    private static long instance(ApiCall call) {
        return call.caller().instanceId();
    }

    private static Reply done(Runnable change) {
        change.run();
        return Reply.Envelope.of(List.of());
    }

    // ----- types ------------------------------------------------------------------------------

    private Reply sync(ApiCall call) {
        JsonNode body = Json.object(call.json());
        String actionName = Bodies.text(body, "action");
        Action action = actionName == null ? Action.CREATE_OR_UPDATE : Action.parse(actionName).orElseThrow(() -> new MarketoException(
                ErrorCode.INVALID_DATA, "Invalid action '" + Echo.of(actionName)
                + "'; use createOnly, updateOnly or createOrUpdate"));
        String apiName = Bodies.text(body, "apiName");
        if (apiName == null) {
            throw MarketoException.of(ErrorCode.BLANK, "apiName");
        }
        types.sync(instance(call), action, new CustomObjectTypes.TypeSpec(apiName, Bodies.text(body, "displayName"),
                Bodies.text(body, "pluralName"), Bodies.text(body, "description"), Bodies.bool(body, "showInLeadDetail")));
        return Reply.Envelope.of(List.of());
    }

    private Reply list(ApiCall call) {
        String state = state(call);
        List<String> names = call.listParam("names");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Stored s : types.types(instance(call)).values()) {
            if (names.isEmpty() || names.stream().anyMatch(n -> n.equalsIgnoreCase(s.apiName()))) {
                version(s, state).ifPresent(v -> out.add(view(instance(call), s, v)));
            }
        }
        return Reply.Envelope.of(out);
    }

    private Reply describe(ApiCall call) {
        Stored s = types.require(instance(call), call.pathVar("apiName"));
        String state = state(call);
        TypeDefinition v = version(s, state).orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND,
                "Object not found: custom object type '" + s.apiName() + "' has no " + state + " version"));
        return Reply.Envelope.of(List.of(view(instance(call), s, v)));
    }

    private static String state(ApiCall call) {
        Optional<String> state = call.param("state");
        if (state.isPresent() && !STATES.contains(state.get())) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid state '" + Echo.of(state.get())
                    + "'; use draft, approved or approvedWithDraft");
        }
        return state.orElse(null);
    }

    /**
     * The version a state asks for: by default the approved one if there is one; "draft" and
     * "approved" that version; "approvedWithDraft" the draft of a type that has both.
     */
    private static Optional<TypeDefinition> version(Stored s, String state) {
        if (state == null) {
            return Optional.of(s.current());
        }
        return Optional.ofNullable(switch (state) {
            case "draft" -> s.draft();
            case "approved" -> s.approved();
            default -> s.state().equals("approvedWithDraft") ? s.draft() : null;
        });
    }

    private Map<String, Object> view(long instance, Stored s, TypeDefinition v) {
        ObjectKind kind = types.kindOf(instance, s, v);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state());
        m.put("version", v == s.approved() ? "approved" : "draft");
        m.put("apiName", s.apiName());
        m.put("displayName", v.displayName());
        m.put("pluralName", v.pluralName() == null ? v.displayName() : v.pluralName());
        m.put("description", v.description());
        m.put("showInLeadDetail", v.showInLeadDetail());
        m.put("idField", kind.idField());
        m.put("createdAt", FieldType.DATETIME.toJson(Instant.ofEpochMilli(s.createdAt())));
        m.put("updatedAt", FieldType.DATETIME.toJson(Instant.ofEpochMilli(s.updatedAt())));
        m.put("dedupeFields", kind.dedupeFields());
        m.put("searchableFields", kind.searchableFields());
        m.put("relationships", Descriptions.relationships(kind));
        List<Map<String, Object>> fields = new ArrayList<>();
        for (ObjectField f : kind.fields()) {
            fields.add(Descriptions.fieldDescription(f));
        }
        m.put("fields", fields);
        return m;
    }

    // ----- fields -----------------------------------------------------------------------------

    private Reply addFields(ApiCall call) {
        List<FieldSpec> specs = new ArrayList<>();
        for (JsonNode item : Json.input(Json.object(call.json()))) {
            specs.add(fieldSpec(Json.object(item)));
        }
        types.addFields(instance(call), call.pathVar("apiName"), specs);
        return Reply.Envelope.of(List.of());
    }

    private Reply deleteFields(ApiCall call) {
        List<String> names = new ArrayList<>();
        for (JsonNode item : Json.input(Json.object(call.json()))) {
            String name = Bodies.text(Json.object(item), "name");
            if (name == null) {
                throw MarketoException.of(ErrorCode.BLANK, "name");
            }
            names.add(name);
        }
        types.deleteFields(instance(call), call.pathVar("apiName"), names);
        return Reply.Envelope.of(List.of());
    }

    private Reply updateField(ApiCall call) {
        JsonNode body = Json.object(call.json());
        // a body naming nothing updateField takes (e.g. wrapped in "input") would change nothing yet open a draft
        if (List.of("displayName", "description", "dataType", "isDedupeField", "relatedTo").stream().noneMatch(body::has)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "The body names nothing to change: give displayName, description, dataType,"
                    + " isDedupeField or relatedTo at its top level");
        }
        FieldSpec spec = fieldSpec(body);
        types.updateField(instance(call), call.pathVar("apiName"), call.pathVar("fieldApiName"), spec);
        return Reply.Envelope.of(List.of());
    }

    private static FieldSpec fieldSpec(JsonNode f) {
        String relatedName = null;
        String relatedField = null;
        JsonNode related = f.get("relatedTo");
        if (related != null && !related.isNull()) {
            Json.object(related);
            relatedName = Bodies.text(related, "name");
            relatedField = Bodies.text(related, "field");
        }
        return new FieldSpec(Bodies.text(f, "name"), Bodies.text(f, "displayName"), Bodies.text(f, "description"),
                Bodies.text(f, "dataType"), Bodies.bool(f, "isDedupeField"), relatedName, relatedField);
    }

    // ----- what can be linked to --------------------------------------------------------------

    private Reply linkableObjects(ApiCall call) {
        long instance = instance(call);
        List<Map<String, Object>> out = new ArrayList<>();
        List<Map<String, Object>> leadFields = new ArrayList<>();
        for (LeadField f : leadSchema.fields(instance).all()) {
            if (f.searchable()) {
                leadFields.add(linkable(f.name(), f.displayName(), f.type()));
            }
        }
        out.add(Map.of("name", StandardKinds.LEAD, "displayName", "Lead", "fields", leadFields));
        List<Map<String, Object>> companyFields = new ArrayList<>();
        for (String name : List.of("id", "externalCompanyId")) {
            ObjectField f = StandardKinds.COMPANY.field(name).orElseThrow();
            companyFields.add(linkable(f.name(), f.displayName(), f.type()));
        }
        out.add(Map.of("name", StandardKinds.COMPANY.name(), "displayName", StandardKinds.COMPANY.displayName(), "fields", companyFields));
        for (Stored s : types.types(instance).values()) {
            if (s.approved() != null && s.approved().linkFields().isEmpty()) {
                List<Map<String, Object>> fields = new ArrayList<>(List.of(linkable("marketoGUID", "Marketo GUID", FieldType.STRING)));
                List<TypeDefinition.Field> key = s.approved().dedupeFields();
                if (key.size() == 1) {
                    fields.add(linkable(key.getFirst().name(), key.getFirst().displayName(), key.getFirst().valueType()));
                }
                out.add(Map.of("name", s.apiName(), "displayName", s.approved().displayName(), "fields", fields));
            }
        }
        return Reply.Envelope.of(out);
    }

    private static Map<String, Object> linkable(String name, String displayName, FieldType type) {
        return Map.of("name", name, "displayName", displayName, "dataType", type.marketoName());
    }
}
