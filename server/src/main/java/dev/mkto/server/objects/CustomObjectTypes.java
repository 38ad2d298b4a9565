package dev.mkto.server.objects;

import dev.mkto.server.admin.Changes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.leads.LeadSchema;
import dev.mkto.server.objects.ObjectKind.Action;
import dev.mkto.server.objects.TypeDefinition.Field;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Custom object types, Marketo's way: a type is created as a draft; its fields are added,
 * changed and removed on the draft; approving makes the draft the live version, which is when
 * records can be written. Changing an approved type makes a new draft beside it
 * ("approvedWithDraft") until that is approved or discarded. Every approved type is an
 * {@link ObjectKind}; a change reaches every process through {@link Changes}.
 */
public final class CustomObjectTypes implements Changes.Listener {

    static final int MAX_TYPES = 10;
    static final int MAX_FIELDS = 50;
    static final int MAX_DEDUPE_FIELDS = 3;

    /** A stored type: its live and draft versions (either may be absent, not both). */
    record Stored(long id, String apiName, TypeDefinition approved, TypeDefinition draft, long createdAt, Long approvedAt,
                  long updatedAt) {
        String state() {
            return approved == null ? "draft" : draft == null ? "approved" : "approvedWithDraft";
        }

        /** The version shown by default: the approved one if there is one. */
        TypeDefinition current() {
            return approved != null ? approved : draft;
        }

        /** The version changes apply to: the draft, or a new draft copied from the approved version. */
        TypeDefinition editable() {
            return draft != null ? draft : approved;
        }
    }

    /** What Sync Custom Object Type sets; null members are left as they are. */
    record TypeSpec(String apiName, String displayName, String pluralName, String description, Boolean showInLeadDetail) {
    }

    /** A field as Add Custom Object Type Fields and Update Custom Object Type Field send it; null members are not given. */
    record FieldSpec(String name, String displayName, String description, String dataType, Boolean dedupe, String relatedToName,
                     String relatedToField) {
    }

    private static final String COLUMNS = "id, api_name, approved, draft, created_at, approved_at, updated_at";
    private static final String LIST = "SELECT " + COLUMNS + " FROM custom_object_type WHERE instance_id = :instance ORDER BY id";
    private static final String LOCK = "SELECT " + COLUMNS + " FROM custom_object_type WHERE instance_id = :instance "
            + "AND api_name_lc = :lc FOR UPDATE";
    private static final String COUNT = "SELECT COUNT(*) FROM custom_object_type WHERE instance_id = :instance";
    private static final String INSERT = "INSERT INTO custom_object_type (instance_id, api_name, api_name_lc, draft, created_at, "
            + "updated_at) VALUES (:instance, :apiName, :lc, :draft, :now, :now)";
    private static final String SAVE = "UPDATE custom_object_type SET approved = :approved, draft = :draft, approved_at = :approvedAt, "
            + "updated_at = :now WHERE id = :id";
    private static final String DELETE = "DELETE FROM custom_object_type WHERE id = :id";

    private final Jdbi jdbi;
    private final ObjectRepository records;
    private final LeadSchema leadSchema;
    private final Changes changes;
    private final InstantSource clock;
    private final Map<Long, Map<String, Stored>> cache = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, ObjectKind>> kinds = new ConcurrentHashMap<>();

    public CustomObjectTypes(Jdbi jdbi, LeadSchema leadSchema, Changes changes, InstantSource clock) {
        this.jdbi = jdbi;
        this.records = new ObjectRepository(jdbi);
        this.leadSchema = leadSchema;
        this.changes = changes;
        this.clock = clock;
        changes.subscribe(this);
    }

    @Override
    public void changed() {
        cache.clear();
        kinds.clear();
    }

    // ----- reading ------------------------------------------------------------------------------

    Map<String, Stored> types(long instance) {
        return cache.computeIfAbsent(instance, i -> jdbi.withHandle(h -> {
            Map<String, Stored> out = new LinkedHashMap<>();
            h.createQuery(LIST).bind("instance", i).map((rs, ctx) -> map(rs)).forEach(s -> out.put(lc(s.apiName()), s));
            return Collections.unmodifiableMap(out);
        }));
    }

