package dev.mkto.server.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's planner statistics in step with tables that grow fast. PostgreSQL plans a
 * lookup from the statistics the last ANALYZE left; during a bulk load they say the table is
 * nearly empty until autovacuum comes by (a minute or more later), and lookups by a list of
 * values then read the whole table instead of its index — a Sync Leads batch went from
 * milliseconds to a second. So once a table has doubled since it was last analysed (and grown by at
 * least 1,000 rows), this analyses it in the background. Doubling is enough: the planner scales the
 * row count an ANALYZE left by the table's current size in pages, so statistics from half the rows
 * still plan index lookups; what misleads it is a table analysed while (nearly) empty. Analysing
 * more often only cost the load (every ANALYZE samples up to 30,000 rows). H2 keeps its own
 * statistics as rows change: nothing to do there.
 */
public final class PlannerStatistics {

    private static final Logger LOG = LoggerFactory.getLogger(PlannerStatistics.class);
    private static final long MIN_GROWTH = 1_000;

    private static final class Table {
        final AtomicLong added = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean();
        volatile long analysedRows;
    }

    private final Jdbi jdbi;
    private final boolean enabled;
    private final Executor background;
    private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();

    private PlannerStatistics(Jdbi jdbi, boolean enabled, Executor background) {
        this.jdbi = jdbi;
        this.enabled = enabled;
        this.background = background;
    }

    /** For the database behind {@code jdbi} (its dialect read once, from the connection). */
    public static PlannerStatistics of(Jdbi jdbi) {
        return of(jdbi, task -> Thread.ofVirtual().name("mkto-analyze").start(task));
    }

    /** The same, running each ANALYZE on {@code background}. */
    static PlannerStatistics of(Jdbi jdbi, Executor background) {
        return new PlannerStatistics(jdbi, Database.dialectOf(jdbi) == Database.Dialect.POSTGRESQL, background);
    }

    /** {@code rows} were added to {@code table} (a constant name, never input). */
    public void grew(String table, int rows) {
        if (!enabled || rows <= 0) {
            return;
        }
        Table t = tables.computeIfAbsent(table, k -> new Table());
        long added = t.added.addAndGet(rows);
        if (added < Math.max(MIN_GROWTH, t.analysedRows) || !t.running.compareAndSet(false, true)) {
            return;
        }
        background.execute(() -> {
            try {
                t.added.set(0);
                long counted = jdbi.withHandle(h -> {
                    h.execute("ANALYZE " + table);
                    return h.createQuery("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:table)")
                            .bind("table", table).mapTo(Long.class).findOne().orElse(0L);
                });
                t.analysedRows = counted;
            } catch (RuntimeException e) {
                LOG.warn("could not refresh the planner statistics of {} ({}); autovacuum will", table,
                        Database.isUnavailable(e) ? "the database does not answer" : e.getClass().getSimpleName());
            } finally {
                t.running.set(false);
            }
        });
    }
}
