package dev.mkto.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Runs one REST call to its end: takes a token and a place in the limits, sends, and decides from
 * Marketo's answer what happens next.
 *
 * <ul>
 *   <li>600/601/602: the token is dropped, one new token fetched, the call repeated with it (once);
 *       never with the refused token, even if the identity service hands it out again.
 *   <li>606 and 615: back off with jitter and repeat; after a 606 the whole limiter pauses.
 *   <li>604, 608, 611, 713, HTTP 5xx and a connection lost mid-call: repeated only when the call is
 *       safe to repeat. A connection that could not be made at all is always repeated.
 *   <li>607: never repeated; the answer carries when the quota resets. Until then, later calls of
 *       every client sharing the limiter are answered with the same 607 without a request, also
 *       calls that were already waiting for the limiter when it arrived.
 * </ul>
 */
final class Runner {

    /** The answer a call came to, or why it could not be made. */
    record Exchange(Envelope envelope, @Nullable AuthenticationFailure authenticationFailure, @Nullable Instant quotaResetsAt) {
        static Exchange refused(AuthenticationFailure f) {
            return new Exchange(Envelope.failure(f.httpStatus(), new MarketoError(f.error(), f.errorDescription())), f, null);
        }
    }

    /** Marketo refuses URIs over 8 KB; longer GETs go as POST with {@code _method=GET} and a form body, as Adobe documents. */
    static final int MAX_URI = 7 * 1024;

    private final Endpoint endpoint;
    private final HttpClient http;
    private final Tokens tokens;
    private final Limiter limiter;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final InstantSource clock;
    private final ZoneId quotaZone;
    private final int retries;
    private final Duration timeout;
    private final Trace trace;
    private final String userAgent;