    Optional<Stored> type(long instance, String apiName) {
        return Optional.ofNullable(types(instance).get(lc(apiName)));
    }

    Stored require(long instance, String apiName) {
        return type(instance, apiName).orElseThrow(() -> notFound(apiName));
    }

    /** An approved type as a kind. */
    Optional<ObjectKind> kind(long instance, String apiName) {
        return Optional.ofNullable(approvedKinds(instance).get(lc(apiName)));
    }

    /** Every approved type as a kind. */
    List<ObjectKind> kinds(long instance) {
        return List.copyOf(approvedKinds(instance).values());
    }

    private Map<String, ObjectKind> approvedKinds(long instance) {
        return kinds.computeIfAbsent(instance, i -> {
            Map<String, ObjectKind> out = new LinkedHashMap<>();
            for (Stored s : types(i).values()) {
                if (s.approved() != null) {
                    out.put(lc(s.apiName()), kindOf(i, s, s.approved()));
                }
            }
            return out;
        });
    }

    /** A version of a type as a kind (see {@link CustomKinds}). */
    ObjectKind kindOf(long instance, Stored s, TypeDefinition d) {
        return CustomKinds.kindOf(s, d, types(instance), leadSchema.fields(instance));
    }

    private Optional<ObjectField> linkTarget(long instance, String objectName, String fieldName) {
        return CustomKinds.linkTarget(objectName, fieldName, types(instance), leadSchema.fields(instance));
    }

    // ----- changing -----------------------------------------------------------------------------

    /** Sync Custom Object Type: creates a draft type, or changes a type's names in its draft. */
    void sync(long instance, Action action, TypeSpec spec) {
        String apiName = spec.apiName();
        inTransaction(h -> {
            Optional<Stored> existing = lock(h, instance, apiName);
            if (existing.isPresent()) {
                if (action == Action.CREATE_ONLY) {
                    throw new MarketoException(ErrorCode.OBJECT_EXISTS, "Object already exists: custom object type '"
                            + existing.get().apiName() + "'");
                }
                Stored s = existing.get();
                TypeDefinition d = s.editable();
                String displayName = spec.displayName() == null ? d.displayName() : TypeDefinition.checkDisplayName(spec.displayName());
                if (s.approved() != null && !displayName.equals(s.approved().displayName())) {
                    throw rule("The displayName of an approved custom object type cannot change");
                }
                checkDisplayNameFree(instance, displayName, s.id());
                save(h, s, s.approved(), d.withNames(displayName,
                        orElse(TypeDefinition.checkPluralName(spec.pluralName()), d.pluralName()),
                        orElse(TypeDefinition.checkDescription(spec.description()), d.description()),
                        spec.showInLeadDetail() == null ? d.showInLeadDetail() : spec.showInLeadDetail()), s.approvedAt());
                return;
            }
            if (action == Action.UPDATE_ONLY) {
                throw notFound(apiName);
            }
            TypeDefinition.checkApiName(apiName);
            if (spec.displayName() == null) {
                throw MarketoException.of(ErrorCode.BLANK, "displayName");
            }
            String displayName = TypeDefinition.checkDisplayName(spec.displayName());
            checkDisplayNameFree(instance, displayName, 0);
            if (h.createQuery(COUNT).bind("instance", instance).mapTo(Long.class).one() >= MAX_TYPES) {
                throw rule("An instance can have at most " + MAX_TYPES + " custom object types");
            }
            TypeDefinition d = new TypeDefinition(displayName, TypeDefinition.checkPluralName(spec.pluralName()),
                    TypeDefinition.checkDescription(spec.description()), Boolean.TRUE.equals(spec.showInLeadDetail()), List.of());
            h.createUpdate(INSERT).bind("instance", instance).bind("apiName", apiName).bind("lc", lc(apiName)).bind("draft", d.toJson())
                    .bind("now", clock.millis()).execute();
        });
    }

