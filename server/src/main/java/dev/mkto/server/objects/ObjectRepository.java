package dev.mkto.server.objects;

import dev.mkto.server.http.Json;
import dev.mkto.server.leads.FieldType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import tools.jackson.databind.JsonNode;

/**
 * Records of every kind at rest: one row each in {@code object_record} with the fields as JSON,
 * and the normalised values of its searchable and link fields in {@code object_key}. Every read
 * names the instance and the kind.
 */
final class ObjectRepository {

    /** A stored record; {@code values} holds its non-system fields by canonical name. */
    record Row(long id, String guid, String dedupeKey, Map<String, Object> values, Instant createdAt, Instant updatedAt) {
    }

    /** Which column or lookup set a query compares. */
    sealed interface Target {
    }

    /** The integer id ({@code id}) or the marketoGUID column. */
    record ById(boolean numeric) implements Target {
    }

    /** The dedupe key column. */
    record ByDedupe() implements Target {
    }

    /** A searchable or link field (or compound set) in the lookup table. */
    record ByIndex(String set) implements Target {
    }

    private static final String COLUMNS = "id, guid, dedupe_key, field_values, created_at, updated_at";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM object_record WHERE instance_id = :instance AND kind = :kind";
    private static final String INSERT = "INSERT INTO object_record (instance_id, kind, guid, dedupe_key, field_values, created_at, "
            + "updated_at) VALUES (:instance, :kind, :guid, :dedupeKey, :values, :now, :now)";
    private static final String UPDATE = "UPDATE object_record SET dedupe_key = :dedupeKey, field_values = :values, updated_at = :now "
            + "WHERE id = :id";
    private static final String DELETE = "DELETE FROM object_record WHERE instance_id = :instance AND kind = :kind AND id IN (<ids>)";
    private static final String CLEAR_KEYS = "DELETE FROM object_key WHERE record_id IN (<ids>)";
    private static final String ADD_KEY = "INSERT INTO object_key (record_id, instance_id, kind, field, lookup_key) "
            + "VALUES (:record, :instance, :kind, :field, :key)";
    private static final String INDEX_MATCHES = "SELECT record_id FROM object_key WHERE instance_id = :instance AND kind = :kind "
            + "AND field = :field AND lookup_key IN (<keys>) AND record_id > :after ORDER BY record_id FETCH FIRST %d ROWS ONLY";
    private static final String INDEX_KEYS = "SELECT DISTINCT lookup_key FROM object_key WHERE instance_id = :instance AND kind = :kind "
            + "AND field = :field AND lookup_key IN (<keys>)";
    private static final String COUNT = "SELECT COUNT(*) FROM object_record WHERE instance_id = :instance AND kind = :kind";
    private static final String IDS_AFTER = "SELECT id FROM object_record WHERE instance_id = :instance AND kind = :kind AND id > :after "
            + "ORDER BY id FETCH FIRST %d ROWS ONLY";
    private static final String ADD_MEMBER = "INSERT INTO object_member (list_id, member_id) SELECT :list, :member FROM object_record "
            + "WHERE id = :member AND NOT EXISTS (SELECT 1 FROM object_member WHERE list_id = :list AND member_id = :member)";
    private static final String REMOVE_MEMBER = "DELETE FROM object_member WHERE list_id = :list AND member_id = :member";
    private static final String MEMBERS = "SELECT member_id FROM object_member WHERE list_id = :list AND member_id > :after "
            + "ORDER BY member_id FETCH FIRST %d ROWS ONLY";

    private final Jdbi jdbi;

    ObjectRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Records by id, in id order; ids of other kinds or instances are absent. */
    Map<Long, Row> byIds(ObjectKind kind, long instance, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return rows(kind, instance, SELECT + " AND id IN (<ids>) ORDER BY id", "ids", new ArrayList<>(ids));
    }

    /** Records whose id field (integer id or marketoGUID) or dedupe key is one of {@code keys}, by that key. */
    Map<String, Row> byKeys(ObjectKind kind, long instance, Target target, Collection<String> lookupKeys) {
        return byKeys(kind, instance, target, lookupKeys, false);
    }

