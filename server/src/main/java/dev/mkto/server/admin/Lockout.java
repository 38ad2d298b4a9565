package dev.mkto.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Addresses that keep presenting a wrong admin credential. After {@code maxFailures} failures
 * within {@code period}, an address is locked out for {@code period}: its attempts are refused
 * without being checked, so the answer never tells whether a guess was right. At most 10,000
 * addresses are tracked; when full, the oldest address that is not locked out is forgotten first.
 * Time is passed in: the callers' injected clock.
 */
public final class Lockout {

    private static final int MAX_TRACKED_ADDRESSES = 10_000;

    private static final class Failures {
        int count;
        Instant first;
        Instant lockedUntil;
    }

    private final int maxFailures;
    private final Duration period;
    private final Map<String, Failures> failures = new LinkedHashMap<>();

    public Lockout(int maxFailures, Duration period) {
        this.maxFailures = maxFailures;
        this.period = period;
    }

    /** Until when {@code address} is locked out, if it is. */
    public synchronized Optional<Instant> lockedUntil(String address, Instant now) {
        forgetOld(now);
        Failures f = failures.get(address);
        return f == null ? Optional.empty() : Optional.ofNullable(f.lockedUntil);
    }

    /** Counts a failure from {@code address}; answers until when it is locked out, if this failure locked it. */
    public synchronized Optional<Instant> failed(String address, Instant now) {
        forgetOld(now);
        Failures f = failures.get(address);
        if (f == null) {
            if (failures.size() >= MAX_TRACKED_ADDRESSES) {
                forgetOne();
            }
            f = new Failures();
            f.first = now;
            failures.put(address, f);
        }
        if (f.lockedUntil == null && ++f.count >= maxFailures) {
            f.lockedUntil = now.plus(period);
        }
        return Optional.ofNullable(f.lockedUntil);
    }

    /** Forgets the failures of {@code address} (after it presented the right credential). */
    public synchronized void succeeded(String address) {
        failures.remove(address);
    }

    /** Failures older than the period, and lockouts that ended, are forgotten. */
    private void forgetOld(Instant now) {
        failures.values().removeIf(f -> f.lockedUntil != null ? !now.isBefore(f.lockedUntil) : !now.isBefore(f.first.plus(period)));
    }

    private void forgetOne() {
        Iterator<Failures> it = failures.values().iterator();
        while (it.hasNext()) {
            if (it.next().lockedUntil == null) {
                it.remove();
                return;
            }
        }
        failures.remove(failures.keySet().iterator().next());
    }
}
