package dev.mkto.server.leads;

import dev.mkto.server.store.Database;
import dev.mkto.server.store.Jdbc;
import dev.mkto.server.store.PlannerStatistics;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Leads at rest: standard fields in columns of {@code lead}, custom fields as text in
 * {@code lead_value}. Every read is limited to the partitions it is given; the caller decides
 * which partitions those are.
 */
final class LeadRepository {

    /** A lead: its id, partition, and the values of the fields that were read, by canonical name. */
    record Lead(long id, long partitionId, Map<String, Object> values) {
    }

    /** A lead matched by a lookup value, normalised as {@link #key} does. */
    record Match(long id, long partitionId, String key) {
    }

    private static final List<LeadField> WRITABLE_COLUMNS = LeadSchema.STANDARD.stream()
            .filter(f -> f.updateable() && f.column() != null).toList();
    // positional, in plain JDBC: binding ~90 named parameters per row through Jdbi was a third of
    // the server's CPU during a bulk load
    private static final String UPDATE = "UPDATE lead SET updated_at = ?, email_lc = ?"
            + WRITABLE_COLUMNS.stream().map(f -> ", " + f.column() + " = ?").collect(Collectors.joining())
            + " WHERE id = ?";
    private static final String DELETE = "DELETE FROM lead WHERE instance_id = :instance AND id IN (<ids>)";
    private static final String MOVE = "UPDATE lead SET partition_id = :partition, updated_at = :now WHERE id = :id";
    private static final String CUSTOM_VALUES = "SELECT lead_id, field_id, text_value FROM lead_value WHERE lead_id IN (<ids>)";
    private static final String CLEAR_VALUE = "DELETE FROM lead_value WHERE lead_id = :lead AND field_id = :field";
    private static final String ADD_VALUE = "INSERT INTO lead_value (lead_id, field_id, text_value, lookup_key) VALUES (:lead, :field, :value, :key)";

    /** The standard fields' columns other than id and partition_id: with them and instance_id, a whole lead. */
    private static final List<LeadField> RECORD_COLUMNS = LeadSchema.STANDARD.stream()
            .filter(f -> !f.column().equals("id") && !f.column().equals("partition_id")).toList();
    private static final String WHOLE = "SELECT id, partition_id"
            + RECORD_COLUMNS.stream().map(f -> ", " + f.column()).collect(Collectors.joining()) + ", instance_id FROM lead WHERE id IN (";

    private final Jdbi jdbi;
    private final PlannerStatistics statistics;
    private final boolean arrays;
    private final LeadImage image; // null where other processes can change the database

    /** With {@code exclusive} (a database no other process can use), reads by id are answered from a {@link LeadImage}. */
    LeadRepository(Jdbi jdbi, boolean exclusive) {
        this(jdbi, exclusive ? new LeadImage(Runtime.getRuntime().maxMemory() / 4) : null);
    }

    /** Reads by id answered from {@code image} (null: from the database). */
    LeadRepository(Jdbi jdbi, LeadImage image) {
        this.jdbi = jdbi;
        this.statistics = PlannerStatistics.of(jdbi);
        this.arrays = Database.dialectOf(jdbi) == Database.Dialect.POSTGRESQL;
        this.image = image;
    }

    /**
     * As {@link #byIds(long, long[], List, List)}, for a caller that has changed no lead in a
     * transaction still open: what was last committed, from the image where it holds the leads.
     */
    Map<Long, Lead> committed(long instance, long[] partitions, List<Long> ids, List<LeadField> fields) {
        if (image == null || ids.isEmpty() || partitions.length == 0) {
            return byIds(instance, partitions, ids, fields);
        }
        Map<Long, Lead> found = HashMap.newHashMap(ids.size());
        List<Long> missing = new ArrayList<>(0);
        for (Long id : ids) {
            byte[] record = image.get(id);
            if (record == null) {
                missing.add(id);
            } else {
                Lead l = LeadImage.read(record, id, instance, partitions, fields);
                if (l != null) {
                    found.put(id, l);
                }
            }
        }
        if (!missing.isEmpty()) {
            found.putAll(image.hasRoom() ? load(instance, partitions, missing, fields) : byIds(instance, partitions, missing, fields));
        }
        return found.size() == 1 && ids.size() == 1 ? found : inOrder(ids, found);
    }

