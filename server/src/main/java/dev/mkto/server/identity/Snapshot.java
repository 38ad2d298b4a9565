package dev.mkto.server.identity;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A value read on first use and dropped at each change, read again by the next use. One read runs
 * at a time; a read that overlaps a change serves the callers that waited for it but is not kept,
 * since it may predate the change.
 */
final class Snapshot<T> {

    private final Supplier<T> read;
    private final ReentrantLock reading = new ReentrantLock();
    private final AtomicLong changes = new AtomicLong();
    private volatile T value;

    Snapshot(Supplier<T> read) {
        this.read = read;
    }

    T get() {
        T v = value;
        return v != null ? v : readNow();
    }

    /** Drops the value; the next {@link #get} reads it again. */
    void changed() {
        changes.incrementAndGet();
        value = null;
    }

    private T readNow() {
        reading.lock();
        try {
            T v = value;
            if (v != null) {
                return v;
            }
            long before = changes.get();
            v = read.get();
            value = v;
            if (changes.get() != before) {
                value = null; // a change during the read
            }
            return v;
        } finally {
            reading.unlock();
        }
    }
}
