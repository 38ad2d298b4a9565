package dev.mkto.server.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Values read per key on first use and dropped at each change, read again by the next use: a
 * bounded cache that, like {@link Snapshot}, never keeps a read that overlaps a change. Dropping a
 * cache's entries does not stop a read already in progress from storing what it read, which may
 * predate the change (a role just removed, a secret just rotated), until the next change; here
 * each entry carries the count of changes seen before its read began, and an entry from before
 * the latest change is read again instead of served. Concurrent first uses of a key share one read.
 */
final class KeyedSnapshot<K, V> {

    private record Entry<V>(V value, long changes) {
    }

    private final Cache<K, Entry<V>> cache;
    private final Function<K, V> read;
    private final AtomicLong changes = new AtomicLong();

    /** {@code cache}: how the entries are bounded (size, age). */
    KeyedSnapshot(Caffeine<Object, Object> cache, Function<K, V> read) {
        this.cache = cache.build();
        this.read = read;
    }

    V get(K key) {
        Entry<V> e = cache.get(key, this::load);
        if (e.changes() != changes.get()) {
            cache.asMap().remove(key, e); // read before a change: not kept
            e = cache.get(key, this::load); // overlapping yet another change, it serves this caller only
            if (e.changes() != changes.get()) {
                cache.asMap().remove(key, e);
            }
        }
        return e.value();
    }

    /** Drops every value; a read in progress is not kept. */
    void changed() {
        changes.incrementAndGet();
        cache.invalidateAll();
    }

    private Entry<V> load(K key) {
        long before = changes.get();
        return new Entry<>(read.apply(key), before);
    }
}
