package dev.mkto.server.identity;

import dev.mkto.server.store.Jdbc;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes new tokens to a database that only this process uses, behind the grants that issued
 * them: one thread takes every token granted since its last write and inserts their rows (each
 * with the nonce its token is derived from, so that start-up finds the live tokens) in one
 * transaction, so a grant never waits for the disk and a burst of grants costs one commit. Until a
 * token is written it is found here ({@link #unwritten}); revoking a service first drops its
 * unwritten tokens and waits for a write in progress, so a revoked token is never written after
 * its revocation.
 */
final class TokenWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenWriter.class);
    /**
     * After each write the writer pauses this long before taking the next batch, so that grants
     * arriving meanwhile join it without waking the writer (a wake-up per grant cost about 3 % of
     * a grant's CPU); only a writer with nothing left to do waits to be woken.
     */
    private static final long PAUSE_NANOS = 1_000_000;

    /** A token to store: it becomes its service's live token. */
    record Claim(long serviceId, String nonce, String hash, long issuedAt, long expiresAt) {
        @Override
        public String toString() {
            return "Claim[service=" + serviceId + "]";
        }
    }

    private final Jdbi jdbi;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queuedOrClosed = lock.newCondition();
    private final Condition progressed = lock.newCondition();
    private final Map<String, Claim> unwritten = new ConcurrentHashMap<>();
    private List<Claim> queue = new ArrayList<>();
    private long queuedCount;
    private long doneCount;
    private boolean closed;
    private boolean stopped;
    private boolean sleeping;
    private final Thread thread;

    TokenWriter(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.thread = Thread.ofPlatform().daemon().name("mkto-token-writer").start(this::run);
    }

    /** Queues a token for writing; it is found by {@link #unwritten} until it is written. */
    void add(Claim claim) {
        unwritten.put(claim.hash(), claim);
        lock.lock();
        try {
            queue.add(claim);
            queuedCount++;
            if (sleeping) {
                queuedOrClosed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The queued or in-progress token with this hash, if there is one. */
    Claim unwritten(String hash) {
        return unwritten.get(hash);
    }

    /** Returns once every token queued before this call is written (or could not be). */
    void awaitWritten() {
        lock.lock();
        try {
            long target = queuedCount;
            while (doneCount < target && !stopped) {
                progressed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the queued tokens of these services, then waits for a write in progress to finish. */
    void cancel(Collection<Long> serviceIds) {
        lock.lock();
        try {
            int before = queue.size();
            queue.removeIf(c -> serviceIds.contains(c.serviceId()));
            doneCount += before - queue.size();
        } finally {
            lock.unlock();
        }
        unwritten.values().removeIf(c -> serviceIds.contains(c.serviceId()));
        awaitWritten();
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queuedOrClosed.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            List<Claim> batch;
            while ((batch = take()) != null) {
                write(batch);
                batch.forEach(c -> unwritten.remove(c.hash(), c));
                lock.lock();
                try {
                    doneCount += batch.size();
                    progressed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            lock.lock();
            try {
                stopped = true; // nobody waits for a writer that is gone
                progressed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** After a pause, everything queued, once there is something; null when closed with nothing left. */
    private List<Claim> take() {
        LockSupport.parkNanos(PAUSE_NANOS);
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                sleeping = true;
                queuedOrClosed.awaitUninterruptibly();
            }
            sleeping = false;
            if (queue.isEmpty()) {
                return null;
            }
            List<Claim> batch = queue;
            queue = new ArrayList<>();
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** All in one transaction; if that fails, one at a time, so that one bad token loses only itself. */
    private void write(List<Claim> batch) {
        try {
            jdbi.useTransaction(h -> store(h, batch));
        } catch (RuntimeException batchFailed) {
            for (Claim c : batch) {
                try {
                    jdbi.useTransaction(h -> store(h, List.of(c)));
                } catch (RuntimeException e) {
                    // a service deleted meanwhile, for one; the message could quote the row, so only its state is logged
                    LOG.warn("a token of service {} could not be stored ({}); it works until this process stops",
                            c.serviceId(), state(e));
                }
            }
        }
    }

    private static void store(Handle h, List<Claim> batch) {
        Jdbc.with(h, TokenStore.INSERT, insert -> {
            for (Claim c : batch) {
                TokenStore.bindInsert(insert, c.hash(), c.serviceId(), c.issuedAt(), c.expiresAt(), c.nonce());
                insert.addBatch();
            }
            return insert.executeBatch();
        });
    }

    private static String state(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return "SQLSTATE " + s.getSQLState();
            }
        }
        return e.getClass().getSimpleName();
    }
}
