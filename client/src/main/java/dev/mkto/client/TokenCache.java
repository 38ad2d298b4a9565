package dev.mkto.client;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Access tokens by (identity URL, client id), shared by every client and thread in the process:
 * Marketo keeps one live token per custom service, so there is one here too. Each key has a lock
 * held while its token is fetched, so one token request per key is in flight at a time.
 */
final class TokenCache {

    static final TokenCache SHARED = new TokenCache();

    record Key(URI identityUrl, String clientId) {
    }

    /**
     * A token and its times: usable until {@code expiresAt}, asked for again from {@code refreshAt}.
     * {@code secretDigest} ties it to the secret it was issued for.
     */
    record Held(String token, Instant expiresAt, Instant refreshAt, byte[] secretDigest) {
        @Override
        public String toString() {
            return "Held[expiresAt=" + expiresAt + ", refreshAt=" + refreshAt + "]";
        }
    }

    static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile @Nullable Held held;
    }

    private final Map<Key, Slot> slots = new ConcurrentHashMap<>();

    Slot slot(Key key) {
        return slots.computeIfAbsent(key, k -> new Slot());
    }
}