    /** The leads of {@code found} in the order of {@code ids} (which may repeat an id or name one not found). */
    private static Map<Long, Lead> inOrder(List<Long> ids, Map<Long, Lead> found) {
        Map<Long, Lead> ordered = new LinkedHashMap<>();
        for (Long id : ids) {
            Lead l = found.get(id);
            if (l != null) {
                ordered.put(id, l);
            }
        }
        return ordered;
    }

    /**
     * Reads whole leads into the image (outside a transaction, where only committed rows are
     * read), then answers {@code fields} of those in {@code instance} and {@code partitions}.
     */
    private Map<Long, Lead> load(long instance, long[] partitions, List<Long> ids, List<LeadField> fields) {
        return jdbi.withHandle(h -> {
            if (h.isInTransaction()) {
                return byIds(instance, partitions, ids, fields);
            }
            long[] stamps = new long[ids.size()];
            for (int i = 0; i < stamps.length; i++) {
                stamps[i] = image.stamp(ids.get(i));
            }
            Map<Long, Lead> rows = new HashMap<>();
            Map<Long, Long> instances = new HashMap<>();
            select(h, WHOLE + placeholders(ids.size()) + ")", new ArrayList<>(ids), rs -> {
                Lead l = read(rs, RECORD_COLUMNS);
                rows.put(l.id(), l);
                instances.put(l.id(), rs.getLong(RECORD_COLUMNS.size() + 3));
            });
            Map<Long, Map<Long, String>> custom = new HashMap<>();
            if (!rows.isEmpty()) {
                select(h, CUSTOM_VALUES.replace("<ids>", placeholders(rows.size())), new ArrayList<>(rows.keySet()),
                        rs -> custom.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getLong(2), rs.getString(3)));
            }
            Map<Long, Lead> answer = new HashMap<>();
            for (int i = 0; i < stamps.length; i++) {
                long id = ids.get(i);
                Lead row = rows.get(id);
                if (row == null) {
                    continue;
                }
                byte[] record = LeadImage.record(instances.get(id), row.partitionId(), row.values(), custom.getOrDefault(id, Map.of()));
                image.put(id, stamps[i], record);
                Lead l = LeadImage.read(record, id, instance, partitions, fields);
                if (l != null) {
                    answer.put(id, l);
                }
            }
            return answer;
        });
    }

    /**
     * Leads by id within {@code partitions}, with the values of {@code fields}; ids not found
     * (or outside the partitions) are absent from the map, which keeps the order of {@code ids}.
     */
    Map<Long, Lead> byIds(long instance, long[] partitions, List<Long> ids, List<LeadField> fields) {
        return byIds(instance, partitions, ids, fields, false);
    }

    /**
     * As {@link #byIds(long, long[], List, List)}; with {@code lock}, the rows stay locked (in id
     * order, so that two calls cannot deadlock on them) until the caller's transaction ends: a
     * concurrent change of the same lead waits, then reads what this one wrote instead of writing
     * back what it read before.
     */
    Map<Long, Lead> byIds(long instance, long[] partitions, List<Long> ids, List<LeadField> fields, boolean lock) {
        if (ids.isEmpty() || partitions.length == 0) {
            return Map.of();
        }
        List<LeadField> columns = fields.stream().filter(f -> !f.custom()).toList();
        List<LeadField> custom = fields.stream().filter(LeadField::custom).toList();
        String sql = "SELECT id, partition_id" + columns.stream().filter(f -> !f.column().equals("id") && !f.column().equals("partition_id"))
                .map(f -> ", " + f.column()).collect(Collectors.joining())
                + " FROM lead WHERE instance_id = ? AND partition_id IN (" + placeholders(partitions.length) + ") AND id IN ("
                + placeholders(ids.size()) + ")" + (lock ? " ORDER BY id FOR UPDATE" : "");
        return jdbi.withHandle(h -> {
            Map<Long, Lead> found = new HashMap<>();
            List<Object> params = inPartitions(instance, partitions);
            params.addAll(ids);
            select(h, sql, params, rs -> {
                Lead l = read(rs, columns);
                found.put(l.id(), l);
            });
            if (!custom.isEmpty() && !found.isEmpty()) {
                readCustom(h, found, custom);
            }
            return inOrder(ids, found);
        });
    }

    /**
     * Ids (ascending) of the leads in {@code partitions} whose {@code field} holds one of
     * {@code keys} (normalised by {@link #key}), at most {@code limit}.
     */
    List<Long> idsMatching(long instance, long[] partitions, LeadField field, List<String> keys, int limit) {
        return lookup(instance, partitions, field, keys, limit).stream().map(Match::id).toList();
    }

    /** Like {@link #idsMatching}, with each match's partition and key, for sync's dedupe. */
    List<Match> lookup(long instance, long[] partitions, LeadField field, List<String> keys, int limit) {
        if (keys.isEmpty() || partitions.length == 0) {
            return List.of();
        }
        boolean numeric = field.type() == FieldType.INTEGER && !field.custom();
        List<Object> bound = new ArrayList<>();
        for (String k : keys) {
            if (numeric) {
                try {
                    bound.add(Long.parseLong(k));
                } catch (NumberFormatException e) {
                    // a non-number never matches an integer column
                }
            } else if (FieldType.storable(k)) {
                bound.add(k); // a key with NUL or half a surrogate pair matches nothing stored (and PostgreSQL cannot bind it as it is)
            }
        }
        if (bound.isEmpty()) {
            return List.of();
        }
        String sql;
        if (field.custom()) {
            sql = "SELECT l.id, l.partition_id, v.lookup_key AS k FROM lead l JOIN lead_value v ON v.lead_id = l.id "
                    + "WHERE l.instance_id = ? AND l.partition_id IN (" + placeholders(partitions.length) + ") AND v.field_id = ? "
                    + "AND v.lookup_key IN (" + placeholders(bound.size()) + ") ORDER BY l.id FETCH FIRST " + limit + " ROWS ONLY";
        } else {
            String column = field.name().equals("email") ? "email_lc" : field.column();
            sql = "SELECT id, partition_id, " + column + " AS k FROM lead WHERE instance_id = ? AND partition_id IN ("
                    + placeholders(partitions.length) + ") AND " + column + " IN (" + placeholders(bound.size()) + ") ORDER BY id FETCH FIRST "
                    + limit + " ROWS ONLY";
        }
        List<Object> params = inPartitions(instance, partitions);
        if (field.custom()) {
            params.add(field.customFieldId());
        }
        params.addAll(bound);
        return jdbi.withHandle(h -> {
            List<Match> matches = new ArrayList<>();
            select(h, sql, params, rs -> matches.add(new Match(rs.getLong(1), rs.getLong(2), rs.getString(3))));
            return matches;
        });
    }

    /**
     * Ids (ascending, above {@code afterId}) of the leads in {@code partitions} created and updated
     * within the given bounds (epoch millis, start inclusive, end exclusive; null for none) and, if
     * given, in a static list.
     */
    List<Long> exportIds(long instance, long[] partitions, Long createdFrom, Long createdTo, Long updatedFrom, Long updatedTo,
                         Long listId, long afterId, int limit) {
        if (partitions.length == 0) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT id FROM lead WHERE instance_id = :instance AND partition_id IN (<partitions>) "
                + "AND id > :after");
        if (createdFrom != null) {
            sql.append(" AND created_at >= :cf AND created_at < :ct");
        }
        if (updatedFrom != null) {
            sql.append(" AND updated_at >= :uf AND updated_at < :ut");
        }
        if (listId != null) {
            sql.append(" AND id IN (SELECT lead_id FROM list_member WHERE list_id = :list)");
        }
        sql.append(" ORDER BY id FETCH FIRST ").append(limit).append(" ROWS ONLY");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql.toString()).bind("instance", instance).bindList("partitions", boxed(partitions)).bind("after", afterId);
            if (createdFrom != null) {
                q.bind("cf", createdFrom).bind("ct", createdTo);
            }
            if (updatedFrom != null) {
                q.bind("uf", updatedFrom).bind("ut", updatedTo);
            }
            if (listId != null) {
                q.bind("list", listId);
            }
            return q.mapTo(Long.class).list();
        });
    }

    /**
     * Lookup key of a value of {@code field}: e-mail and custom text compare without case, and an
     * integer sent as text compares as the number it writes ("042", "+42" and "42" alike).
     */
    static String key(LeadField field, Object value) {
        if (value == null) {
            return null;
        }
        if (field.type() == FieldType.INTEGER && value instanceof String text) {
            try {
                value = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                // not a number: as sent, and it matches nothing
            }
        }
        String s = value instanceof Long l ? Long.toString(l) : field.type().toText(value);
        if (field.name().equals("email") || (field.custom() && field.type().textual())) {
            return s.toLowerCase(Locale.ROOT);
        }
        return s;
    }

    /** Every field of the given leads (for merging an update), within {@code partitions}. */
    Map<Long, Lead> full(long instance, long[] partitions, List<Long> ids, List<LeadField> allFields) {
        return byIds(instance, partitions, ids, allFields);
    }

    /** Inserts leads (values by field name, custom ones included); returns their ids in order. */
    List<Long> insert(long instance, List<Lead> leads, List<LeadField> customFields, long now) {
        if (leads.isEmpty()) {
            return List.of();
        }
        List<LeadField> columns = columnsGiven(leads);
        String names = "INSERT INTO lead (instance_id, partition_id, created_at, updated_at, email_lc"
                + columns.stream().map(f -> ", " + f.column()).collect(Collectors.joining()) + ")";
        return jdbi.withHandle(h -> {
            List<Long> ids = arrays ? insertArrays(h, names, instance, leads, columns, now) : insertBatch(h, names, instance, leads, columns, now);
            if (ids.size() != leads.size()) {
                throw new IllegalStateException("the database returned " + ids.size() + " ids for " + leads.size() + " inserted leads");
            }
            List<Lead> withIds = new ArrayList<>();
            for (int i = 0; i < leads.size(); i++) {
                withIds.add(new Lead(ids.get(i), leads.get(i).partitionId(), leads.get(i).values()));
            }
            writeCustom(h, withIds, customFields, false);
            statistics.grew("lead", ids.size());
            if (image != null) {
                remember(h, instance, withIds, customFields, now);
            }
            return ids;
        });
    }

    /**
     * Puts inserted leads into the image once their transaction commits, as a read of their rows
     * would give them (the stamps are noted now: no other transaction can change the rows before
     * this one commits).
     */
    private void remember(Handle h, long instance, List<Lead> inserted, List<LeadField> customFields, long now) {
        long[] stamps = new long[inserted.size()];
        byte[][] records = new byte[inserted.size()][];
        Instant at = Instant.ofEpochMilli(now);
        for (int i = 0; i < records.length; i++) {
            Lead l = inserted.get(i);
            Map<String, Object> values = HashMap.newHashMap(l.values().size() + 2);
            for (LeadField f : WRITABLE_COLUMNS) {
                Object v = l.values().get(f.name());
                if (v != null) {
                    values.put(f.name(), v);
                }
            }
            values.put("createdAt", at);
            values.put("updatedAt", at);
            Map<Long, String> custom = new LinkedHashMap<>();
            for (LeadField f : customFields) {
                Object v = l.values().get(f.name());
                if (v != null) {
                    custom.put(f.customFieldId(), f.type().toText(v));
                }
            }
            stamps[i] = image.stamp(l.id());
            records[i] = LeadImage.record(instance, l.partitionId(), values, custom);
        }
        afterCommit(h, () -> {
            for (int i = 0; i < records.length; i++) {
                image.put(inserted.get(i).id(), stamps[i], records[i]);
            }
        });
    }

    /** Drops changed leads from the image once the change has committed (or rolled back). */
    private void forget(Handle h, List<Long> ids) {
        if (image == null) {
            return;
        }
        Runnable remove = () -> ids.forEach(image::remove);
        if (h.isInTransaction()) {
            h.afterRollback(remove);
        }
        afterCommit(h, remove);
    }

    /** Runs {@code action} once the handle's transaction commits, or now if it is not in one. */
    private static void afterCommit(Handle h, Runnable action) {
        if (h.isInTransaction()) {
            h.afterCommit(action);
        } else {
            action.run();
        }
    }

    /** H2: a batch of single-row inserts (embedded, a statement costs H2 little beyond its row). */
    private static List<Long> insertBatch(Handle h, String names, long instance, List<Lead> leads, List<LeadField> columns, long now) {
        String sql = names + " VALUES (?, ?, ?, ?, ?" + ", ?".repeat(columns.size()) + ")";
        return Jdbc.withGeneratedKey(h, sql, "id", insert -> {
            for (Lead l : leads) {
                insert.setLong(1, instance);
                insert.setLong(2, l.partitionId());
                insert.setLong(3, now);
                insert.setLong(4, now);
                bindColumns(insert, 5, l.values(), columns);
                insert.addBatch();
            }
            insert.executeBatch();
            List<Long> generated = new ArrayList<>(leads.size());
            try (ResultSet keys = insert.getGeneratedKeys()) {
                while (keys.next()) {
                    generated.add(keys.getLong(1));
                }
            }
            return generated;
        });
    }

    /**
     * PostgreSQL: the whole batch in one statement, each column an array ({@code unnest}); a batch
     * of single-row inserts costs PostgreSQL a statement's execution per row, several times the
     * row's own writes. The rows go in input order, so their ids, drawn from the sequence as they
     * are inserted, ascend in that order.
     */
    private static List<Long> insertArrays(Handle h, String names, long instance, List<Lead> leads, List<LeadField> columns, long now) {
        int width = columns.size() + 2;
        StringBuilder sql = new StringBuilder(names).append(" SELECT ?, u.c0, ?, ?, u.c1");
        StringBuilder unnest = new StringBuilder(" FROM unnest(?, ?");
        StringBuilder aliases = new StringBuilder(" WITH ORDINALITY AS u(c0, c1");
        for (int c = 2; c < width; c++) {
            sql.append(", u.c").append(c);
            unnest.append(", ?");
            aliases.append(", c").append(c);
        }
        sql.append(unnest).append(')').append(aliases).append(", n) ORDER BY u.n RETURNING id");
        return Jdbc.with(h, sql.toString(), insert -> {
            int n = leads.size();
            Object[][] values = new Object[width][n];
            for (int i = 0; i < n; i++) {
                Lead l = leads.get(i);
                Object email = l.values().get("email");
                values[0][i] = l.partitionId();
                values[1][i] = email == null ? null : ((String) email).toLowerCase(Locale.ROOT);
                for (int c = 2; c < width; c++) {
                    values[c][i] = arrayValue(columns.get(c - 2), l.values().get(columns.get(c - 2).name()));
                }
            }
            insert.setLong(1, instance);
            insert.setLong(2, now);
            insert.setLong(3, now);
            insert.setArray(4, Jdbc.array(insert, "int8", values[0]));
            insert.setArray(5, Jdbc.array(insert, "text", values[1]));
            for (int c = 2; c < width; c++) {
                insert.setArray(4 + c, Jdbc.array(insert, arrayType(columns.get(c - 2)), values[c]));
            }
            List<Long> generated = new ArrayList<>(n);
            try (ResultSet keys = insert.executeQuery()) {
                while (keys.next()) {
                    generated.add(keys.getLong(1));
                }
            }
            generated.sort(null);
            return generated;
        });
    }

    /** The PostgreSQL array element type a column's values are sent as (as {@link #bind} binds them). */
    private static String arrayType(LeadField f) {
        return switch (f.type()) {
            case INTEGER, DATETIME -> "int8";
            case FLOAT, CURRENCY -> "float8";
            case BOOLEAN -> "bool";
            default -> "text";
        };
    }

    /** A value as {@link #bind} would bind it, for an array of {@link #arrayType}. */
    private static Object arrayValue(LeadField f, Object v) {
        if (v == null) {
            return null;
        }
        return switch (f.type()) {
            case INTEGER -> ((Number) v).longValue();
            case FLOAT, CURRENCY -> ((Number) v).doubleValue();
            case BOOLEAN -> (Boolean) v;
            case DATETIME -> ((Instant) v).toEpochMilli();
            default -> (String) v;
        };
    }

    /** Writes full rows back (every writable column); custom values present in the map are replaced. */
    void update(List<Lead> leads, List<LeadField> customFields, long now) {
        if (leads.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            Jdbc.with(h, UPDATE, update -> {
                for (Lead l : leads) {
                    update.setLong(1, now);
                    int next = bindColumns(update, 2, l.values(), WRITABLE_COLUMNS);
                    update.setLong(next, l.id());
                    update.addBatch();
                }
                return update.executeBatch();
            });
            writeCustom(h, leads, customFields, true);
            forget(h, leads.stream().map(Lead::id).toList());
        });
    }

    int delete(long instance, List<Long> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbi.withHandle(h -> {
            int deleted = h.createUpdate(DELETE).bind("instance", instance).bindList("ids", ids).execute();
            forget(h, ids);
            return deleted;
        });
    }

    void move(long id, long partition, long now) {
        jdbi.useHandle(h -> {
            h.createUpdate(MOVE).bind("id", id).bind("partition", partition).bind("now", now).execute();
            forget(h, List.of(id));
        });
    }

    /**
     * The writable columns at least one of {@code leads} has a value for, in column order: an insert
     * names only those (a row of a typical sync sets a handful of its ~90 columns, and every
     * parameter bound costs the server and the database), leaving the rest null — no lead column
     * has another default.
     */
    private static List<LeadField> columnsGiven(List<Lead> leads) {
        Set<String> given = new HashSet<>();
        for (Lead l : leads) {
            l.values().forEach((name, value) -> {
                if (value != null) {
                    given.add(name);
                }
            });
        }
        return WRITABLE_COLUMNS.stream().filter(f -> given.contains(f.name())).toList();
    }

    /** Binds email_lc and {@code columns} from {@code first}; returns the next parameter index. */
    private static int bindColumns(PreparedStatement s, int first, Map<String, Object> values, List<LeadField> columns) throws SQLException {
        Object email = values.get("email");
        int i = first;
        s.setString(i++, email == null ? null : ((String) email).toLowerCase(Locale.ROOT));
        for (LeadField f : columns) {
            bind(s, i++, f, values.get(f.name()));
        }
        return i;
    }

    private static void bind(PreparedStatement s, int i, LeadField f, Object v) throws SQLException {
        switch (f.type()) {
            case INTEGER -> {
                if (v == null) {
                    s.setNull(i, Types.BIGINT);
                } else {
                    s.setLong(i, ((Number) v).longValue());
                }
            }
            case FLOAT, CURRENCY -> {
                if (v == null) {
                    s.setNull(i, Types.DOUBLE);
                } else {
                    s.setDouble(i, ((Number) v).doubleValue());
                }
            }
            case BOOLEAN -> {
                if (v == null) {
                    s.setNull(i, Types.BOOLEAN);
                } else {
                    s.setBoolean(i, (Boolean) v);
                }
            }
            case DATETIME -> {
                if (v == null) {
                    s.setNull(i, Types.BIGINT);
                } else {
                    s.setLong(i, ((Instant) v).toEpochMilli());
                }
            }
            default -> s.setString(i, (String) v);
        }
    }

    private static void writeCustom(Handle h, List<Lead> leads, List<LeadField> customFields, boolean replace) {
        if (customFields.isEmpty()) {
            return;
        }
        PreparedBatch clear = replace ? h.prepareBatch(CLEAR_VALUE) : null;
        PreparedBatch add = h.prepareBatch(ADD_VALUE);
        int clears = 0;
        int adds = 0;
        for (Lead l : leads) {
            for (LeadField f : customFields) {
                if (!l.values().containsKey(f.name())) {
                    continue;
                }
                Object v = l.values().get(f.name());
                if (replace) {
                    clear.bind("lead", l.id()).bind("field", f.customFieldId()).add();
                    clears++;
                }
                if (v != null) {
                    add.bind("lead", l.id()).bind("field", f.customFieldId()).bind("value", f.type().toText(v))
                            .bind("key", f.type().lookupKey(v)).add();
                    adds++;
                }
            }
        }
        if (clears > 0) {
            clear.execute();
        }
        if (adds > 0) {
            add.execute();
        }
    }

    private static void readCustom(Handle h, Map<Long, Lead> found, List<LeadField> custom) {
        Map<Long, LeadField> byId = new HashMap<>();
        custom.forEach(f -> byId.put(f.customFieldId(), f));
        h.createQuery(CUSTOM_VALUES).bindList("ids", new ArrayList<>(found.keySet()))
                .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getString(3)})
                .forEach(row -> {
                    LeadField f = byId.get((Long) row[1]);
                    Lead l = found.get((Long) row[0]);
                    if (f != null && l != null) {
                        l.values().put(f.name(), f.type().fromText((String) row[2], null, null));
                    }
                });
    }

    /** A row of {@link #byIds}'s select: id, partition_id, then {@code columns} other than those two, in order. */
    private static Lead read(ResultSet rs, List<LeadField> columns) throws SQLException {
        long id = rs.getLong(1);
        long partition = rs.getLong(2);
        Map<String, Object> values = HashMap.newHashMap(columns.size());
        int next = 3;
        for (LeadField f : columns) {
            Object v = switch (f.column()) {
                case "id" -> id;
                case "partition_id" -> partition;
                default -> readColumn(rs, next++, f.type());
            };
            if (v != null) {
                values.put(f.name(), v);
            }
        }
        return new Lead(id, partition, values);
    }

    private static Object readColumn(ResultSet rs, int c, FieldType type) throws SQLException {
        return switch (type) {
            case INTEGER -> {
                long v = rs.getLong(c);
                yield rs.wasNull() ? null : v;
            }
            case FLOAT, CURRENCY -> {
                double v = rs.getDouble(c);
                yield rs.wasNull() ? null : v;
            }
            case BOOLEAN -> {
                boolean v = rs.getBoolean(c);
                yield rs.wasNull() ? null : v;
            }
            case DATETIME -> {
                long v = rs.getLong(c);
                yield rs.wasNull() ? null : Instant.ofEpochMilli(v);
            }
            default -> rs.getString(c);
        };
    }

    /** Reads a row of a result set. */
    @FunctionalInterface
    private interface Rows {
        void each(ResultSet rs) throws SQLException;
    }

    /** A query in plain JDBC ({@code Long} and {@code String} parameters), each row to {@code rows}. */
    private static void select(Handle h, String sql, List<?> params, Rows rows) {
        Jdbc.with(h, sql, select -> {
            for (int i = 0; i < params.size(); i++) {
                switch (params.get(i)) {
                    case Long l -> select.setLong(i + 1, l);
                    case String text -> select.setString(i + 1, text);
                    case Object other -> throw new IllegalArgumentException("unexpected parameter " + other.getClass());
                }
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.each(rs);
                }
            }
            return null;
        });
    }

    /** The first parameters of a lead query: the instance, then the partitions it may read. */
    private static List<Object> inPartitions(long instance, long[] partitions) {
        List<Object> params = new ArrayList<>(1 + partitions.length);
        params.add(instance);
        for (long p : partitions) {
            params.add(p);
        }
        return params;
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