    Runner(Endpoint endpoint, HttpClient http, Tokens tokens, Limiter limiter, Backoff backoff, Sleeper sleeper, InstantSource clock,
           ZoneId quotaZone, int retries, Duration timeout, Trace trace, String userAgent) {
        this.endpoint = endpoint;
        this.http = http;
        this.tokens = tokens;
        this.limiter = limiter;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.clock = clock;
        this.quotaZone = quotaZone;
        this.retries = retries;
        this.timeout = timeout;
        this.trace = trace;
        this.userAgent = userAgent;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    Exchange run(Call call) {
        try {
            return loop(call);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(describe(call) + " was interrupted", e);
        }
    }

    private Exchange loop(Call call) throws InterruptedException {
        boolean reauthenticated = false;
        int retry = 0;
        String token = null;
        while (true) {
            Optional<Instant> exhausted = limiter.quotaExhaustedUntil();
            if (exhausted.isPresent()) {
                return notSent(call, exhausted.get());
            }
            if (token == null) {
                Tokens.Obtained obtained = token(tokens::current);
                if (obtained instanceof Tokens.Failed failed) {
                    return Exchange.refused(failed.failure());
                }
                token = ((Tokens.Token) obtained).value();
            }
            Envelope answer;
            try {
                Limiter.Permit permit = limiter.acquire();
                // a 607 may have arrived while this call waited for the limiter
                exhausted = limiter.quotaExhaustedUntil();
                if (exhausted.isPresent()) {
                    permit.release(false);
                    return notSent(call, exhausted.get());
                }
                answer = send(call, token, permit);
            } catch (IOException e) {
                if (retry < retries && !(e instanceof SSLException) && (call.safe() || !reachedServer(e))) {
                    retry++;
                    pause(call, e.getClass().getSimpleName(), Backoff.Kind.TRANSIENT, retry);
                    continue;
                }
                throw new TransportException(describe(call) + " failed" + (retry > 0 ? " after " + (retry + 1) + " attempts" : "")
                        + ": " + message(e), e);
            }
            String code = answer.success() ? "" : answer.code();
            if (ErrorCodes.TOKEN.contains(code) && !reauthenticated) {
                reauthenticated = true;
                trace.tokenRefused(code);
                String refused = token;
                Tokens.Obtained replaced = token(() -> tokens.replace(refused));
                if (replaced instanceof Tokens.Failed failed) {
                    return Exchange.refused(failed.failure());
                }
                if (((Tokens.Token) replaced).value().equals(refused)) {
                    // identity still hands out the token the API refuses: repeating the call with it cannot succeed
                    return new Exchange(answer, null, null);
                }
                token = ((Tokens.Token) replaced).value();
                continue;
            }
            boolean limit = code.equals(ErrorCodes.RATE_LIMIT) || code.equals(ErrorCodes.CONCURRENCY_LIMIT) || code.equals("429");
            if (retry < retries && (limit || (ErrorCodes.TRANSIENT.contains(code) && call.safe()))) {
                retry++;
                Backoff.Kind kind = code.equals("429") ? Backoff.Kind.RATE : Backoff.kindOf(code);
                pause(call, code, kind, retry);
                continue;
            }
            if (code.equals(ErrorCodes.DAILY_QUOTA)) {
                return new Exchange(answer, null, quotaReset());
            }
            return new Exchange(answer, null, null);
        }
    }

    private Exchange notSent(Call call, Instant resetsAt) {
        trace.notSent(call.method(), call.path(), ErrorCodes.DAILY_QUOTA);
        return new Exchange(Envelope.failure(0, new MarketoError(ErrorCodes.DAILY_QUOTA,
                "Daily quota reached (not sent: the quota resets at " + resetsAt + ")")), null, resetsAt);
    }

    /** One request with this token, through the limiter, without retries (also what diagnosis uses). */
    Envelope once(Call call, String token) throws IOException, InterruptedException {
        return send(call, token, limiter.acquire());
    }

    /**
     * Sends with a permit already taken, and gives it back. A 607 is recorded before the permit
     * goes back, so no call waiting for the limiter is sent after it.
     */
    private Envelope send(Call call, String token, Limiter.Permit permit) throws IOException, InterruptedException {
        boolean counted = true;
        try {
            HttpResponse<byte[]> response = http.send(request(call, token), HttpResponse.BodyHandlers.ofByteArray());
            Envelope envelope = Envelope.read(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body());
            String code = envelope.success() ? "" : envelope.code();
            counted = !ErrorCodes.NOT_COUNTED.contains(code);
            if (code.equals(ErrorCodes.DAILY_QUOTA)) {
                limiter.quotaExhausted(quotaReset());
            }
            return envelope;
        } finally {
            permit.release(counted);
        }
    }

    private HttpRequest request(Call call, String token) {
        String query = call.encodedQuery();
        URI uri = endpoint.resolve(call.path() + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder b = HttpRequest.newBuilder()
                .timeout(call.timeout() == null ? timeout : call.timeout())
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", userAgent);
        if (call.method().equals("GET") && uri.toString().length() > MAX_URI) {
            return b.uri(endpoint.resolve(call.path() + "?_method=GET")).version(HttpClient.Version.HTTP_1_1)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(query))
                    .build();
        }
        b.uri(uri);
        if (uri.getScheme().equals("http")) {
            b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plain http
        }
        if (call.jsonBody() != null) {
            b.header("Content-Type", "application/json");
            return b.method(call.method(), HttpRequest.BodyPublishers.ofString(call.jsonBody())).build();
        }
        return b.method(call.method(), HttpRequest.BodyPublishers.noBody()).build();
    }

    private void pause(Call call, String reason, Backoff.Kind kind, int retry) throws InterruptedException {
        Duration delay = backoff.delay(kind, retry);
        if (kind == Backoff.Kind.RATE) {
            limiter.pause(delay);
        }
        trace.retrying(call.method(), call.path(), reason, retry, delay);
        sleeper.sleep(delay);
    }

    private Instant quotaReset() {
        return clock.instant().atZone(quotaZone).toLocalDate().plusDays(1).atStartOfDay(quotaZone).toInstant();
    }

    private interface TokenStep {
        Tokens.Obtained get() throws IOException, InterruptedException;
    }

    private Tokens.Obtained token(TokenStep step) throws InterruptedException {
        try {
            return step.get();
        } catch (IOException e) {
            throw new TransportException("POST " + endpoint.identityUrl() + "/oauth/token failed: " + message(e), e);
        }
    }

    private String describe(Call call) {
        return call.method() + " " + endpoint.resolve(call.path());
    }

    /** True unless the failure shows the request never left (no connection was made). */
    static boolean reachedServer(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException || t instanceof UnknownHostException
                    || t instanceof java.nio.channels.UnresolvedAddressException) {
                return false;
            }
        }
        return true;
    }

    /**
     * What went wrong in words, then the exception's class and message: "connection refused
     * (ConnectException)", "no answer within the request time-out (HttpTimeoutException: request
     * timed out)".
     */
    static String message(Throwable e) {
        String detail = detail(e);
        String words = caused(e, UnknownHostException.class, java.nio.channels.UnresolvedAddressException.class)
                ? "unknown host (check the endpoint's host name)"
                : caused(e, HttpConnectTimeoutException.class) ? "no connection within the connect time-out"
                : caused(e, java.net.http.HttpTimeoutException.class) ? "no answer within the request time-out"
                : caused(e, javax.net.ssl.SSLException.class) ? "the TLS connection failed"
                : caused(e, ConnectException.class) ? "connection refused (nothing listens there, or a firewall refuses)"
                : null;
        return words == null ? detail : words + " (" + detail + ")";
    }

    @SafeVarargs
    private static boolean caused(Throwable e, Class<? extends Throwable>... kinds) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<? extends Throwable> k : kinds) {
                if (k.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String detail(Throwable e) {
        StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
        Throwable t = e;
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                b.append(": ").append(t.getMessage());
                break;
            }
            t = t.getCause();
            if (t != null) {
                b.append(" (").append(t.getClass().getSimpleName()).append(')');
            }
        }
        return b.toString();
    }
}
