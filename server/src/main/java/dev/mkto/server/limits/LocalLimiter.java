package dev.mkto.server.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * Limits counted in this process's memory: exact for one process. The window is the list of
 * admission times of the calls still in it; the quota is a counter that starts, for each day, from
 * what the usage statistics already recorded, so a restart does not hand out a fresh quota.
 * Admissions, refunds and recounts take the scope's lock; a call answered without a refund leaves
 * the count of calls in flight without taking it (an admission racing that release may still count
 * the call as in flight, as if it had come a moment earlier).
 */
final class LocalLimiter implements Limiter {

    private static final class State {
        final ReentrantLock lock = new ReentrantLock();
        final TimeWindow window = new TimeWindow();
        final AtomicLong inFlight = new AtomicLong();
        long peakInFlight;
        String quotaDay;
        long quotaUsed;
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final BiFunction<String, String, Long> quotaAlreadyUsed;

    /** {@code quotaAlreadyUsed(scopeKey, day)}: calls counted earlier that day (before a restart). */
    LocalLimiter(BiFunction<String, String, Long> quotaAlreadyUsed) {
        this.quotaAlreadyUsed = quotaAlreadyUsed;
    }

    @Override
    public Admission acquire(Scope[] scopes, long now) {
        State[] held = new State[scopes.length];
        for (int i = 0; i < scopes.length; i++) {
            held[i] = states.computeIfAbsent(scopes[i].key(), k -> new State());
            held[i].lock.lock();
        }
        try {
            for (int i = 0; i < scopes.length; i++) {
                rollDay(held[i], scopes[i]);
                if (held[i].quotaUsed >= scopes[i].dailyQuota()) {
                    return Admission.refused(607, scopes[i]);
                }
            }
            for (int i = 0; i < scopes.length; i++) {
                held[i].window.dropUpTo(now - scopes[i].windowMillis());
                if (held[i].window.size() >= scopes[i].rateCalls()) {
                    return Admission.refused(606, scopes[i]);
                }
            }
            for (int i = 0; i < scopes.length; i++) {
                if (held[i].inFlight.get() >= scopes[i].concurrent()) {
                    return Admission.refused(615, scopes[i]);
                }
            }
            for (State s : held) {
                s.window.add(now);
                s.peakInFlight = Math.max(s.peakInFlight, s.inFlight.incrementAndGet());
                s.quotaUsed++;
            }
            return Admission.admitted(new Permit(scopes, null, now));
        } finally {
            for (int i = held.length - 1; i >= 0; i--) {
                held[i].lock.unlock();
            }
        }
    }

    @Override
    public void release(Permit permit, boolean refund) {
        for (Scope scope : permit.scopes()) {
            State s = states.get(scope.key());
            if (s == null) {
                continue;
            }
            s.inFlight.updateAndGet(n -> Math.max(0, n - 1));
            if (refund) {
                s.lock.lock();
                try {
                    s.window.removeNewest(permit.admittedAt());
                    if (scope.day().equals(s.quotaDay)) {
                        s.quotaUsed = Math.max(0, s.quotaUsed - 1);
                    }
                } finally {
                    s.lock.unlock();
                }
            }
        }
    }

    @Override
    public void recount(Scope scope) {
        State s = states.get(scope.key());
        if (s == null) {
            return;
        }
        s.lock.lock();
        try {
            s.quotaDay = null;
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public Usage usage(Scope scope, long now) {
        State s = states.computeIfAbsent(scope.key(), k -> new State());
        s.lock.lock();
        try {
            rollDay(s, scope);
            s.window.dropUpTo(now - scope.windowMillis());
            return new Usage(s.window.size(), s.inFlight.get(), s.peakInFlight, s.quotaUsed);
        } finally {
            s.lock.unlock();
        }
    }

    private void rollDay(State s, Scope scope) {
        if (!scope.day().equals(s.quotaDay)) {
            s.quotaDay = scope.day();
            s.quotaUsed = quotaAlreadyUsed.apply(scope.key(), scope.day());
        }
    }

    @Override
    public void close() {
        states.clear();
    }
}
