package dev.mkto.server.limits;

import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits counted in Redis and shared by every process: admission is one Lua script, so no process
 * over-admits. The window is a sorted set of admitted calls; calls in flight are a sorted set of
 * leases (a process that dies mid-call frees its slots when the lease ends); both are timed by
 * Redis's clock, not the processes', so clocks that disagree do not widen or shorten them. The
 * quota is a counter per day, seeded from the usage statistics whenever Redis lacks it (a new day,
 * or Redis lost its data). While Redis does not answer, calls are answered 608; the client
 * reconnects by itself, and the calls that ended meanwhile are released as soon as it answers.
 */
final class RedisLimiter implements Limiter {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLimiter.class);
    private static final long LEASE_MILLIS = Duration.ofMinutes(5).toMillis();
    private static final long QUOTA_TTL_SECONDS = Duration.ofDays(2).toSeconds();

    /** A call that ended, and whether its answer is refunded. */
    private record Ended(Permit permit, boolean refund) {
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String prefix;
    private final String acquire = script("acquire.lua");
    private final String release = script("release.lua");
    private volatile String acquireSha;
    private volatile String releaseSha;
    private final BiFunction<String, String, Long> quotaAlreadyUsed;
    /** Calls that ended while Redis did not answer: released before the next admission. */
    private final Queue<Ended> unreleased = new ConcurrentLinkedQueue<>();
    private final String node = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean failing;

    RedisLimiter(String url, String cluster, BiFunction<String, String, Long> quotaAlreadyUsed) {
        this.prefix = "mkto:" + cluster + ":";
        this.quotaAlreadyUsed = quotaAlreadyUsed;
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        try {
            this.connection = client.connect();
        } catch (RedisException e) {
            client.shutdown();
            throw new IllegalStateException("cannot connect to Redis at " + uri.getHost() + ":" + uri.getPort() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Admission acquire(Scope[] scopes, long now) {
        releaseUnreleased();
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of(node + "-" + sequence.incrementAndGet(), Long.toString(LEASE_MILLIS),
                Integer.toString(scopes.length)));
        for (Scope s : scopes) {
            keys.addAll(List.of(key(s, "w"), key(s, "f"), quotaKey(s), key(s, "p")));
            args.addAll(List.of(Integer.toString(s.rateCalls()), Long.toString(s.windowMillis()), Integer.toString(s.concurrent()),
                    Long.toString(s.dailyQuota()), Long.toString(QUOTA_TTL_SECONDS)));
        }
        Permit permit = new Permit(scopes, args.get(0), now);
        for (int attempt = 0; attempt <= scopes.length; attempt++) {
            List<Long> answer;
            try {
                answer = run(true, keys, args);
            } catch (Unanswered e) {
                // Redis may still run the admission it was sent: the call, answered 608, is ended and
                // refunded as soon as Redis answers, rather than holding a slot until its lease ends
                unreleased.add(new Ended(permit, true));
                throw e.unavailable;
            }
            if (answer.get(0) == 0) {
                return Admission.admitted(permit);
            }
            Scope scope = scopes[answer.get(1).intValue() - 1];
            if (answer.get(0) != 1) {
                return Admission.refused(answer.get(0).intValue(), scope);
            }
            seedQuota(scope);
        }
        throw unavailable(new RedisException("the quota counters disappear as they are seeded"));
    }

    /** Ends the call; if Redis does not answer, it is ended before the next admission (its lease ends it at the latest). */
    @Override
    public void release(Permit permit, boolean refund) {
        Ended ended = new Ended(permit, refund);
        if (!tryRelease(ended)) {
            unreleased.add(ended);
        }
    }

    private void releaseUnreleased() {
        if (unreleased.isEmpty()) {
            return;
        }
        for (int n = unreleased.size(); n > 0; n--) {
            Ended ended = unreleased.poll();
            if (ended == null) {
                return;
            }
            if (!tryRelease(ended)) {
                unreleased.add(ended);
                return;
            }
        }
    }

    /** The release script is safe to repeat: only a call still in flight is ended (and refunded). */
    private boolean tryRelease(Ended ended) {
        List<String> keys = new ArrayList<>();
        for (Scope s : ended.permit().scopes()) {
            keys.addAll(List.of(key(s, "w"), key(s, "f"), quotaKey(s)));
        }
        try {
            run(false, keys, List.of(ended.permit().id(), Integer.toString(ended.permit().scopes().length), ended.refund() ? "1" : "0"));
            return true;
        } catch (MarketoException unavailable) {
            return false;
        }
    }

    @Override
    public void recount(Scope scope) {
        try {
            connection.sync().del(quotaKey(scope));
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Usage usage(Scope scope, long processNow) {
        try {
            RedisCommands<String, String> r = connection.sync();
            List<String> time = r.time(); // the scripts' clock
            long now = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
            long inWindow = r.zcount(key(scope, "w"), io.lettuce.core.Range.create((double) (now - scope.windowMillis() + 1), Double.MAX_VALUE));
            long inFlight = r.zcount(key(scope, "f"), io.lettuce.core.Range.create((double) now + 1, Double.MAX_VALUE));
            String peak = r.get(key(scope, "p"));
            String quota = r.get(quotaKey(scope));
            long used = quota == null ? quotaAlreadyUsed.apply(scope.key(), scope.day()) : Long.parseLong(quota);
            return new Usage(inWindow, inFlight, peak == null ? 0 : Long.parseLong(peak), used);
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    /** Redis lacks the quota counter (a new day, or it lost its data): it starts from the recorded usage, unless another process was first. */
    private void seedQuota(Scope s) {
        long used = quotaAlreadyUsed.apply(s.key(), s.day());
        try {
            connection.sync().set(quotaKey(s), Long.toString(used), io.lettuce.core.SetArgs.Builder.nx().ex(QUOTA_TTL_SECONDS));
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    @SuppressWarnings("unchecked")
    private List<Long> run(boolean admit, List<String> keys, List<String> args) {
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        try {
            RedisCommands<String, String> r = connection.sync();
            Object out;
            try {
                out = r.evalsha(admit ? acquireSha() : releaseSha(), admit ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER, k, a);
            } catch (RedisNoScriptException e) {
                acquireSha = null;
                releaseSha = null;
                out = r.evalsha(admit ? acquireSha() : releaseSha(), admit ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER, k, a);
            }
            if (failing) {
                failing = false;
                LOG.info("Redis answers again; limits are counted there");
            }
            return admit ? (List<Long>) out : List.of();
        } catch (RedisCommandTimeoutException e) {
            throw admit ? new Unanswered(unavailable(e)) : unavailable(e);
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    /** An admission was sent but its answer did not come in time: Redis may run it yet. */
    private static final class Unanswered extends RuntimeException {
        final MarketoException unavailable;

        Unanswered(MarketoException unavailable) {
            super(null, null, false, false);
            this.unavailable = unavailable;
        }
    }

    private String acquireSha() {
        String sha = acquireSha;
        if (sha == null) {
            sha = connection.sync().scriptLoad(acquire);
            acquireSha = sha;
        }
        return sha;
    }

    private String releaseSha() {
        String sha = releaseSha;
        if (sha == null) {
            sha = connection.sync().scriptLoad(release);
            releaseSha = sha;
        }
        return sha;
    }

    private MarketoException unavailable(RedisException e) {
        if (!failing) {
            failing = true;
            LOG.warn("Redis does not answer ({}); API calls are answered 608 until it does", e.getClass().getSimpleName());
        }
        return MarketoException.of(ErrorCode.TEMPORARILY_UNAVAILABLE);
    }

    private String key(Scope s, String suffix) {
        return prefix + s.key() + ":" + suffix;
    }

    private String quotaKey(Scope s) {
        return prefix + s.key() + ":q:" + s.day();
    }

    private static String script(String name) {
        try (InputStream in = RedisLimiter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
