package dev.mkto.server.activities;

import dev.mkto.server.access.Caller;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.Jdbc;
import dev.mkto.server.store.PlannerStatistics;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Records activities as the lead database changes — New Lead, Change Data Value, Delete Lead,
 * Change Lead Partition, Add to List, Remove from List, Request Campaign — in the same transaction
 * as the change, in one batch per call. Each carries who made the change (API method, API user,
 * request id), as Marketo's activity log does.
 */
public final class ActivityLog {

    /** One activity to record. Attributes keep their order; null values are left out. */
    public record Entry(long leadId, long partitionId, int typeId, Long campaignId, Long primaryValueId, String primaryValue,
                        Map<String, Object> attributes) {
    }

    /** Who made a change: the instance, the API user (or "seed"), the API method, and the request. */
    public record Actor(long instanceId, String user, String apiMethod, String requestId) {
        public static Actor of(Caller caller, String apiMethod, String requestId) {
            return new Actor(caller.instanceId(), caller.userEmail(), apiMethod, requestId);
        }
    }

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final String INSERT = "INSERT INTO activity (instance_id, lead_id, partition_id, activity_type_id, activity_date, "
            + "campaign_id, primary_value_id, primary_value, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    // on PostgreSQL the batch goes as one statement, each column an array: a batch of single-row
    // inserts costs PostgreSQL a statement's execution per row, several times the row's own writes
    private static final String INSERT_ARRAYS = "INSERT INTO activity (instance_id, lead_id, partition_id, activity_type_id, activity_date, "
            + "campaign_id, primary_value_id, primary_value, attributes) SELECT ?, u.l, u.p, u.t, ?, u.c, u.v, u.pv, u.a "
            + "FROM unnest(?, ?, ?, ?, ?, ?, ?) AS u(l, p, t, c, v, pv, a)";

    private static final String MOVE = "UPDATE activity SET partition_id = :partition WHERE lead_id = :lead AND instance_id = :instance";

    private final Jdbi jdbi;
    private final PlannerStatistics statistics;
    private final boolean arrays;

    public ActivityLog(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.statistics = PlannerStatistics.of(jdbi);
        this.arrays = Database.dialectOf(jdbi) == Database.Dialect.POSTGRESQL;
    }

    /** Records the entries at {@code date}, inside the caller's transaction when there is one. */
    public void record(Actor actor, long date, List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            if (arrays) {
                insertArrays(h, actor, date, entries);
            } else {
                insertBatch(h, actor, date, entries);
            }
        });
        statistics.grew("activity", entries.size());
    }

    /** H2: positional, in plain JDBC (Jdbi's named binding of every row showed up in the bulk-load profile). */
    private static void insertBatch(Handle h, Actor actor, long date, List<Entry> entries) {
        Jdbc.with(h, INSERT, batch -> {
            for (Entry e : entries) {
                batch.setLong(1, actor.instanceId());
                batch.setLong(2, e.leadId());
                batch.setLong(3, e.partitionId());
                batch.setInt(4, e.typeId());
                batch.setLong(5, date);
                setLong(batch, 6, e.campaignId());
                setLong(batch, 7, e.primaryValueId());
                batch.setString(8, e.primaryValue());
                batch.setString(9, attributesJson(actor, e));
                batch.addBatch();
            }
            return batch.executeBatch();
        });
    }

    /** PostgreSQL: the whole batch in one statement, each column an array, in the entries' order. */
    private static void insertArrays(Handle h, Actor actor, long date, List<Entry> entries) {
        Jdbc.with(h, INSERT_ARRAYS, insert -> {
            int n = entries.size();
            Long[] leads = new Long[n];
            Long[] partitions = new Long[n];
            Integer[] types = new Integer[n];
            Long[] campaigns = new Long[n];
            Long[] valueIds = new Long[n];
            String[] values = new String[n];
            String[] attributes = new String[n];
            for (int i = 0; i < n; i++) {
                Entry e = entries.get(i);
                leads[i] = e.leadId();
                partitions[i] = e.partitionId();
                types[i] = e.typeId();
                campaigns[i] = e.campaignId();
                valueIds[i] = e.primaryValueId();
                values[i] = e.primaryValue();
                attributes[i] = attributesJson(actor, e);
            }
            insert.setLong(1, actor.instanceId());
            insert.setLong(2, date);
            insert.setArray(3, Jdbc.array(insert, "int8", leads));
            insert.setArray(4, Jdbc.array(insert, "int8", partitions));
            insert.setArray(5, Jdbc.array(insert, "int4", types));
            insert.setArray(6, Jdbc.array(insert, "int8", campaigns));
            insert.setArray(7, Jdbc.array(insert, "int8", valueIds));
            insert.setArray(8, Jdbc.array(insert, "text", values));
            insert.setArray(9, Jdbc.array(insert, "text", attributes));
            return insert.executeUpdate();
        });
    }

    /**
     * A lead moved to {@code partition}: its history moves with it, inside the caller's transaction.
     * Activities are read by the partition they carry, so one left behind would show a moved lead's
     * history to callers of the partition it left, and hide it from those of the one it joined.
     */
    public void moved(long instance, long leadId, long partition) {
        jdbi.useHandle(h -> h.createUpdate(MOVE).bind("partition", partition).bind("instance", instance).bind("lead", leadId).execute());
    }

    /**
     * The entry's attributes with the actor's, as Marketo lists them: name/value pairs, nulls left
     * out. Written directly: a JSON mapper's set-up per activity was a third of a 300-lead sync's
     * work in the server. Values are strings, integers or booleans.
     */
    static String attributesJson(Actor actor, Entry e) {
        Map<String, Object> attributes = new LinkedHashMap<>(e.attributes());
        attributes.put("API Method Name", actor.apiMethod());
        attributes.put("Modifying User", actor.user());
        attributes.put("Request Id", actor.requestId());
        StringBuilder json = new StringBuilder(192).append('[');
        attributes.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            if (json.length() > 1) {
                json.append(',');
            }
            quote(json.append("{\"name\":"), name).append(",\"value\":");
            switch (value) {
                case String text -> quote(json, text);
                case Long _, Integer _, Boolean _ -> json.append(value);
                default -> throw new IllegalArgumentException("activity attribute " + name + " holds a " + value.getClass().getSimpleName());
            }
            json.append('}');
        });
        return json.append(']').toString();
    }

    /** {@code text} as a JSON string, escaped as the server's JSON mapper escapes it. */
    private static StringBuilder quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX.toHexDigits((byte) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static void setLong(PreparedStatement s, int i, Long value) throws SQLException {
        if (value == null) {
            s.setNull(i, Types.BIGINT);
        } else {
            s.setLong(i, value);
        }
    }

    /** Attributes in order, from name/value pairs. */
    public static Map<String, Object> attributes(Object... nameValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put((String) nameValues[i], nameValues[i + 1]);
        }
        return m;
    }
}
