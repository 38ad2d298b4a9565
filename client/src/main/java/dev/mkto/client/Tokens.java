package dev.mkto.client;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One client's view of the shared {@link TokenCache}: hands out a usable token, fetching one when
 * needed, and replaces a token the API refused (601/602) with a new one.
 *
 * <p>Marketo returns the service's live token until it expires, with its remaining life (which can
 * be a few seconds, or 0). A token with {@code skew} or less to live is treated as expired and asked
 * for again; when the identity service hands back the same token, it is used until it actually
 * expires rather than asked for again and again, and a call that races its expiry is repeated with
 * the new token after the API's 602.
 */
final class Tokens {

    /** A token, or why there is none. */
    sealed interface Obtained permits Token, Failed {
    }

    record Token(String value) implements Obtained {
        @Override
        public String toString() {
            return "Token[***]";
        }
    }

    record Failed(AuthenticationFailure failure) implements Obtained {
    }

    private static final Duration NEXT_SECOND = Duration.ofSeconds(1);
    private static final int SAME_TOKEN_WAITS = 3;

    private final TokenCache.Slot slot;
    private final IdentityClient identity;
    private final Credentials credentials;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final Duration skew;
    private final Backoff backoff;
    private final int retries;
    private final Trace trace;

    Tokens(TokenCache cache, IdentityClient identity, Endpoint endpoint, Credentials credentials, InstantSource clock, Sleeper sleeper,
           Duration skew, Backoff backoff, int retries, Trace trace) {
        this.slot = cache.slot(new TokenCache.Key(endpoint.identityUrl(), credentials.clientId()));
        this.identity = identity;
        this.credentials = credentials;
        this.clock = clock;
        this.sleeper = sleeper;
        this.skew = skew;
        this.backoff = backoff;
        this.retries = retries;
        this.trace = trace;
    }

    /** A token to call with: the cached one while it is fresh, else one fetched (by one thread per key at a time). */
    Obtained current() throws IOException, InterruptedException {
        TokenCache.Held held = slot.held;
        if (fresh(held)) {
            return new Token(held.token());
        }
        long seen = slot.fetches;
        slot.lock.lockInterruptibly();
        try {
            held = slot.held;
            if (fresh(held)) {
                return new Token(held.token());
            }
            Failed shared = failedWhileWaiting(seen);
            if (shared != null) {
                return shared;
            }
            return fetch(owned(held) ? held.token() : null);
        } finally {
            slot.lock.unlock();
        }
    }

    /**
     * The API refused {@code rejected} (601/602): drop it, unless another thread already replaced
     * it, and fetch a token that is not it.
     */
    Obtained replace(String rejected) throws IOException, InterruptedException {
        long seen = slot.fetches;
        slot.lock.lockInterruptibly();
        try {
            TokenCache.Held held = slot.held;
            if (owned(held) && !held.token().equals(rejected) && clock.instant().isBefore(held.expiresAt())) {
                return new Token(held.token());
            }
            Failed shared = failedWhileWaiting(seen);
            if (shared != null) {
                return shared;
            }
            if (held != null && (owned(held) || held.token().equals(rejected))) {
                slot.held = null;
            }
            Obtained got = fetch(null);
            for (int wait = 0; wait < SAME_TOKEN_WAITS && got instanceof Token t && t.value().equals(rejected); wait++) {
                // identity still hands out the token the API just refused: their clocks disagree for a moment
                slot.held = null;
                sleeper.sleep(NEXT_SECOND);
                got = fetch(null);
            }
            return got;
        } finally {
            slot.lock.unlock();
        }
    }

    private boolean fresh(TokenCache.@Nullable Held held) {
        return owned(held) && clock.instant().isBefore(held.refreshAt());
    }

    private boolean owned(TokenCache.@Nullable Held held) {
        return held != null && credentials.issued(held.secretDigest());
    }

    /**
     * The failure of a token request for these credentials that finished while this thread waited
     * for the lock (it would only be asked again, and fail the same way); thrown when it got no answer.
     */
    private @Nullable Failed failedWhileWaiting(long seen) throws IOException {
        TokenCache.Failure f = slot.failure;
        if (slot.fetches == seen || f == null || !credentials.issued(f.secretDigest())) {
            return null;
        }
        if (f.noAnswer() != null) {
            throw f.noAnswer();
        }
        return new Failed(Objects.requireNonNull(f.refusal()));
    }

    /** Asks the identity service (with the lock held) and records the outcome for the threads waiting for it. */
    private Obtained fetch(@Nullable String previous) throws IOException, InterruptedException {
        slot.failure = null; // an interrupted request leaves no failure behind for others to take
        try {
            Obtained got = fetchOnce(previous);
            slot.failure = got instanceof Failed f ? new TokenCache.Failure(credentials.secretDigest(), f.failure(), null) : null;
            return got;
        } catch (IOException e) {
            slot.failure = new TokenCache.Failure(credentials.secretDigest(), null, e);
            throw e;
        } finally {
            slot.fetches++; // only ever written with the lock held
        }
    }

    /** {@code previous} is the token this client had, if any. */
    private Obtained fetchOnce(@Nullable String previous) throws IOException, InterruptedException {
        IdentityClient.Granted granted = null;
        for (int wait = 0; ; wait++) {
            IdentityClient.Answer answer = ask();
            if (answer instanceof IdentityClient.Refused refused) {
                if (owned(slot.held)) {
                    slot.held = null;
                }
                return new Failed(refused.failure());
            }
            granted = (IdentityClient.Granted) answer;
            if (granted.expiresIn() > 0 || wait >= SAME_TOKEN_WAITS) {
                break;
            }
            // a token in its last second: the next one comes when it has expired
            sleeper.sleep(NEXT_SECOND);
        }
        Instant now = clock.instant();
        Instant expiresAt = now.plusSeconds(granted.expiresIn());
        boolean same = granted.accessToken().equals(previous);
        Instant refreshAt = same || granted.expiresIn() <= skew.toSeconds() ? expiresAt : expiresAt.minus(skew);
        if (!refreshAt.isAfter(now)) {
            refreshAt = now.plus(NEXT_SECOND);
            expiresAt = refreshAt;
        }
        slot.held = new TokenCache.Held(granted.accessToken(), expiresAt, refreshAt, credentials.secretDigest());
        return new Token(granted.accessToken());
    }

    /** One identity request, repeated after a failed connection or a 5xx (asking for a token is always safe to repeat). */
    private IdentityClient.Answer ask() throws IOException, InterruptedException {
        for (int retry = 1; ; retry++) {
            trace.identityRequested(identity.tokenUrl());
            try {
                IdentityClient.Answer answer = identity.request();
                if (retry <= retries && answer instanceof IdentityClient.Refused r && (r.failure().httpStatus() >= 500 || r.failure().httpStatus() == 429)) {
                    Duration delay = backoff.delay(Backoff.Kind.TRANSIENT, retry);
                    trace.retrying("POST", identity.tokenUrl().getPath(), "HTTP " + r.failure().httpStatus(), retry, delay);
                    sleeper.sleep(delay);
                    continue;
                }
                return answer;
            } catch (IOException e) {
                if (retry > retries) {
                    throw e;
                }
                Duration delay = backoff.delay(Backoff.Kind.TRANSIENT, retry);
                trace.retrying("POST", identity.tokenUrl().getPath(), e.getClass().getSimpleName(), retry, delay);
                sleeper.sleep(delay);
            }
        }
    }
}
