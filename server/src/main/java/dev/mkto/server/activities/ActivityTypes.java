package dev.mkto.server.activities;

import dev.mkto.server.admin.Changes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.store.RowLock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Activity types: Marketo's standard ones (those this server records, and the common others so
 * filters written for Marketo work) and an instance's custom activity types, which live as a
 * draft until approved, as Marketo's metadata API has them. Up to 10 custom types (1027), each
 * with up to 20 attributes (1028).
 */
public final class ActivityTypes implements Changes.Listener {

    public static final int NEW_LEAD = 12;
    public static final int CHANGE_DATA_VALUE = 13;
    public static final int ADD_TO_LIST = 24;
    public static final int REMOVE_FROM_LIST = 25;
    public static final int DELETE_LEAD = 37;
    public static final int REQUEST_CAMPAIGN = 47;
    public static final int CHANGE_LEAD_PARTITION = 100;

    /** An attribute of a type: API name (custom types), display name, data type. */
    public record Attribute(String apiName, String name, String description, String dataType) {
    }

    /** A type as {@code types.json} describes it; {@code primary} may be null. */
    public record Type(int id, String name, String description, Attribute primary, List<Attribute> attributes) {
    }

    private static final List<String> API_AUDIT = List.of("API Method Name", "Modifying User", "Request Id");
    public static final List<Type> STANDARD = List.of(
            standard(1, "Visit Webpage", "User visits a web page", "Webpage ID", "integer",
                    "Client IP Address", "Query Parameters", "Referrer URL", "User Agent", "Webpage URL"),
            standard(2, "Fill Out Form", "User fills out and submits form on web page", "Webform ID", "integer",
                    "Client IP Address", "Form Fields", "Query Parameters", "Referrer URL", "User Agent", "Webpage ID"),
            standard(3, "Click Link", "User clicks link on a page", "Link ID", "integer",
                    "Client IP Address", "Query Parameters", "Referrer URL", "User Agent", "Webpage ID"),
            standard(6, "Send Email", "Send Marketo Email to a person", "Mailing ID", "integer",
                    "Campaign Run ID", "Choice Number", "Step ID"),
            standard(7, "Email Delivered", "Marketo Email is delivered to a person", "Mailing ID", "integer",
                    "Campaign Run ID", "Choice Number", "Step ID"),
            standard(9, "Unsubscribe Email", "Person unsubscribes from Marketo Emails", "Mailing ID", "integer",
                    "Client IP Address", "Query Parameters", "Referrer URL", "User Agent", "Webform ID", "Webpage ID"),
            standard(10, "Open Email", "User opens Marketo Email", "Mailing ID", "integer",
                    "Device", "Is Mobile Device", "Platform", "User Agent"),
            standard(11, "Click Email", "User clicks on a link in a Marketo Email", "Mailing ID", "integer",
                    "Device", "Is Mobile Device", "Link", "Platform", "User Agent"),
            audited(standard(NEW_LEAD, "New Lead", "New person", "Lead ID", "integer", "Lead Source", "Source Type")),
            audited(standard(CHANGE_DATA_VALUE, "Change Data Value", "Changed attribute value for a person", "Attribute Name",
                    "integer", "New Value", "Old Value", "Reason", "Source")),
            standard(22, "Change Score", "Change a score value for a person", "Score Name", "integer",
                    "Change Value", "New Value", "Old Value", "Reason"),
            audited(standard(ADD_TO_LIST, "Add to List", "Person was added to a list", "List ID", "integer", "Source")),
            audited(standard(REMOVE_FROM_LIST, "Remove from List", "Person was removed from a list", "List ID", "integer", "Source")),
            audited(standard(DELETE_LEAD, "Delete Lead", "Delete a person", "Lead ID", "integer", "Remove from CRM")),
            standard(46, "Interesting Moment", "Interesting moment for a person", "Milestone ID", "integer",
                    "Description", "Source", "Type"),
            audited(standard(REQUEST_CAMPAIGN, "Request Campaign", "Request a campaign for a person", "Campaign ID", "integer", "Source")),
            audited(standard(CHANGE_LEAD_PARTITION, "Change Lead Partition", "Change the lead partition of a person",
                    "Lead Partition ID", "integer", "New Partition ID", "Old Partition ID", "Reason")));

