package dev.mkto.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client-side share of an instance's limits: a sliding window of call starts (606) and a cap
 * on calls in flight (615). A call takes a {@link Permit} before it is sent and gives it back when
 * the answer arrived, saying whether Marketo counted it; uncounted calls leave the window. After
 * a 606 the whole limiter pauses, so every thread of the client backs off, not just the refused one.
 * After a 607 it holds the quota's reset time, and calls are not sent before it.
 */
final class Limiter {

    /** One limiter per (REST URL, limits) in a process, so clients built separately still share a budget. */
    static final class Registry {
        static final Registry SHARED = new Registry();

        private record Key(URI restUrl, Limits limits) {
        }

        private final Map<Key, Limiter> limiters = new ConcurrentHashMap<>();

        Limiter forInstance(URI restUrl, Limits limits, InstantSource clock, Sleeper sleeper) {
            return limiters.computeIfAbsent(new Key(restUrl, limits), k -> new Limiter(limits, clock, sleeper));
        }
    }

    /** A started call's place in the limits. */
    interface Permit {
        /** The call is over; {@code counted} false gives its place in the window back. */
        void release(boolean counted);
    }

    private final Limits limits;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final Semaphore inFlight;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Instant> starts = new ArrayDeque<>();
    private Instant pausedUntil = Instant.MIN;
    private volatile Instant quotaResetsAt = Instant.MIN;

    Limiter(Limits limits, InstantSource clock, Sleeper sleeper) {
        this.limits = limits;
        this.clock = clock;
        this.sleeper = sleeper;
        this.inFlight = new Semaphore(limits.limitsConcurrency() ? limits.concurrent() : Integer.MAX_VALUE, true);
    }

    /** Waits until a call may start, then counts it as started. */
    Permit acquire() throws InterruptedException {
        if (limits.limitsConcurrency()) {
            inFlight.acquire();
        }
        try {
            Instant started = enterWindow();
            java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
            return counted -> {
                if (open.compareAndSet(true, false)) {
                    leave(started, counted);
                }
            };
        } catch (InterruptedException | RuntimeException e) {
            if (limits.limitsConcurrency()) {
                inFlight.release();
            }
            throw e;
        }
    }

    /** No call of this limiter starts before {@code delay} has passed (after a 606). */
    void pause(Duration delay) {
        lock.lock();
        try {
            Instant until = clock.instant().plus(delay);
            if (until.isAfter(pausedUntil)) {
                pausedUntil = until;
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a 607: no call of this limiter is sent before {@code resetsAt}, when the daily quota resets. */
    void quotaExhausted(Instant resetsAt) {
        lock.lock();
        try {
            if (resetsAt.isAfter(quotaResetsAt)) {
                quotaResetsAt = resetsAt;
            }
        } finally {
            lock.unlock();
        }
    }

    /** When the daily quota resets, while a 607 seen earlier still holds (its reset time not reached). */
    java.util.Optional<Instant> quotaExhaustedUntil() {
        Instant until = quotaResetsAt;
        return clock.instant().isBefore(until) ? java.util.Optional.of(until) : java.util.Optional.empty();
    }

    /** Calls started within the current window (for tests and diagnostics). */
    int startedInWindow() {
        lock.lock();
        try {
            expire(clock.instant());
            return starts.size();
        } finally {
            lock.unlock();
        }
    }

    private Instant enterWindow() throws InterruptedException {
        while (true) {
            Duration wait;
            lock.lock();
            try {
                Instant now = clock.instant();
                if (now.isBefore(pausedUntil)) {
                    wait = Duration.between(now, pausedUntil);
                } else if (!limits.limitsRate()) {
                    return now;
                } else {
                    expire(now);
                    if (starts.size() < limits.calls()) {
                        starts.addLast(now);
                        return now;
                    }
                    wait = Duration.between(now, starts.peekFirst().plus(limits.window()));
                }
            } finally {
                lock.unlock();
            }
            sleeper.sleep(wait.isNegative() || wait.isZero() ? Duration.ofMillis(1) : wait);
        }
    }

    private void expire(Instant now) {
        Instant horizon = now.minus(limits.window());
        while (!starts.isEmpty() && !starts.peekFirst().isAfter(horizon)) {
            starts.removeFirst();
        }
    }

    private void leave(Instant started, boolean counted) {
        if (limits.limitsConcurrency()) {
            inFlight.release();
        }
        if (!counted && limits.limitsRate()) {
            lock.lock();
            try {
                starts.removeFirstOccurrence(started);
            } finally {
                lock.unlock();
            }
        }
    }
}
