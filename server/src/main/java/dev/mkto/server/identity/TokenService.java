package dev.mkto.server.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mkto.server.access.Caller;
import dev.mkto.server.admin.Changes;
import dev.mkto.server.admin.CustomServices;
import dev.mkto.server.admin.CustomServices.Credentials;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.IdentityException;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.store.KeyRing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Issues and checks access tokens, as Marketo's identity service does: one live token per custom
 * service, returned again (with its remaining lifetime) until it expires, then a new one. A token
 * presented after it expired is answered 602 once, then 601. A token stops working at once when
 * its service is disabled or deleted or its user deactivated or expired.
 *
 * <p>The hot path is in memory: token hash → service, service → caller. Tokens are stored only as
 * hashes; see {@link TokenStore}. On a database of this process alone, every live token is in
 * memory from start-up on, new ones are written behind their grants, and every service's
 * credentials are held in memory (read in one query by the first grant after start-up or a change).
 */
public final class TokenService implements Changes.Listener, AutoCloseable {

    /** What the identity endpoint answers. */
    public record Grant(String accessToken, long expiresIn, String scope) {
        @Override
        public String toString() {
            return "Grant[expiresIn=" + expiresIn + ", scope=" + scope + "]";
        }
    }

    private static final String SUFFIX = "mk";
    private static final Duration KEEP_EXPIRED = Duration.ofDays(1);
    /** How many times a grant checks its client again when revocations keep overtaking it. */
    private static final int ATTEMPTS = 5;

    private record Live(long serviceId, String token, String hash, long expiresAt) {
    }

    private final TokenStore store;
    private final CallerLoader callers;
    private final CustomServices services;
    private final Instances instances;
    private final KeyRing keys;
    private final InstantSource clock;
    private final ReentrantLock[] locks = new ReentrantLock[64];
    private final ConcurrentHashMap<Long, Live> live = new ConcurrentHashMap<>();
    /** Counts revocations: a grant that checked its client before one checks it again. */
    private final AtomicLong revocations = new AtomicLong();
    /** The same live tokens by hash: found without the bounded cache's upkeep, about half a new token's cost there. */
    private final ConcurrentHashMap<String, Live> liveByHash = new ConcurrentHashMap<>();
    private final Cache<String, TokenStore.Stored> tokens = cache(1_000_000).expireAfterWrite(Duration.ofDays(8)).build();
    private final Cache<String, Boolean> unknownTokens = cache(10_000).expireAfterWrite(Duration.ofSeconds(30)).build();
    private final KeyedSnapshot<Long, Optional<CallerLoader.Loaded>> callerCache;
    private final KeyedSnapshot<String, Optional<Credentials>> credentials;
    /** Counts changes: a token read from the store before one is not kept in {@link #tokens}. */
    private final AtomicLong tokenChanges = new AtomicLong();
    /** On a database of this process alone: every service's credentials, read again after a change. */
    private final Snapshot<Map<String, Credentials>> allCredentials;