    /** Adds fields to a type's draft, all or none. */
    void addFields(long instance, String apiName, List<FieldSpec> specs) {
        edit(instance, apiName, (s, d) -> {
            List<Field> fields = new ArrayList<>(d.fields());
            for (FieldSpec spec : specs) {
                if (spec.name() == null) {
                    throw MarketoException.of(ErrorCode.BLANK, "name");
                }
                TypeDefinition.checkFieldName(spec.name());
                if (TypeDefinition.STANDARD_FIELDS.stream().anyMatch(n -> n.equalsIgnoreCase(spec.name()))
                        || fields.stream().anyMatch(f -> f.name().equalsIgnoreCase(spec.name()))) {
                    throw new MarketoException(ErrorCode.INVALID_DATA, "Field '" + spec.name() + "' already exists");
                }
                Field f = checkField(instance, s, new Field(spec.name(), null, null, null, false, null, null), spec, fields);
                if (s.approved() != null && (f.isLink() || f.dedupe())) {
                    throw rule("Link and dedupe fields cannot be added to an approved custom object type");
                }
                fields.add(f);
            }
            if (fields.size() > MAX_FIELDS) {
                throw new MarketoException(ErrorCode.MAX_FIELDS, "Max field limit reached: a custom object type can have at "
                        + "most " + MAX_FIELDS + " fields");
            }
            return d.withFields(fields);
        });
    }

