package dev.mkto.server.objects;

import dev.mkto.server.access.Caller;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.leads.FieldType;
import dev.mkto.server.leads.LeadService;
import dev.mkto.server.objects.ObjectKind.Action;
import dev.mkto.server.objects.ObjectRepository.Row;
import dev.mkto.server.objects.ObjectRepository.Target;
import dev.mkto.server.objects.Records.Reason;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/**
 * Query, sync, delete and describe for every object kind, standard or custom: the kinds differ
 * in data only. Records belong to the instance, not to partitions; a link to a lead reaches only
 * the leads of the partitions where the caller holds the kind's write permission.
 */
public final class ObjectService {

    /** Marketo's batch limit for inputs, filter values and page sizes. */
    static final int MAX_BATCH = 300;

    /** SQL states after which a sync is run again: unique violation, serialization failure or H2's deadlock, PostgreSQL's deadlock. */
    private static final Set<String> CONFLICTS = Set.of("23505", "40001", "40P01");

    /** One page of a query. */
    record Page(List<Map<String, Object>> records, String nextPageToken) {
    }

    /**
     * What a query looks for: {@code filterType} and either its {@code values} (simple keys) or,
     * from a JSON body, {@code input} objects holding each field of the key.
     */
    record Filter(String filterType, List<String> values, List<Map<String, JsonNode>> input) {
    }

    private final Jdbi jdbi;
    private final ObjectRepository repository;
    private final NamedAccountListMembers members;
    private final CustomObjectTypes types;
    private final LeadService leads;
    private final Instances instances;
    private final InstantSource clock;

    public ObjectService(Jdbi jdbi, CustomObjectTypes types, LeadService leads, Instances instances, InstantSource clock) {
        this.jdbi = jdbi;
        this.repository = new ObjectRepository(jdbi);
        this.members = new NamedAccountListMembers(jdbi, repository);
        this.types = types;
        this.leads = leads;
        this.instances = instances;
        this.clock = clock;
    }

    /** Named account list membership. */
    NamedAccountListMembers members() {
        return members;
    }

    // ----- kinds --------------------------------------------------------------------------------

