package dev.mkto.client;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Access tokens by (identity URL, client id), shared by every client and thread in the process:
 * Marketo keeps one live token per custom service, so there is one here too. Each key has a lock
 * held while its token is fetched, so one token request per key is in flight at a time; the
 * threads that waited for it take its outcome, a token or the failure, instead of asking again.
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

    /**
     * Why the last token request for a key failed: refused by the identity service, or no answer.
     * {@code secretDigest} ties it to the secret it was made with.
     */
    record Failure(byte[] secretDigest, @Nullable AuthenticationFailure refusal, @Nullable IOException noAnswer) {
    }

    static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile @Nullable Held held;
        /** Token requests finished for this key; a thread that waited for the lock compares it with what it saw before. */
        volatile long fetches;
        /** The last token request's failure, or null when it got a token (written with the lock held). */
        volatile @Nullable Failure failure;
    }

    private final Map<Key, Slot> slots = new ConcurrentHashMap<>();

    Slot slot(Key key) {
        return slots.computeIfAbsent(key, k -> new Slot());
    }
}