    /**
     * As {@link #byKeys(ObjectKind, long, Target, Collection)}; with {@code lock}, the rows stay
     * locked (in id order, so that two calls cannot deadlock on them) until the caller's
     * transaction ends: a concurrent sync of the same record waits and then reads what this one wrote.
     */
    Map<String, Row> byKeys(ObjectKind kind, long instance, Target target, Collection<String> lookupKeys, boolean lock) {
        String suffix = lock ? " ORDER BY id FOR UPDATE" : "";
        List<String> keys = storable(lookupKeys);
        if (keys.isEmpty()) {
            return Map.of();
        }
        Map<String, Row> out = new HashMap<>();
        switch (target) {
            case ById(boolean numeric) when numeric -> {
                List<Long> ids = numbers(keys);
                if (!ids.isEmpty()) {
                    rows(kind, instance, SELECT + " AND id IN (<ids>)" + (lock ? suffix : " ORDER BY id"), "ids", ids).values()
                            .forEach(r -> out.put(Long.toString(r.id()), r));
                }
            }
            case ById b -> rows(kind, instance, SELECT + " AND guid IN (<keys>)" + suffix, "keys", new ArrayList<>(keys)).values()
                    .forEach(r -> out.put(r.guid(), r));
            case ByDedupe d -> rows(kind, instance, SELECT + " AND dedupe_key IN (<keys>)" + suffix, "keys", new ArrayList<>(keys))
                    .values().forEach(r -> out.put(r.dedupeKey(), r));
            case ByIndex i -> throw new IllegalArgumentException("byKeys reads ids and dedupe keys only");
        }
        return out;
    }

    /** Ids (ascending, after {@code after}) of the records whose {@code target} holds one of {@code keys}; at most {@code limit}. */
    List<Long> idsMatching(ObjectKind kind, long instance, Target target, Collection<String> lookupKeys, long after, int limit) {
        List<String> keys = storable(lookupKeys);
        if (keys.isEmpty()) {
            return List.of();
        }
        if (target instanceof ByIndex(String set)) {
            return jdbi.withHandle(h -> h.createQuery(INDEX_MATCHES.formatted(limit)).bind("instance", instance)
                    .bind("kind", kind.storageKey()).bind("field", set).bindList("keys", new ArrayList<>(keys)).bind("after", after)
                    .mapTo(Long.class).list());
        }
        String column = switch (target) {
            case ById(boolean numeric) -> numeric ? "id" : "guid";
            default -> "dedupe_key";
        };
        List<?> bound = column.equals("id") ? numbers(keys) : new ArrayList<>(keys);
        if (bound.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT id FROM object_record WHERE instance_id = :instance AND kind = :kind AND " + column
                + " IN (<keys>) AND id > :after ORDER BY id FETCH FIRST " + limit + " ROWS ONLY";
        return jdbi.withHandle(h -> h.createQuery(sql).bind("instance", instance).bind("kind", kind.storageKey())
                .bindList("keys", bound).bind("after", after).mapTo(Long.class).list());
    }

    /** Which of {@code keys} some record of {@code kind} holds in the lookup set {@code set}. */
    Set<String> indexedKeys(ObjectKind kind, long instance, String set, Collection<String> lookupKeys) {
        List<String> keys = storable(lookupKeys);
        if (keys.isEmpty()) {
            return Set.of();
        }
        return jdbi.withHandle(h -> new HashSet<>(h.createQuery(INDEX_KEYS).bind("instance", instance).bind("kind", kind.storageKey())
                .bind("field", set).bindList("keys", new ArrayList<>(keys)).mapTo(String.class).list()));
    }

    /** Inserts new records (id 0, no guid yet); returns them with their ids and guids, in order. */
    List<Row> insert(ObjectKind kind, long instance, List<Row> rows, long now) {
        if (rows.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> {
            PreparedBatch batch = h.prepareBatch(INSERT);
            List<String> guids = new ArrayList<>();
            for (Row r : rows) {
                String guid = java.util.UUID.randomUUID().toString();
                guids.add(guid);
                batch.bind("instance", instance).bind("kind", kind.storageKey()).bind("guid", guid).bind("dedupeKey", r.dedupeKey())
                        .bind("values", write(kind, r.values())).bind("now", now).add();
            }
            List<Long> ids = batch.executePreparedBatch("id").mapTo(Long.class).list();
            List<Row> out = new ArrayList<>();
            Instant at = Instant.ofEpochMilli(now);
            for (int i = 0; i < rows.size(); i++) {
                out.add(new Row(ids.get(i), guids.get(i), rows.get(i).dedupeKey(), rows.get(i).values(), at, at));
            }
            writeKeys(h, kind, instance, out);
            return out;
        });
    }

    /** Writes records back: values, dedupe key, lookup keys, updatedAt. */
    void update(ObjectKind kind, long instance, Collection<Row> rows, long now) {
        if (rows.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch(UPDATE);
            for (Row r : rows) {
                batch.bind("id", r.id()).bind("dedupeKey", r.dedupeKey()).bind("values", write(kind, r.values())).bind("now", now).add();
            }
            batch.execute();
            h.createUpdate(CLEAR_KEYS).bindList("ids", rows.stream().map(Row::id).toList()).execute();
            writeKeys(h, kind, instance, rows);
        });
    }

    void delete(ObjectKind kind, long instance, Collection<Long> ids) {
        if (!ids.isEmpty()) {
            jdbi.useHandle(h -> h.createUpdate(DELETE).bind("instance", instance).bind("kind", kind.storageKey())
                    .bindList("ids", new ArrayList<>(ids)).execute());
        }
    }

