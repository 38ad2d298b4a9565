package dev.mkto.server.admin;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Addresses that keep presenting a wrong admin credential. After {@code maxFailures} failures
 * within {@code period}, an address is locked out for {@code period}: its attempts are refused
 * without being checked, so the answer never tells whether a guess was right. An IPv6 address
 * counts as its /64, the block a single host or subscriber is given, so that one attacker cannot
 * take 20 guesses from each of its 2^64 addresses. At most 10,000 addresses are tracked; when
 * full, the oldest address that is not locked out is forgotten first. Time is passed in: the
 * callers' injected clock.
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
    public synchronized Optional<Instant> lockedUntil(InetAddress address, Instant now) {
        forgetOld(now);
        Failures f = failures.get(key(address));
        return f == null ? Optional.empty() : Optional.ofNullable(f.lockedUntil);
    }

    /** Counts a failure from {@code address}; answers until when it is locked out, if this failure locked it. */
    public synchronized Optional<Instant> failed(InetAddress address, Instant now) {
        forgetOld(now);
        String key = key(address);
        Failures f = failures.get(key);
        if (f == null) {
            if (failures.size() >= MAX_TRACKED_ADDRESSES) {
                forgetOne();
            }
            f = new Failures();
            f.first = now;
            failures.put(key, f);
        }
        if (f.lockedUntil == null && ++f.count >= maxFailures) {
            f.lockedUntil = now.plus(period);
        }
        return Optional.ofNullable(f.lockedUntil);
    }

    /** Forgets the failures of {@code address} (after it presented the right credential). */
    public synchronized void succeeded(InetAddress address) {
        failures.remove(key(address));
    }

    /** An IPv4 address as itself, an IPv6 address as its /64 (IPv4-mapped ones are IPv4 already). */
    private static String key(InetAddress address) {
        byte[] bytes = address.getAddress();
        return address instanceof Inet6Address ? HexFormat.of().formatHex(bytes, 0, 8) + "::/64" : address.getHostAddress();
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