    /**
     * A bounded cache that does its upkeep on the calling thread: handed to the common pool, it
     * woke a pool thread on nearly every new token (about 8 % of a grant's CPU).
     */
    private static Caffeine<Object, Object> cache(long maximumSize) {
        return Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run);
    }

    /** {@code exclusive}: only this process uses the database (embedded H2), not several (PostgreSQL). */
    public TokenService(Jdbi jdbi, boolean exclusive, CustomServices services, Instances instances, KeyRing keys, InstantSource clock) {
        this.store = new TokenStore(jdbi, exclusive);
        this.callers = new CallerLoader(jdbi);
        this.services = services;
        this.instances = instances;
        this.keys = keys;
        this.clock = clock;
        this.allCredentials = new Snapshot<>(services::allCredentials);
        this.credentials = new KeyedSnapshot<>(cache(100_000).expireAfterWrite(Duration.ofMinutes(10)), services::credentials);
        this.callerCache = new KeyedSnapshot<>(cache(100_000), callers::load);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
        if (exclusive) {
            store.allLive(clock.millis()).forEach((serviceId, stored) -> {
                String token = derive(stored.nonce());
                remember(serviceId, token, KeyRing.sha256(token), stored.expiresAt());
            });
        }
    }

    /** The client-credentials grant: checks the client, then returns its live token or a new one. */
    public Grant issue(String clientId, String clientSecret) {
        return grantChecking(() -> {
            Credentials c = credentials(clientId)
                    .orElseThrow(() -> IdentityException.unauthorized("No client with requested id: " + printable(clientId)));
            if (!keys.matches(clientSecret, c.secretMac())) {
                throw IdentityException.badCredentials();
            }
            return c;
        });
    }

    /** The instance a client id belongs to, if it exists. */
    public Optional<Long> instanceOf(String clientId) {
        return credentials(clientId).map(Credentials::instanceId);
    }

    /** LaunchPoint "Get Token": the same live token identity would return, under the same rules. */
    public Grant tokenFor(String clientId) {
        return grantChecking(() -> services.credentials(clientId)
                .orElseThrow(() -> IdentityException.unauthorized("No client with requested id: " + printable(clientId))));
    }

    /**
     * The caller a presented token stands for: 601 for an unknown or revoked token, 602 the first
     * time an expired one is presented (601 after), and 601 once its service or user cannot call.
     */
    public Caller authenticate(String token) {
        if (!wellFormed(token)) {
            throw MarketoException.of(ErrorCode.ACCESS_TOKEN_INVALID);
        }
        String hash = KeyRing.sha256(token);
        long now = clock.millis();
        Live l = liveByHash.get(hash);
        TokenStore.Stored stored = l != null && now < l.expiresAt()
                ? new TokenStore.Stored(l.serviceId(), l.expiresAt(), false)
                : tokens.getIfPresent(hash);
        if (stored == null) {
            if (unknownTokens.getIfPresent(hash) != null) {
                throw MarketoException.of(ErrorCode.ACCESS_TOKEN_INVALID);
            }
            long changes = tokenChanges.get();
            stored = store.find(hash).orElse(null);
            if (stored == null) {
                unknownTokens.put(hash, Boolean.TRUE);
                throw MarketoException.of(ErrorCode.ACCESS_TOKEN_INVALID);
            }
            tokens.put(hash, stored);
            if (tokenChanges.get() != changes) {
                tokens.invalidate(hash); // read before a change or revocation: this call may use it, later ones read again
            }
        }
        if (now >= stored.expiresAt()) {
            boolean first = !stored.expiryReported() && store.reportExpiry(hash);
            tokens.put(hash, new TokenStore.Stored(stored.serviceId(), stored.expiresAt(), true));
            throw MarketoException.of(first ? ErrorCode.ACCESS_TOKEN_EXPIRED : ErrorCode.ACCESS_TOKEN_INVALID);
        }
        CallerLoader.Loaded loaded = callerCache.get(stored.serviceId()).orElse(null);
        if (loaded == null || !loaded.usableAt(now)) {
            throw MarketoException.of(ErrorCode.ACCESS_TOKEN_INVALID);
        }
        return loaded.caller();
    }

    /** Deletes tokens that expired more than a day ago (their 602 has long been told). */
    public int purgeExpired() {
        return store.purgeExpiredBefore(clock.millis() - KEEP_EXPIRED.toMillis());
    }

    /**
     * Drops everything cached: grants, credentials, token → service, and live tokens unless this
     * process alone uses the database (then they are its own, and revocations remove them).
     */
    @Override
    public void changed() {
        dropCredentials();
        callerCache.changed();
        tokenChanges.incrementAndGet();
        tokens.invalidateAll();
        unknownTokens.invalidateAll();
        if (!store.exclusive()) {
            live.clear();
            liveByHash.clear();
        }
    }

    @Override
    public void revokeTokens(List<Long> serviceIds) {
        // grants from now on read the credentials again; grants that checked them before start over,
        // unless already past the check: those hold their service's lock until their token is
        // remembered, so wait for them, and their token is revoked with the others below
        dropCredentials();
        revocations.incrementAndGet();
        Set<Long> revoked = Set.copyOf(serviceIds);
        revoked.stream().map(this::lockOf).distinct().forEach(lock -> {
            lock.lock();
            lock.unlock();
        });
        store.revoke(serviceIds);
        tokenChanges.incrementAndGet();
        revoked.forEach(live::remove);
        liveByHash.values().removeIf(l -> revoked.contains(l.serviceId()));
        tokens.asMap().values().removeIf(s -> revoked.contains(s.serviceId()));
    }

    /** Writes the tokens not yet written. */
    @Override
    public void close() {
        store.close();
    }

    /**
     * The credentials of a client id. A process that shares the database reads them per client id
     * (cached until a change); a process alone on it holds every service's credentials, read in one
     * query by the first grant after start-up or after a change, so that a client never seen
     * before costs no read.
     */
    private Optional<Credentials> credentials(String clientId) {
        if (!store.exclusive()) {
            return credentials.get(clientId);
        }
        return Optional.ofNullable(allCredentials.get().get(clientId));
    }

    private void dropCredentials() {
        allCredentials.changed();
        credentials.changed();
    }

    private void requireUsable(Credentials c) {
        if (!c.enabled()) {
            throw IdentityException.unauthorized("Custom service '" + c.name() + "' is disabled");
        }
        if (!c.userApiOnly()) {
            throw IdentityException.unauthorized("User " + c.userEmail() + " is not an API-only user");
        }
        if (c.userInvited() || !c.userActive()) {
            throw IdentityException.unauthorized("API-only user " + c.userEmail() + " is deactivated");
        }
        if (c.userExpiresAt() != null && clock.millis() >= c.userExpiresAt()) {
            throw IdentityException.unauthorized("API-only user " + c.userEmail() + " expired at "
                    + Instant.ofEpochMilli(c.userExpiresAt()));
        }
    }

    /**
     * Checks the client ({@code client} throws if it may not have a token), then grants; a
     * revocation during the grant makes it check the client again.
     */
    private Grant grantChecking(Supplier<Credentials> client) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long seen = revocations.get();
            Credentials c = client.get();
            requireUsable(c);
            Grant g = grant(c.serviceId(), c.instanceId(), c.userEmail(), seen);
            if (g != null) {
                return g;
            }
        }
        throw MarketoException.of(ErrorCode.TEMPORARILY_UNAVAILABLE);
    }

    /** The service's live token or a new one; null when a revocation came after {@code seen} (check the client again). */
    private Grant grant(long serviceId, long instanceId, String scope, long seen) {
        long now = clock.millis();
        Live l = live.get(serviceId);
        if (l == null || now >= l.expiresAt()) {
            l = renew(serviceId, instanceId, now, seen);
        }
        if (l == null || revocations.get() != seen) {
            return null;
        }
        return new Grant(l.token(), Math.max(0, (l.expiresAt() - now) / 1000), scope);
    }

    private ReentrantLock lockOf(long serviceId) {
        return locks[(int) (serviceId & (locks.length - 1))];
    }

    private Live renew(long serviceId, long instanceId, long now, long seen) {
        ReentrantLock lock = lockOf(serviceId);
        lock.lock();
        try {
            if (revocations.get() != seen) {
                return null; // the client was checked before a revocation: its check may be stale
            }
            Live l = live.get(serviceId);
            if (l != null && now < l.expiresAt()) {
                return l;
            }
            // claim first: the claim holds only when no live token exists, so a service's first
            // grant costs one write; otherwise the live token (of any process) is read back
            for (int attempt = 0; attempt < 3; attempt++) {
                String nonce = KeyRing.randomNonce();
                long expiresAt = now + instances.get(instanceId).settings().tokenTtlSeconds() * 1000L;
                String token = derive(nonce);
                String hash = KeyRing.sha256(token);
                if (store.claimLive(serviceId, nonce, hash, now, expiresAt)) {
                    return remember(serviceId, token, hash, expiresAt);
                }
                Optional<TokenStore.Live> stored = store.live(serviceId);
                if (stored.isPresent() && now < stored.get().expiresAt()) {
                    String liveToken = derive(stored.get().nonce());
                    return remember(serviceId, liveToken, KeyRing.sha256(liveToken), stored.get().expiresAt());
                }
            }
            throw MarketoException.of(ErrorCode.TEMPORARILY_UNAVAILABLE);
        } finally {
            lock.unlock();
        }
    }

    private Live remember(long serviceId, String token, String hash, long expiresAt) {
        Live l = new Live(serviceId, token, hash, expiresAt);
        Live replaced = live.put(serviceId, l);
        liveByHash.put(hash, l);
        if (replaced != null && !replaced.hash().equals(hash)) {
            liveByHash.remove(replaced.hash(), replaced); // found in the store from now on, to be told it expired
        }
        return l;
    }

    private String derive(String nonce) {
        ByteBuffer b = ByteBuffer.wrap(keys.tokenBytes(nonce));
        long high = (b.getLong() & ~0xf000L) | 0x4000L;
        long low = (b.getLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low) + ":" + SUFFIX;
    }

    /** Our tokens are a lowercase UUID, ':' and a short suffix; anything else cannot be one. */
    private static boolean wellFormed(String token) {
        int n = token.length();
        if (n < 38 || n > 48 || token.charAt(36) != ':') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            boolean ok = i < 36 ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'
                    : i == 36 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        String clean = s.codePoints().filter(c -> c >= 0x20 && c != 0x7f)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 100 ? clean.substring(0, 100) + "…" : clean;
    }
}