    long count(ObjectKind kind, long instance) {
        return jdbi.withHandle(h -> h.createQuery(COUNT).bind("instance", instance).bind("kind", kind.storageKey())
                .mapTo(Long.class).one());
    }

    /** Ids of a kind's records after {@code after}, ascending, at most {@code limit}: for walking every record. */
    List<Long> idsAfter(ObjectKind kind, long instance, long after, int limit) {
        return jdbi.withHandle(h -> h.createQuery(IDS_AFTER.formatted(limit)).bind("instance", instance)
                .bind("kind", kind.storageKey()).bind("after", after).mapTo(Long.class).list());
    }

    // ----- list membership ----------------------------------------------------------------------

    /** Adds a member unless it is one already. */
    void addMember(long listId, long memberId) {
        jdbi.useHandle(h -> h.createUpdate(ADD_MEMBER).bind("list", listId).bind("member", memberId).execute());
    }

    /** Removes a member; whether it was one. */
    boolean removeMember(long listId, long memberId) {
        return jdbi.withHandle(h -> h.createUpdate(REMOVE_MEMBER).bind("list", listId).bind("member", memberId).execute()) > 0;
    }

    List<Long> memberIds(long listId, long after, int limit) {
        return jdbi.withHandle(h -> h.createQuery(MEMBERS.formatted(limit)).bind("list", listId).bind("after", after)
                .mapTo(Long.class).list());
    }

    // ----- mapping ------------------------------------------------------------------------------

    private Map<Long, Row> rows(ObjectKind kind, long instance, String sql, String listName, List<?> values) {
        return jdbi.withHandle(h -> {
            Map<Long, Row> out = new LinkedHashMap<>();
            h.createQuery(sql).bind("instance", instance).bind("kind", kind.storageKey()).bindList(listName, values)
                    .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("guid"), rs.getString("dedupe_key"),
                            read(kind, rs.getString("field_values")), Instant.ofEpochMilli(rs.getLong("created_at")),
                            Instant.ofEpochMilli(rs.getLong("updated_at"))))
                    .forEach(r -> out.put(r.id(), r));
            return out;
        });
    }

    private static void writeKeys(Handle h, ObjectKind kind, long instance, Collection<Row> rows) {
        PreparedBatch add = h.prepareBatch(ADD_KEY);
        int n = 0;
        for (Row r : rows) {
            for (Map.Entry<String, List<ObjectField>> set : kind.indexedSets().entrySet()) {
                String key = setKey(set.getValue(), r.values());
                if (key != null) {
                    add.bind("record", r.id()).bind("instance", instance).bind("kind", kind.storageKey()).bind("field", set.getKey())
                            .bind("key", key).add();
                    n++;
                }
            }
        }
        if (n > 0) {
            add.execute();
        }
    }

    /** The lookup key of a set of fields in {@code values}, or null when one of them has no value. */
    static String setKey(List<ObjectField> set, Map<String, Object> values) {
        List<String> keys = new ArrayList<>();
        for (ObjectField f : set) {
            Object v = values.get(f.name());
            if (v == null) {
                return null;
            }
            keys.add(f.key(v));
        }
        return ObjectField.compound(keys);
    }

    private static String write(ObjectKind kind, Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ObjectField f : kind.fields()) {
            Object v = values.get(f.name());
            if (v != null) {
                out.put(f.name(), f.type().toJson(v));
            }
        }
        return Json.MAPPER.writeValueAsString(out);
    }

    /** Reads stored values against the kind's fields as they are now; values a retyped field cannot hold are dropped. */
    private static Map<String, Object> read(ObjectKind kind, String json) {
        JsonNode node = Json.MAPPER.readTree(json);
        Map<String, Object> out = new HashMap<>();
        for (ObjectField f : kind.fields()) {
            JsonNode v = node.get(f.name());
            if (v != null && !v.isNull()) {
                try {
                    Object value = f.type().fromJson(v, null);
                    if (value != null) {
                        out.put(f.name(), value);
                    }
                } catch (FieldType.Invalid e) {
                    // written under an earlier type of the field
                }
            }
        }
        return out;
    }

    /** Keys that can be compared in SQL: no stored key holds NUL or half a surrogate pair (see {@link FieldType#storable}). */
    private static List<String> storable(Collection<String> keys) {
        return keys.stream().filter(FieldType::storable).toList();
    }

    private static List<Long> numbers(Collection<String> keys) {
        List<Long> out = new ArrayList<>();
        for (String k : keys) {
            try {
                out.add(Long.parseLong(k));
            } catch (NumberFormatException e) {
                // a non-number names no record
            }
        }
        return out;
    }
}