    /** An approved custom object type as a kind; unknown names are 1013. */
    ObjectKind customKind(Caller caller, String apiName) {
        return types.kind(caller.instanceId(), apiName).orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND,
                "Object not found: no custom object type '" + Echo.of(apiName) + "'"));
    }

    /** A standard kind or an approved custom object type, by API name. */
    Optional<ObjectKind> kind(long instance, String name) {
        return StandardKinds.byName(name).or(() -> types.kind(instance, name));
    }

    private List<ObjectKind> allKinds(long instance) {
        List<ObjectKind> all = new ArrayList<>(StandardKinds.ALL);
        all.addAll(types.kinds(instance));
        return all;
    }

    // ----- query --------------------------------------------------------------------------------

    /** Records matching a filter, a page at a time in record order. */
    Page query(Caller caller, ObjectKind kind, Filter filter, List<String> fieldNames, int batchSize, String pageToken) {
        List<ObjectField> set = kind.searchable(filter.filterType())
                .orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_SUPPORTED, Echo.of(filter.filterType())));
        List<String> keys = filter.input() != null ? compoundKeys(set, filter.input())
                : simpleKeys(filter.filterType(), set, filter.values());
        List<ObjectField> fields = fields(kind, fieldNames, set);
        long after = Records.decodePageToken(pageToken);
        List<Long> ids = repository.idsMatching(kind, caller.instanceId(), target(kind, set), keys, after, batchSize + 1);
        boolean more = ids.size() > batchSize;
        List<Long> page = more ? ids.subList(0, batchSize) : ids;
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row row : repository.byIds(kind, caller.instanceId(), page).values()) {
            out.add(Records.render(kind, row, fields, out.size()));
        }
        return new Page(out, more ? Records.encodePageToken(page.getLast()) : null);
    }

    private static List<String> simpleKeys(String filterType, List<ObjectField> set, List<String> values) {
        if (values.size() > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "filterValues holds " + values.size() + " values; at most " + MAX_BATCH
                    + " are allowed");
        }
        if (set.size() > 1) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "filterType '" + filterType + "' is a compound key ("
                    + String.join(", ", set.stream().map(ObjectField::name).toList())
                    + "): send it as a JSON body with an 'input' array, by POST with _method=GET");
        }
        ObjectField field = set.getFirst();
        Set<String> keys = new LinkedHashSet<>();
        for (String raw : values) {
            parseText(field, raw).ifPresent(v -> keys.add(field.key(v)));
        }
        return new ArrayList<>(keys);
    }

    private static List<String> compoundKeys(List<ObjectField> set, List<Map<String, JsonNode>> input) {
        if (input.size() > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "input holds " + input.size() + " records; at most " + MAX_BATCH
                    + " are allowed");
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, JsonNode> item : input) {
            List<String> parts = new ArrayList<>();
            for (ObjectField f : set) {
                JsonNode node = valueOf(item, f.name());
                Optional<Object> v = node == null || node.isContainer() ? Optional.empty()
                        : parseText(f, node.isString() ? node.asString() : node.toString());
                if (v.isEmpty()) {
                    break;
                }
                parts.add(f.key(v.get()));
            }
            if (parts.size() == set.size()) {
                keys.add(ObjectField.compound(parts));
            }
        }
        return new ArrayList<>(keys);
    }

    /** A member of a record by field name, without regard to case. */
    static JsonNode valueOf(Map<String, JsonNode> record, String fieldName) {
        JsonNode exact = record.get(fieldName);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> e : record.entrySet()) {
            if (e.getKey().equalsIgnoreCase(fieldName)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A filter value as the field's type; a value the type cannot hold matches nothing. */
    private static Optional<Object> parseText(ObjectField field, String raw) {
        if (raw.isEmpty() || !FieldType.storable(raw)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(field.type().fromText(raw, null, null));
        } catch (FieldType.Invalid e) {
            return Optional.empty();
        }
    }

    /** Where the values of a set of fields are looked up. */
    static Target target(ObjectKind kind, List<ObjectField> set) {
        if (set.size() == 1 && set.getFirst().name().equals(kind.idField())) {
            return new ObjectRepository.ById(kind.numericId());
        }
        if (set.equals(kind.dedupe())) {
            return new ObjectRepository.ByDedupe();
        }
        return new ObjectRepository.ByIndex(String.join("+", set.stream().map(ObjectField::name).toList()));
    }

    /** The fields a query shows: those asked for (1006 for unknown ones), or the kind's default; the id field always. */
    private static List<ObjectField> fields(ObjectKind kind, List<String> names, List<ObjectField> filterSet) {
        Set<ObjectField> out = new LinkedHashSet<>();
        out.add(kind.idFieldDef());
        if (!names.isEmpty()) {
            for (String n : names) {
                out.add(kind.field(n).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(n))));
            }
        } else if (kind.defaultFields() == ObjectKind.DefaultFields.ALL) {
            out.addAll(kind.fields());
        } else {
            out.addAll(kind.dedupe());
            out.addAll(filterSet);
            kind.field("createdAt").ifPresent(out::add);
            kind.field("updatedAt").ifPresent(out::add);
        }
        return new ArrayList<>(out);
    }

    // ----- sync and delete ------------------------------------------------------------------------

    /** Creates and updates records in input order, each on its own, in one transaction. */
    List<Map<String, Object>> sync(Caller caller, ObjectKind kind, Action action, boolean byIdField, List<Map<String, JsonNode>> input) {
        if (!kind.actions().contains(action)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid action '" + action.wire() + "'; use "
                    + String.join(" or ", kind.actions().stream().map(Action::wire).toList()));
        }
        if (byIdField && action == Action.CREATE_ONLY) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "dedupeBy 'idField' cannot be used with action 'createOnly'");
        }
        checkBatch(input.size());
        return retryingConflicts(() -> jdbi.inTransaction(h -> new SyncBatch(this, repository, caller, kind, action, byIdField, input,
                clock.millis()).run()));
    }

    /** Deletes records by id field or dedupe fields; a record something else depends on is skipped with 1022. */
    List<Map<String, Object>> delete(Caller caller, ObjectKind kind, boolean byIdField, List<Map<String, JsonNode>> input) {
        checkBatch(input.size());
        long instance = caller.instanceId();
        return jdbi.inTransaction(h -> {
            List<ObjectField> keyFields = byIdField ? List.of(kind.idFieldDef()) : kind.dedupe();
            Target target = target(kind, keyFields);
            List<Object> keys = new ArrayList<>();
            for (Map<String, JsonNode> item : input) {
                keys.add(item == null ? Reason.INVALID_DATA : keyOf(keyFields, item));
            }
            Map<String, Row> found = repository.byKeys(kind, instance, target,
                    keys.stream().filter(String.class::isInstance).map(String.class::cast).distinct().toList());
            Set<Long> inUse = inUse(kind, instance, found.values());
            Set<Long> deleted = new LinkedHashSet<>();
            List<Map<String, Object>> out = new ArrayList<>();
            for (int seq = 0; seq < keys.size(); seq++) {
                Object key = keys.get(seq);
                Row row = key instanceof String k ? found.get(k) : null;
                if (key instanceof Reason r) {
                    out.add(Records.skipped(seq, r));
                } else if (row == null || deleted.contains(row.id())) {
                    out.add(Records.skipped(seq, Reason.NOT_FOUND));
                } else if (inUse.contains(row.id())) {
                    out.add(Records.skipped(seq, Reason.IN_USE));
                } else {
                    deleted.add(row.id());
                    out.add(Records.status(seq, kind, Records.id(kind, row), "deleted"));
                }
            }
            repository.delete(kind, instance, deleted);
            return out;
        });
    }

    /** The lookup key of an input record's key fields, or the reason it has none. */
    static Object keyOf(List<ObjectField> keyFields, Map<String, JsonNode> item) {
        List<String> parts = new ArrayList<>();
        for (ObjectField f : keyFields) {
            JsonNode node = valueOf(item, f.name());
            if (node == null || node.isNull() || (node.isString() && node.asString().isEmpty())) {
                return Reason.missing(f.name());
            }
            Object v;
            try {
                v = parse(f, node);
            } catch (InvalidValue e) {
                return Reason.invalidValue(e.value(), f.type().marketoName());
            }
            parts.add(f.key(v));
        }
        return ObjectField.compound(parts);
    }

    /** A value that does not fit its field (record-level 1001). */
    static final class InvalidValue extends RuntimeException {
        private final String value;

        InvalidValue(String value) {
            super(null, null, false, false);
            this.value = value;
        }

        String value() {
            return value;
        }
    }

    /** A JSON value as the field's type; null and "" are null. Text holding NUL or half a surrogate pair is refused. */
    static Object parse(ObjectField field, JsonNode node) {
        if (node.isString() && !FieldType.storable(node.asString())) {
            throw new InvalidValue(node.asString());
        }
        try {
            return field.type().fromJson(node, field.length());
        } catch (FieldType.Invalid e) {
            throw new InvalidValue(e.value());
        }
    }

    /** The records among {@code rows} that another record points at through a link that forbids deleting its target. */
    private Set<Long> inUse(ObjectKind kind, long instance, Collection<Row> rows) {
        Set<Long> out = new HashSet<>();
        if (rows.isEmpty()) {
            return out;
        }
        for (ObjectKind referrer : allKinds(instance)) {
            for (ObjectField f : referrer.fields()) {
                if (f.link() == null || !f.link().blocksDelete() || !f.link().target().equals(kind.name())) {
                    continue;
                }
                ObjectField targetField = kind.field(f.link().field()).orElseThrow();
                Map<String, List<Long>> byKey = new LinkedHashMap<>();
                for (Row r : rows) {
                    Object v = Records.value(kind, r, targetField);
                    if (v != null) {
                        byKey.computeIfAbsent(f.key(v), k -> new ArrayList<>()).add(r.id());
                    }
                }
                for (String used : repository.indexedKeys(referrer, instance, f.name(), byKey.keySet())) {
                    out.addAll(byKey.get(used));
                }
            }
        }
        return out;
    }

    /**
     * Which of {@code values} of link field {@code link} of {@code kind} point at an existing record:
     * a lead in a partition where the caller holds the kind's write permission, or a record of
     * the target kind.
     */
    Set<Object> existingTargets(Caller caller, ObjectKind kind, ObjectField link, Collection<Object> values) {
        if (values.isEmpty()) {
            return Set.of();
        }
        long instance = caller.instanceId();
        if (link.link().target().equals(StandardKinds.LEAD)) {
            return leads.existing(instance, caller.grants().partitionsWith(kind.write()), link.link().field(), values);
        }
        Optional<ObjectKind> target = kind(instance, link.link().target());
        Optional<ObjectField> targetField = target.flatMap(t -> t.field(link.link().field()));
        if (target.isEmpty() || targetField.isEmpty()) {
            return Set.of();
        }
        Map<String, List<Object>> byKey = new LinkedHashMap<>();
        for (Object v : values) {
            byKey.computeIfAbsent(targetField.get().key(v), k -> new ArrayList<>()).add(v);
        }
        List<ObjectField> set = List.of(targetField.get());
        Target where = target(target.get(), set);
        Set<String> present = where instanceof ObjectRepository.ByIndex(String name)
                ? repository.indexedKeys(target.get(), instance, name, byKey.keySet())
                : repository.byKeys(target.get(), instance, where, byKey.keySet()).keySet();
        Set<Object> out = new HashSet<>();
        present.forEach(k -> out.addAll(byKey.getOrDefault(k, List.of())));
        return out;
    }

    // ----- describe -------------------------------------------------------------------------------

    /** Describe: the kind's keys, searchable fields, relationships and fields. */
    Map<String, Object> describe(Caller caller, ObjectKind kind) {
        return Descriptions.describe(kind, instances.get(caller.instanceId()).createdAt());
    }

    // ----- helpers ------------------------------------------------------------------------------

    static void checkBatch(int size) {
        if (size > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "input holds " + size + " records; at most " + MAX_BATCH + " are allowed");
        }
    }

    /**
     * Runs a write, again if a concurrent call created a record with the same key first (the
     * unique constraint caught it): the retry sees that record and updates it instead. A
     * deadlock between two calls that lock the same records is retried too.
     */
    private static <T> T retryingConflicts(Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                if (attempt >= 3 || !isConflict(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && CONFLICTS.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
