package dev.mkto.server.console;

import dev.mkto.server.admin.AdminAuth;
import dev.mkto.server.admin.Lockout;
import dev.mkto.server.store.KeyRing;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Console sign-in: sessions, their CSRF tokens, and the lockout of addresses that keep failing.
 *
 * <ul>
 *   <li>A session id is 256 random bits; only its SHA-256 is kept, so a memory dump or a log line
 *       naming a key yields no usable cookie. A session ends after {@link #IDLE} without a request,
 *       after {@link #LIFETIME} in any case, or at sign-out.</li>
 *   <li>Each session has its own CSRF token (256 random bits), compared in constant time.</li>
 *   <li>After {@link #MAX_FAILURES} failed sign-ins from one address within {@link #LOCKOUT}, that
 *       address may not sign in for {@link #LOCKOUT} — not even with the right credential, so the
 *       answer never tells whether a guess was right.</li>
 * </ul>
 *
 * Sessions live in this process's memory: a restart signs admins out. Time is the injected clock.
 */
final class Sessions {

    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(12);
    static final Duration LOCKOUT = Duration.ofMinutes(15);
    static final int MAX_FAILURES = 5;
    private static final int MAX_SESSIONS = 1_000;

    /** A signed-in admin's session. {@code flash} is a message shown once on the next page. */
    static final class Session {
        private final String csrf;
        private final Instant createdAt;
        private Instant lastSeenAt;
        private String flash;

        private Session(String csrf, Instant createdAt) {
            this.csrf = csrf;
            this.createdAt = createdAt;
            this.lastSeenAt = createdAt;
        }

        String csrf() {
            return csrf;
        }

        /** Whether {@code presented} is this session's CSRF token (constant time). */
        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
        }

        synchronized void flash(String message) {
            flash = message;
        }

        synchronized Optional<String> takeFlash() {
            String f = flash;
            flash = null;
            return Optional.ofNullable(f);
        }
    }

    /** The outcome of a sign-in. */
    sealed interface SignIn {
    }

    /** Signed in: {@code cookie} is the session id to hand to the browser (never stored). */
    record SignedIn(String cookie, Session session) implements SignIn {
        @Override
        public String toString() {
            return "SignedIn[cookie=****]";
        }
    }

    record Refused() implements SignIn {
    }

    /** Too many failures from this address; sign-in is refused until {@code until}. */
    record LockedOut(Instant until) implements SignIn {
    }

    private final AdminAuth auth;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new HashMap<>();
    private final Lockout lockout = new Lockout(MAX_FAILURES, LOCKOUT);

    Sessions(AdminAuth auth, InstantSource clock) {
        this.auth = auth;
        this.clock = clock;
    }

    /** Signs in with the admin credential from {@code address}, unless that address is locked out. */
    synchronized SignIn signIn(String credential, InetAddress address) {
        Instant now = clock.instant();
        Optional<Instant> locked = lockout.lockedUntil(address, now);
        if (locked.isPresent()) {
            return new LockedOut(locked.get());
        }
        if (!auth.accepts(credential)) {
            return lockout.failed(address, now).<SignIn>map(LockedOut::new).orElseGet(Refused::new);
        }
        lockout.succeeded(address);
        expire(now);
        if (sessions.size() >= MAX_SESSIONS) {
            oldest().ifPresent(sessions::remove);
        }
        String cookie = randomToken();
        Session s = new Session(randomToken(), now);
        sessions.put(KeyRing.sha256(cookie), s);
        return new SignedIn(cookie, s);
    }

    /** The live session a cookie names, marked as seen now. */
    synchronized Optional<Session> find(String cookie) {
        if (cookie == null || cookie.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String key = KeyRing.sha256(cookie);
        Session s = sessions.get(key);
        if (s == null) {
            return Optional.empty();
        }
        if (expired(s, now)) {
            sessions.remove(key);
            return Optional.empty();
        }
        s.lastSeenAt = now;
        return Optional.of(s);
    }

    synchronized void signOut(String cookie) {
        if (cookie != null) {
            sessions.remove(KeyRing.sha256(cookie));
        }
    }

    /** A random 256-bit token, URL-safe. */
    String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private boolean expired(Session s, Instant now) {
        return !now.isBefore(s.lastSeenAt.plus(IDLE)) || !now.isBefore(s.createdAt.plus(LIFETIME));
    }

    private void expire(Instant now) {
        sessions.values().removeIf(s -> expired(s, now));
    }

    private Optional<String> oldest() {
        return sessions.entrySet().stream().min(Map.Entry.comparingByValue((a, b) -> a.lastSeenAt.compareTo(b.lastSeenAt)))
                .map(Map.Entry::getKey);
    }
}
