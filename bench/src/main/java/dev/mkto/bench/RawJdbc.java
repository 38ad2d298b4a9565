package dev.mkto.bench;

import dev.mkto.server.admin.Changes;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.Revisions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference for Sync Leads: the same lead rows inserted with plain JDBC batches of 300 (one
 * commit per batch, the same number of writers) into the server's own schema on a fresh database
 * of the same kind — what the database alone can do, with no HTTP, JSON, lookup or activity.
 */
final class RawJdbc {

    private static final String INSERT = "INSERT INTO lead (instance_id, partition_id, email, email_lc, first_name, last_name, "
            + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    private RawJdbc() {
    }

    /**
     * Inserts leads {@code from} (inclusive) to {@code to} (exclusive), the rows Sync Leads would
     * create for them, with {@code writers} connections; the elapsed nanoseconds.
     */
    static long insertLeads(String url, String user, long from, long to, int writers) throws Exception {
        long instance;
        long partition;
        try (Database database = Database.open(url, user, "", 2, Clock.systemUTC())) {
            Revisions revisions = new Revisions(database.jdbi(), Duration.ofMinutes(1));
            try {
                instance = new Instances(database.jdbi(), Clock.systemUTC(), new Changes(database.jdbi(), revisions))
                        .ensureDefault("123-ABC-456").id();
            } finally {
                revisions.close();
            }
            partition = database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM lead_partition WHERE instance_id = :i")
                    .bind("i", instance).mapTo(Long.class).one());
        }
        AtomicLong next = new AtomicLong(from);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Connection c = DriverManager.getConnection(url, user, "")) {
                    c.setAutoCommit(false);
                    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                        for (long first = next.getAndAdd(300); first < to; first = next.getAndAdd(300)) {
                            long now = System.currentTimeMillis();
                            for (long n = first; n < Math.min(to, first + 300); n++) {
                                String email = "lead" + n + "@example.com";
                                insert.setLong(1, instance);
                                insert.setLong(2, partition);
                                insert.setString(3, email);
                                insert.setString(4, email.toLowerCase(Locale.ROOT));
                                insert.setString(5, "Ada");
                                insert.setString(6, "Lovelace " + n);
                                insert.setLong(7, now);
                                insert.setLong(8, now);
                                insert.addBatch();
                            }
                            insert.executeBatch();
                            c.commit();
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("raw JDBC insert failed", failures.getFirst());
        }
        return System.nanoTime() - started;
    }
}