    private static final int FIRST_CUSTOM_ID = 100_001;
    private static final int MAX_CUSTOM_TYPES = 10;
    private static final int MAX_ATTRIBUTES = 20;
    private static final Pattern API_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,254}");
    private static final Pattern DISPLAY_NAME = Pattern.compile("[A-Za-z0-9_ ]*[A-Za-z][A-Za-z0-9_ ]*");
    private static final Set<String> DATA_TYPES = Set.of("string", "boolean", "integer", "float", "link", "email", "currency",
            "date", "datetime", "phone", "text");

    private static final String LIST = "SELECT id, api_name, approved, draft, created_at, updated_at FROM custom_activity_type "
            + "WHERE instance_id = :instance ORDER BY id";
    private static final String LOCK = "SELECT id, api_name, approved, draft, created_at, updated_at FROM custom_activity_type "
            + "WHERE instance_id = :instance AND api_name = :apiName FOR UPDATE";
    private static final String NEXT_ID = "SELECT COALESCE(MAX(id), " + (FIRST_CUSTOM_ID - 1) + ") + 1 FROM custom_activity_type";
    private static final String INSERT = "INSERT INTO custom_activity_type (id, instance_id, api_name, approved, draft, created_at, updated_at) "
            + "VALUES (:id, :instance, :apiName, NULL, :draft, :now, :now)";
    private static final String SAVE = "UPDATE custom_activity_type SET approved = :approved, draft = :draft, updated_at = :now "
            + "WHERE instance_id = :instance AND api_name = :apiName";
    private static final String DELETE = "DELETE FROM custom_activity_type WHERE instance_id = :instance AND api_name = :apiName";
    private static final String IN_USE = "SELECT COUNT(*) FROM activity WHERE instance_id = :instance AND activity_type_id = :id";

    /** A stored custom type: its approved and draft documents (either may be null). */
    record Custom(int id, String apiName, JsonNode approved, JsonNode draft, Instant createdAt, Instant updatedAt) {
        String status() {
            return approved == null ? "draft" : draft == null ? "approved" : "approved with draft";
        }

        JsonNode current() {
            return draft != null ? draft : approved;
        }
    }

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes changes;
    private final Map<Long, List<Custom>> cache = new ConcurrentHashMap<>();

    public ActivityTypes(Jdbi jdbi, InstantSource clock, Changes changes) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.changes = changes;
        changes.subscribe(this);
    }

    @Override
    public void changed() {
        cache.clear();
    }

    /** Every type an instance has: the standard ones, then its approved custom ones. */
    public List<Type> all(long instance) {
        List<Type> out = new ArrayList<>(STANDARD);
        for (Custom c : customs(instance)) {
            if (c.approved() != null) {
                out.add(toType(c.id(), c.approved()));
            }
        }
        return out;
    }

    public Optional<Type> find(long instance, int id) {
        return all(instance).stream().filter(t -> t.id() == id).findFirst();
    }

    /** An approved custom type by id, for adding activities of it. */
    Optional<Custom> approvedCustom(long instance, int id) {
        return customs(instance).stream().filter(c -> c.id() == id && c.approved() != null).findFirst();
    }

    List<Custom> customs(long instance) {
        return cache.computeIfAbsent(instance, i -> jdbi.withHandle(h -> h.createQuery(LIST).bind("instance", i)
                .map(ActivityTypes::mapCustom).list()));
    }

    Custom custom(long instance, String apiName) {
        return customs(instance).stream().filter(c -> c.apiName().equals(apiName)).findFirst()
                .orElseThrow(() -> notFound(apiName));
    }

    /**
     * A custom type as stored, locked until the transaction of {@code h} ends: a change reads it
     * here, not from the cache, so two changes of one type take turns and neither writes back what
     * it read before the other (two attributes added at once kept one).
     */
    private static Custom locked(Handle h, long instance, String apiName) {
        return h.createQuery(LOCK).bind("instance", instance).bind("apiName", apiName).map(ActivityTypes::mapCustom).findOne()
                .orElseThrow(() -> notFound(apiName));
    }

    private static Custom mapCustom(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws java.sql.SQLException {
        return new Custom(rs.getInt("id"), rs.getString("api_name"), json(rs.getString("approved")), json(rs.getString("draft")),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    private static MarketoException notFound(String apiName) {
        return new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Activity type '" + Echo.of(apiName) + "' not found");
    }

    /** Creates a custom type as a draft. */
    Custom create(long instance, JsonNode body) {
        String apiName = required(body, "apiName");
        if (!API_NAME.matcher(apiName).matches()) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "apiName must start with a letter and hold letters, digits or '_'");
        }
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("apiName", apiName);
        applyTypeFields(doc, body, true);
        jdbi.useTransaction(h -> {
            // creations of one instance take turns (the instance row locked), each seeing the types stored before it
            RowLock.lock(h, "instance", instance);
            List<Custom> existing = h.createQuery(LIST).bind("instance", instance).map(ActivityTypes::mapCustom).list();
            if (existing.stream().anyMatch(c -> c.apiName().equalsIgnoreCase(apiName))) {
                throw new MarketoException(ErrorCode.OBJECT_EXISTS, "Activity type '" + apiName + "' already exists");
            }
            if (existing.size() >= MAX_CUSTOM_TYPES) {
                throw MarketoException.of(ErrorCode.MAX_ACTIVITY_TYPES);
            }
            uniqueNames(existing, doc, apiName);
            int id = h.createQuery(NEXT_ID).mapTo(Integer.class).one();
            h.createUpdate(INSERT).bind("id", id).bind("instance", instance).bind("apiName", apiName)
                    .bind("draft", doc.toString()).bind("now", clock.millis()).execute();
        });
        return afterChange(instance, apiName);
    }

    /** Changes the draft (a draft is made from the approved version if there is none). */
    Custom update(long instance, String apiName, JsonNode body) {
        return edit(instance, apiName, draft -> applyTypeFields(draft, body, false));
    }

    /** Adds attributes to the draft: {@code {"attributes": [{apiName, name, description, dataType, isPrimary}]}}. */
    Custom addAttributes(long instance, String apiName, JsonNode body) {
        return edit(instance, apiName, draft -> {
            ArrayNode attrs = attributes(draft);
            for (JsonNode a : attributeInput(body)) {
                String attrName = required(a, "apiName");
                if (!API_NAME.matcher(attrName).matches()) {
                    throw new MarketoException(ErrorCode.INVALID_DATA, "attribute apiName '" + Echo.of(attrName) + "' is not valid");
                }
                if (findAttribute(draft, attrName).isPresent()) {
                    throw new MarketoException(ErrorCode.OBJECT_EXISTS, "Attribute '" + attrName + "' already exists");
                }
                ObjectNode attr = attribute(a, attrName, true);
                if (a.path("isPrimary").asBoolean(false)) {
                    demotePrimary(draft);
                    draft.set("primaryAttribute", attr);
                } else {
                    attrs.add(attr);
                }
            }
            if (attrs.size() > MAX_ATTRIBUTES) {
                throw MarketoException.of(ErrorCode.MAX_FIELDS);
            }
        });
    }

    Custom updateAttributes(long instance, String apiName, JsonNode body) {
        return edit(instance, apiName, draft -> {
            for (JsonNode a : attributeInput(body)) {
                String attrName = required(a, "apiName");
                ObjectNode existing = findAttribute(draft, attrName).orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND,
                        "Attribute '" + Echo.of(attrName) + "' not found"));
                ObjectNode merged = attribute(a, attrName, false);
                merged.properties().forEach(e -> existing.set(e.getKey(), e.getValue()));
                if (a.has("isPrimary") && a.get("isPrimary").asBoolean(false) && !existing.equals(draft.get("primaryAttribute"))) {
                    attributes(draft).removeIf(x -> x.path("apiName").asString().equals(attrName));
                    demotePrimary(draft);
                    draft.set("primaryAttribute", existing);
                }
            }
        });
    }

    Custom deleteAttributes(long instance, String apiName, JsonNode body) {
        return edit(instance, apiName, draft -> {
            for (JsonNode a : attributeInput(body)) {
                String attrName = required(a, "apiName");
                if (draft.path("primaryAttribute").path("apiName").asString().equals(attrName)) {
                    throw new MarketoException(ErrorCode.BUSINESS_RULE_VIOLATION, "The primary attribute cannot be deleted; make another primary first");
                }
                ArrayNode attrs = attributes(draft);
                int before = attrs.size();
                attrs.removeIf(x -> x.path("apiName").asString().equals(attrName));
                if (attrs.size() == before) {
                    throw new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Attribute '" + Echo.of(attrName) + "' not found");
                }
            }
        });
    }

    /** The draft becomes the approved version. */
    Custom approve(long instance, String apiName) {
        jdbi.useTransaction(h -> {
            Custom c = locked(h, instance, apiName);
            if (c.draft() == null) {
                throw new MarketoException(ErrorCode.BUSINESS_RULE_VIOLATION, "Activity type '" + apiName + "' has no draft to approve");
            }
            save(h, instance, apiName, c.draft(), null);
        });
        return afterChange(instance, apiName);
    }

    Custom discardDraft(long instance, String apiName) {
        jdbi.useTransaction(h -> {
            Custom c = locked(h, instance, apiName);
            if (c.draft() == null || c.approved() == null) {
                throw new MarketoException(ErrorCode.BUSINESS_RULE_VIOLATION, c.approved() == null
                        ? "Activity type '" + apiName + "' has never been approved; delete it instead"
                        : "Activity type '" + apiName + "' has no draft");
            }
            save(h, instance, apiName, c.approved(), null);
        });
        return afterChange(instance, apiName);
    }

    /** Deletes a type no activity has been recorded for. */
    Custom delete(long instance, String apiName) {
        Custom deleted = jdbi.inTransaction(h -> {
            Custom c = locked(h, instance, apiName);
            long used = h.createQuery(IN_USE).bind("instance", instance).bind("id", c.id()).mapTo(Long.class).one();
            if (used > 0) {
                throw new MarketoException(ErrorCode.OBJECT_IN_USE, "Activity type '" + apiName + "' has " + used + " activities");
            }
            h.createUpdate(DELETE).bind("instance", instance).bind("apiName", apiName).execute();
            return c;
        });
        cache.remove(instance);
        changes.changed();
        return deleted;
    }

    /** The external view of a custom type ({@code describe} adds the attributes). */
    static Map<String, Object> view(Custom c, JsonNode doc, boolean withAttributes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("apiName", c.apiName());
        m.put("name", doc.path("name").asString());
        if (doc.hasNonNull("description")) {
            m.put("description", doc.path("description").asString());
        }
        m.put("triggerName", doc.path("triggerName").asString());
        m.put("filterName", doc.path("filterName").asString());
        m.put("createdAt", c.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("updatedAt", c.updatedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("status", c.status());
        if (withAttributes) {
            m.put("primaryAttribute", doc.path("primaryAttribute"));
            m.put("attributes", doc.path("attributes").isArray() ? doc.path("attributes") : List.of());
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------

    private interface Edit {
        void apply(ObjectNode draft);
    }

    private Custom edit(long instance, String apiName, Edit edit) {
        jdbi.useTransaction(h -> {
            Custom c = locked(h, instance, apiName);
            ObjectNode draft = (ObjectNode) c.current().deepCopy();
            edit.apply(draft);
            List<Custom> others = h.createQuery(LIST).bind("instance", instance).map(ActivityTypes::mapCustom).list().stream()
                    .filter(o -> o.id() != c.id()).toList();
            uniqueNames(others, draft, apiName);
            save(h, instance, apiName, c.approved(), draft);
        });
        return afterChange(instance, apiName);
    }

    private void save(Handle h, long instance, String apiName, JsonNode approved, JsonNode draft) {
        h.createUpdate(SAVE).bind("instance", instance).bind("apiName", apiName)
                .bind("approved", approved == null ? null : approved.toString())
                .bind("draft", draft == null ? null : draft.toString()).bind("now", clock.millis()).execute();
    }

    /** After a change has been committed: every cache drops the instance's types, and the type is read as stored. */
    private Custom afterChange(long instance, String apiName) {
        cache.remove(instance);
        changes.changed();
        return custom(instance, apiName);
    }

    private static void applyTypeFields(ObjectNode doc, JsonNode body, boolean creating) {
        if (!body.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        for (String field : List.of("name", "triggerName", "filterName")) {
            String v = creating ? required(body, field) : optional(body, field);
            if (v != null) {
                if (field.equals("name") && !DISPLAY_NAME.matcher(v).matches()) {
                    throw new MarketoException(ErrorCode.INVALID_DATA, "name must hold letters, digits, spaces or '_', with at least one letter");
                }
                doc.put(field, v);
            }
        }
        String description = optional(body, "description");
        if (description != null) {
            doc.put("description", description);
        }
        JsonNode primary = body.get("primaryAttribute");
        if (primary == null || primary.isNull()) {
            if (creating) {
                throw MarketoException.of(ErrorCode.BLANK, "primaryAttribute");
            }
        } else {
            if (!primary.isObject()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
            doc.set("primaryAttribute", attribute(primary, required(primary, "apiName"), true));
        }
        if (!doc.has("attributes")) {
            doc.set("attributes", Json.MAPPER.createArrayNode());
        }
    }

    private static ObjectNode attribute(JsonNode a, String apiName, boolean creating) {
        ObjectNode attr = Json.MAPPER.createObjectNode();
        attr.put("apiName", apiName);
        String name = creating ? required(a, "name") : optional(a, "name");
        if (name != null) {
            attr.put("name", name);
        }
        String description = optional(a, "description");
        if (description != null) {
            attr.put("description", description);
        }
        String type = optional(a, "dataType");
        if (type != null || creating) {
            String t = type == null ? "string" : type.toLowerCase(Locale.ROOT);
            if (!DATA_TYPES.contains(t)) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "dataType '" + Echo.of(t) + "' is not one of " + String.join(", ",
                        DATA_TYPES.stream().sorted().toList()));
            }
            attr.put("dataType", t);
        }
        return attr;
    }

    private static JsonNode attributeInput(JsonNode body) {
        JsonNode list = body.isObject() ? body.get("attributes") : null;
        if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
            throw MarketoException.of(ErrorCode.BLANK, "attributes");
        }
        if (!list.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        for (JsonNode a : list) {
            if (!a.isObject()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
        }
        return list;
    }

    private static ArrayNode attributes(ObjectNode draft) {
        JsonNode a = draft.get("attributes");
        if (a instanceof ArrayNode array) {
            return array;
        }
        ArrayNode fresh = Json.MAPPER.createArrayNode();
        draft.set("attributes", fresh);
        return fresh;
    }

    private static Optional<ObjectNode> findAttribute(ObjectNode draft, String apiName) {
        if (draft.path("primaryAttribute").path("apiName").asString().equals(apiName)) {
            return Optional.of((ObjectNode) draft.get("primaryAttribute"));
        }
        for (JsonNode a : attributes(draft)) {
            if (a.path("apiName").asString().equals(apiName)) {
                return Optional.of((ObjectNode) a);
            }
        }
        return Optional.empty();
    }

    private static void demotePrimary(ObjectNode draft) {
        JsonNode old = draft.get("primaryAttribute");
        if (old != null && old.isObject()) {
            attributes(draft).add(old);
        }
    }

    private static void uniqueNames(List<Custom> others, JsonNode doc, String apiName) {
        for (Custom o : others) {
            if (o.apiName().equals(apiName)) {
                continue;
            }
            for (String f : List.of("triggerName", "filterName")) {
                String mine = doc.path(f).asString("");
                for (JsonNode v : new JsonNode[] {o.approved(), o.draft()}) {
                    if (v != null && !mine.isEmpty() && mine.equalsIgnoreCase(v.path(f).asString(""))) {
                        throw new MarketoException(ErrorCode.OBJECT_EXISTS, f + " '" + mine + "' is used by activity type '" + o.apiName() + "'");
                    }
                }
            }
        }
    }

    private static Type toType(int id, JsonNode doc) {
        JsonNode p = doc.path("primaryAttribute");
        Attribute primary = p.isObject() ? new Attribute(p.path("apiName").asString(), p.path("name").asString(),
                p.path("description").asString(null), p.path("dataType").asString("string")) : null;
        List<Attribute> attrs = new ArrayList<>();
        for (JsonNode a : doc.path("attributes")) {
            attrs.add(new Attribute(a.path("apiName").asString(), a.path("name").asString(), a.path("description").asString(null),
                    a.path("dataType").asString("string")));
        }
        return new Type(id, doc.path("name").asString(), doc.path("description").asString(null), primary, attrs);
    }

    private static Type standard(int id, String name, String description, String primaryName, String primaryType, String... attributes) {
        List<Attribute> attrs = new ArrayList<>();
        for (String a : attributes) {
            attrs.add(new Attribute(null, a, null, a.endsWith(" ID") ? "integer" : a.equals("Is Mobile Device") || a.equals("Remove from CRM")
                    ? "boolean" : a.equals("Form Fields") ? "text" : "string"));
        }
        return new Type(id, name, description, primaryName == null ? null : new Attribute(null, primaryName, null, primaryType), attrs);
    }

    private static Type audited(Type t) {
        List<Attribute> attrs = new ArrayList<>(t.attributes());
        API_AUDIT.forEach(a -> attrs.add(new Attribute(null, a, null, "string")));
        return new Type(t.id(), t.name(), t.description(), t.primary(), attrs);
    }

    private static String required(JsonNode n, String field) {
        String v = optional(n, field);
        if (v == null || v.isBlank()) {
            throw MarketoException.of(ErrorCode.BLANK, field);
        }
        return v;
    }

    private static String optional(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return v.asString().strip();
    }

    private static JsonNode json(String text) {
        return text == null ? null : Json.MAPPER.readTree(text);
    }

}