    /** Changes one field of a type's draft. */
    void updateField(long instance, String apiName, String fieldName, FieldSpec spec) {
        edit(instance, apiName, (s, d) -> {
            Field current = d.field(fieldName)
                    .orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(fieldName)));
            if (spec.name() != null && !spec.name().equals(current.name())) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "A field's name cannot change");
            }
            List<Field> others = d.fields().stream().filter(f -> f != current).toList();
            Field changed = checkField(instance, s, current, spec, others);
            Optional<Field> live = s.approved() == null ? Optional.empty() : s.approved().field(current.name());
            // a dedupe field keeps its type too: its records' keys were made under it
            if (live.isPresent() && (live.get().dedupe() != changed.dedupe() || live.get().isLink() != changed.isLink()
                    || (changed.dedupe() && !changed.dataType().equals(live.get().dataType()))
                    || (changed.isLink() && !(changed.relatedToName().equalsIgnoreCase(live.get().relatedToName())
                    && changed.relatedToField().equalsIgnoreCase(live.get().relatedToField()))))) {
                throw rule("The link and dedupe fields of an approved custom object type cannot change");
            }
            List<Field> fields = new ArrayList<>(d.fields());
            fields.set(fields.indexOf(current), changed);
            return d.withFields(fields);
        });
    }

    /** Removes fields from a type's draft, all or none. */
    void deleteFields(long instance, String apiName, List<String> names) {
        edit(instance, apiName, (s, d) -> {
            List<Field> fields = new ArrayList<>(d.fields());
            for (String name : names) {
                if (TypeDefinition.STANDARD_FIELDS.stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
                    throw new MarketoException(ErrorCode.INVALID_DATA, "Field '" + name + "' is a standard field and cannot be deleted");
                }
                Field f = fields.stream().filter(x -> x.name().equalsIgnoreCase(name)).findFirst()
                        .orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(name)));
                if (s.approved() != null && s.approved().field(f.name()).map(x -> x.dedupe() || x.isLink()).orElse(false)) {
                    throw rule("The link and dedupe fields of an approved custom object type cannot be deleted");
                }
                fields.remove(f);
            }
            return d.withFields(fields);
        });
    }

    /** Makes the draft the live version. Records written under the previous version keep only what still fits. */
    void approve(long instance, String apiName) {
        inTransaction(h -> {
            Stored s = lock(h, instance, apiName).orElseThrow(() -> notFound(apiName));
            if (s.draft() == null) {
                throw rule("Custom object type '" + s.apiName() + "' has no draft to approve");
            }
            TypeDefinition d = s.draft();
            int dedupe = d.dedupeFields().size();
            if (dedupe < 1 || dedupe > MAX_DEDUPE_FIELDS) {
                throw rule("A custom object type needs from 1 to " + MAX_DEDUPE_FIELDS + " dedupe fields to be approved; '" + s.apiName()
                        + "' has " + dedupe);
            }
            for (Field f : d.linkFields()) {
                if (linkTarget(instance, f.relatedToName(), f.relatedToField()).isEmpty()) {
                    throw rule("Link field '" + f.name() + "' points at " + f.relatedToName() + "." + f.relatedToField()
                            + ", which cannot be linked to");
                }
            }
            long now = clock.millis();
            Stored approved = new Stored(s.id(), s.apiName(), d, null, s.createdAt(), s.approvedAt() == null ? now : s.approvedAt(), now);
            save(h, s, d, null, approved.approvedAt());
            if (s.approved() != null && !s.approved().fields().equals(d.fields())) {
                rewriteRecords(instance, kindOf(instance, approved, d));
            }
        });
    }

    /** Discards the draft: back to the approved version, or, for a type never approved, the type is gone. */
    void discardDraft(long instance, String apiName) {
        inTransaction(h -> {
            Stored s = lock(h, instance, apiName).orElseThrow(() -> notFound(apiName));
            if (s.draft() == null) {
                throw new MarketoException(ErrorCode.DISCARD_DRAFT_FAILED, "Custom Object Discard Draft Failed: '" + s.apiName()
                        + "' has no draft");
            }
            if (s.approved() == null) {
                h.createUpdate(DELETE).bind("id", s.id()).execute();
            } else {
                save(h, s, s.approved(), null, s.approvedAt());
            }
        });
    }

    /** Deletes a type that has no records and that no other type links to. */
    void delete(long instance, String apiName) {
        inTransaction(h -> {
            Stored s = lock(h, instance, apiName).orElseThrow(() -> notFound(apiName));
            for (Stored other : types(instance).values()) {
                TypeDefinition od = other.editable();
                if (other.id() != s.id() && od.linkFields().stream().anyMatch(f -> f.relatedToName().equalsIgnoreCase(s.apiName()))) {
                    throw new MarketoException(ErrorCode.OBJECT_IN_USE, "Object in use: custom object type '" + other.apiName()
                            + "' links to '" + s.apiName() + "'");
                }
            }
            if (s.approved() != null) {
                long count = records.count(kindOf(instance, s, s.approved()), instance);
                if (count > 0) {
                    throw new MarketoException(ErrorCode.OBJECT_IN_USE, "Object in use: custom object type '" + s.apiName() + "' has "
                            + count + " record(s); delete them first");
                }
            }
            h.createUpdate(DELETE).bind("id", s.id()).execute();
        });
    }

    // ----- helpers --------------------------------------------------------------------------------

    /** Applies a change to a type's editable version, making it (or keeping it) the draft. */
    private void edit(long instance, String apiName, java.util.function.BiFunction<Stored, TypeDefinition, TypeDefinition> change) {
        inTransaction(h -> {
            Stored s = lock(h, instance, apiName).orElseThrow(() -> notFound(apiName));
            save(h, s, s.approved(), change.apply(s, s.editable()), s.approvedAt());
        });
    }

    /** A field with the given changes applied, checked: names, type, link target, dedupe limits. */
    private Field checkField(long instance, Stored s, Field base, FieldSpec spec, List<Field> others) {
        String displayName = spec.displayName() != null ? TypeDefinition.checkDisplayName(spec.displayName()) : base.displayName();
        if (displayName == null) {
            throw MarketoException.of(ErrorCode.BLANK, "displayName");
        }
        if (others.stream().anyMatch(f -> f.displayName().equalsIgnoreCase(displayName))) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "displayName '" + displayName + "' is already used by another field");
        }
        String dataType = spec.dataType() != null ? spec.dataType().strip().toLowerCase(Locale.ROOT) : base.dataType();
        if (dataType == null) {
            throw MarketoException.of(ErrorCode.BLANK, "dataType");
        }
        if (!TypeDefinition.DATA_TYPES.contains(dataType)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid dataType '" + Echo.of(spec.dataType()) + "'; use one of "
                    + String.join(", ", TypeDefinition.DATA_TYPES));
        }
        boolean dedupe = spec.dedupe() != null ? spec.dedupe() : base.dedupe();
        String relatedName = spec.relatedToName() != null ? spec.relatedToName() : base.relatedToName();
        String relatedField = spec.relatedToField() != null ? spec.relatedToField() : base.relatedToField();
        if (dataType.equals("link")) {
            if (relatedName == null || relatedField == null) {
                throw MarketoException.of(ErrorCode.BLANK, "relatedTo");
            }
            if (relatedName.equalsIgnoreCase(s.apiName()) || linkTarget(instance, relatedName, relatedField).isEmpty()) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid relatedTo " + Echo.of(relatedName) + "."
                        + Echo.of(relatedField) + ": link to a searchable lead field, to company id or externalCompanyId, or to "
                        + "the marketoGUID or single dedupe field of an approved custom object type that has no link fields");
            }
        } else {
            relatedName = null;
            relatedField = null;
        }
        if (dedupe && others.stream().filter(Field::dedupe).count() >= MAX_DEDUPE_FIELDS) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "A custom object type can have at most " + MAX_DEDUPE_FIELDS
                    + " dedupe fields");
        }
        String description = spec.description() != null ? TypeDefinition.checkDescription(spec.description()) : base.description();
        return new Field(base.name(), displayName, description, dataType, dedupe, relatedName, relatedField);
    }

    /** Writes every record of a kind again under its new version: values that no longer fit are dropped. */
    private void rewriteRecords(long instance, ObjectKind kind) {
        long after = 0;
        while (true) {
            List<Long> ids = records.idsAfter(kind, instance, after, 500);
            if (ids.isEmpty()) {
                return;
            }
            List<ObjectRepository.Row> rows = new ArrayList<>(records.byIds(kind, instance, ids).values());
            for (ObjectRepository.Row r : rows) {
                records.update(kind, instance, List.of(r), r.updatedAt().toEpochMilli());
            }
            after = ids.getLast();
        }
    }

    private void checkDisplayNameFree(long instance, String displayName, long self) {
        for (Stored other : types(instance).values()) {
            if (other.id() != self && other.current().displayName().equalsIgnoreCase(displayName)) {
                throw new MarketoException(ErrorCode.OBJECT_EXISTS, "Object already exists: custom object type '"
                        + other.apiName() + "' has the displayName '" + displayName + "'");
            }
        }
    }

    private void inTransaction(java.util.function.Consumer<Handle> work) {
        jdbi.useTransaction(h -> {
            work.accept(h);
            changes.changed();
        });
    }

    private Optional<Stored> lock(Handle h, long instance, String apiName) {
        if (apiName.indexOf('\0') >= 0) {
            return Optional.empty(); // no type has it, and PostgreSQL cannot compare it
        }
        return h.createQuery(LOCK).bind("instance", instance).bind("lc", lc(apiName)).map((rs, ctx) -> map(rs)).findOne();
    }

    private void save(Handle h, Stored s, TypeDefinition approved, TypeDefinition draft, Long approvedAt) {
        h.createUpdate(SAVE).bind("id", s.id()).bind("approved", approved == null ? null : approved.toJson())
                .bind("draft", draft == null ? null : draft.toJson()).bind("approvedAt", approvedAt).bind("now", clock.millis()).execute();
    }

    private static Stored map(java.sql.ResultSet rs) throws java.sql.SQLException {
        String approved = rs.getString("approved");
        String draft = rs.getString("draft");
        long approvedAt = rs.getLong("approved_at");
        Long at = rs.wasNull() ? null : approvedAt;
        return new Stored(rs.getLong("id"), rs.getString("api_name"), approved == null ? null : TypeDefinition.fromJson(approved),
                draft == null ? null : TypeDefinition.fromJson(draft), rs.getLong("created_at"), at, rs.getLong("updated_at"));
    }

    static MarketoException notFound(String apiName) {
        return new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Object not found: no custom object type '"
                + Echo.of(apiName) + "'");
    }

    private static MarketoException rule(String message) {
        return new MarketoException(ErrorCode.BUSINESS_RULE_VIOLATION, "Business Rule Violation: " + message);
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }

    static String lc(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
