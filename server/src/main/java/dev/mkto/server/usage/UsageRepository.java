package dev.mkto.server.usage;

import dev.mkto.server.store.Database;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Daily usage and error counts at rest; writes add to what is stored, so every process can flush its own. */
final class UsageRepository {

    /** Calls that counted, per day, service and endpoint. */
    record CallRow(long instanceId, String day, long serviceId, String userEmail, String endpoint, long calls) {
    }

    /** Error answers per day, service, endpoint and code. */
    record ErrorRow(long instanceId, String day, long serviceId, String endpoint, String code, long errors) {
    }

    private static final String ADD_CALLS_PG = "INSERT INTO usage_daily (instance_id, usage_day, service_id, user_email, endpoint, calls) "
            + "VALUES (:instance, :day, :service, :email, :endpoint, :n) ON CONFLICT (instance_id, usage_day, service_id, user_email, endpoint) "
            + "DO UPDATE SET calls = usage_daily.calls + EXCLUDED.calls";
    private static final String ADD_CALLS_H2 = "MERGE INTO usage_daily t USING (VALUES (CAST(:instance AS BIGINT), CAST(:day AS VARCHAR(10)), "
            + "CAST(:service AS BIGINT), CAST(:email AS VARCHAR(255)), CAST(:endpoint AS VARCHAR(300)), CAST(:n AS BIGINT))) "
            + "s(instance_id, usage_day, service_id, user_email, endpoint, calls) ON t.instance_id = s.instance_id AND t.usage_day = s.usage_day "
            + "AND t.service_id = s.service_id AND t.user_email = s.user_email AND t.endpoint = s.endpoint "
            + "WHEN MATCHED THEN UPDATE SET calls = t.calls + s.calls "
            + "WHEN NOT MATCHED THEN INSERT (instance_id, usage_day, service_id, user_email, endpoint, calls) "
            + "VALUES (s.instance_id, s.usage_day, s.service_id, s.user_email, s.endpoint, s.calls)";
    private static final String ADD_ERRORS_PG = "INSERT INTO error_daily (instance_id, usage_day, service_id, endpoint, error_code, errors) "
            + "VALUES (:instance, :day, :service, :endpoint, :code, :n) ON CONFLICT (instance_id, usage_day, service_id, endpoint, error_code) "
            + "DO UPDATE SET errors = error_daily.errors + EXCLUDED.errors";
    private static final String ADD_ERRORS_H2 = "MERGE INTO error_daily t USING (VALUES (CAST(:instance AS BIGINT), CAST(:day AS VARCHAR(10)), "
            + "CAST(:service AS BIGINT), CAST(:endpoint AS VARCHAR(300)), CAST(:code AS VARCHAR(10)), CAST(:n AS BIGINT))) "
            + "s(instance_id, usage_day, service_id, endpoint, error_code, errors) ON t.instance_id = s.instance_id AND t.usage_day = s.usage_day "
            + "AND t.service_id = s.service_id AND t.endpoint = s.endpoint AND t.error_code = s.error_code "
            + "WHEN MATCHED THEN UPDATE SET errors = t.errors + s.errors "
            + "WHEN NOT MATCHED THEN INSERT (instance_id, usage_day, service_id, endpoint, error_code, errors) "
            + "VALUES (s.instance_id, s.usage_day, s.service_id, s.endpoint, s.error_code, s.errors)";
    private static final String LAST_USED_PG = "INSERT INTO last_used (kind, ref_id, used_at) VALUES (:kind, :id, :at) "
            + "ON CONFLICT (kind, ref_id) DO UPDATE SET used_at = GREATEST(last_used.used_at, EXCLUDED.used_at)";
    private static final String LAST_USED_H2 = "MERGE INTO last_used t USING (VALUES (CAST(:kind AS VARCHAR(10)), CAST(:id AS BIGINT), "
            + "CAST(:at AS BIGINT))) s(kind, ref_id, used_at) ON t.kind = s.kind AND t.ref_id = s.ref_id "
            + "WHEN MATCHED THEN UPDATE SET used_at = GREATEST(t.used_at, s.used_at) "
            + "WHEN NOT MATCHED THEN INSERT (kind, ref_id, used_at) VALUES (s.kind, s.ref_id, s.used_at)";
    private static final String CALLS = "SELECT instance_id, usage_day, service_id, user_email, endpoint, calls FROM usage_daily "
            + "WHERE instance_id = :instance AND usage_day >= :from AND usage_day <= :to ORDER BY usage_day, service_id, endpoint";
    private static final String ERRORS = "SELECT instance_id, usage_day, service_id, endpoint, error_code, errors FROM error_daily "
            + "WHERE instance_id = :instance AND usage_day >= :from AND usage_day <= :to ORDER BY usage_day, error_code";
    private static final String INSTANCE_DAY = "SELECT COALESCE(SUM(calls), 0) FROM usage_daily WHERE instance_id = :instance AND usage_day = :day";
    private static final String SERVICE_DAY = "SELECT COALESCE(SUM(calls), 0) FROM usage_daily WHERE service_id = :service AND usage_day = :day";
    private static final String LAST = "SELECT ref_id, used_at FROM last_used WHERE kind = :kind";

    private final Jdbi jdbi;
    private final boolean postgres;

    UsageRepository(Jdbi jdbi, Database.Dialect dialect) {
        this.jdbi = jdbi;
        this.postgres = dialect == Database.Dialect.POSTGRESQL;
    }

    void add(List<CallRow> calls, List<ErrorRow> errors, Map<Long, Long> servicesUsedAt, Map<Long, Long> usersUsedAt) {
        jdbi.useTransaction(h -> {
            if (!calls.isEmpty()) {
                PreparedBatch b = h.prepareBatch(postgres ? ADD_CALLS_PG : ADD_CALLS_H2);
                for (CallRow r : calls) {
                    b.bind("instance", r.instanceId()).bind("day", r.day()).bind("service", r.serviceId()).bind("email", r.userEmail())
                            .bind("endpoint", r.endpoint()).bind("n", r.calls()).add();
                }
                b.execute();
            }
            if (!errors.isEmpty()) {
                PreparedBatch b = h.prepareBatch(postgres ? ADD_ERRORS_PG : ADD_ERRORS_H2);
                for (ErrorRow r : errors) {
                    b.bind("instance", r.instanceId()).bind("day", r.day()).bind("service", r.serviceId()).bind("endpoint", r.endpoint())
                            .bind("code", r.code()).bind("n", r.errors()).add();
                }
                b.execute();
            }
            lastUsed(h, "service", servicesUsedAt);
            lastUsed(h, "user", usersUsedAt);
        });
    }

    private void lastUsed(org.jdbi.v3.core.Handle h, String kind, Map<Long, Long> at) {
        if (at.isEmpty()) {
            return;
        }
        PreparedBatch b = h.prepareBatch(postgres ? LAST_USED_PG : LAST_USED_H2);
        at.forEach((id, when) -> b.bind("kind", kind).bind("id", id).bind("at", when).add());
        b.execute();
    }

    List<CallRow> calls(long instance, String from, String to) {
        return jdbi.withHandle(h -> h.createQuery(CALLS).bind("instance", instance).bind("from", from).bind("to", to)
                .map((rs, ctx) -> new CallRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getLong(6)))
                .list());
    }

    List<ErrorRow> errors(long instance, String from, String to) {
        return jdbi.withHandle(h -> h.createQuery(ERRORS).bind("instance", instance).bind("from", from).bind("to", to)
                .map((rs, ctx) -> new ErrorRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getLong(6)))
                .list());
    }

    long instanceDay(long instance, String day) {
        return jdbi.withHandle(h -> h.createQuery(INSTANCE_DAY).bind("instance", instance).bind("day", day).mapTo(Long.class).one());
    }

    long serviceDay(long service, String day) {
        return jdbi.withHandle(h -> h.createQuery(SERVICE_DAY).bind("service", service).bind("day", day).mapTo(Long.class).one());
    }

    Map<Long, Long> lastUsed(String kind) {
        Map<Long, Long> out = new java.util.HashMap<>();
        jdbi.useHandle(h -> h.createQuery(LAST).bind("kind", kind).map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }
}
