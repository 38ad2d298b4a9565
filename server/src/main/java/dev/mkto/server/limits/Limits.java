package dev.mkto.server.limits;

import dev.mkto.server.access.Caller;
import dev.mkto.server.access.ServiceCaps;
import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instance's limits, as Marketo applies them: shared by all API users of an instance — a
 * sliding window of calls (606), calls in flight (615) and a daily quota that resets at midnight
 * in the instance's time zone (607) — plus optional caps per custom service. Numbers are read from
 * the instance settings on every call, so they change without a restart. Counted in this process
 * ({@code local}) or in Redis, shared by every process ({@code redis}).
 */
public final class Limits implements AutoCloseable {

    /** How many calls a scope already used on a day (from the usage statistics), for a fresh counter. */
    @FunctionalInterface
    public interface QuotaBaseline {
        long used(long instanceId, Long serviceId, String day);
    }

    /** An admitted call; hand it back to {@link #release} when the call is answered. */
    public static final class Admitted {
        private final Limiter.Permit permit;

        private Admitted(Limiter.Permit permit) {
            this.permit = permit;
        }

        /** The day (in the instance's time zone) the call was admitted on: its quota's day, and its usage's. */
        public String day() {
            return permit.scopes()[0].day();
        }
    }

    /** Use of one scope's limits, for the admin API. */
    public record Snapshot(String scope, int rateCalls, int rateWindowSeconds, long callsInWindow, int concurrent, long inFlight,
                           long peakInFlight, long dailyQuota, long quotaUsed, String day, Instant quotaResetsAt, boolean shared) {
    }

    private final Limiter limiter;
    private final Instances instances;
    private final InstantSource clock;
    private final boolean shared;

    private Limits(Limiter limiter, Instances instances, InstantSource clock, boolean shared) {
        this.limiter = limiter;
        this.instances = instances;
        this.clock = clock;
        this.shared = shared;
    }

    /** Limits counted in this process: right for one process. */
    public static Limits local(Instances instances, InstantSource clock, QuotaBaseline baseline) {
        return new Limits(new LocalLimiter((key, day) -> baseline(baseline, key, day)), instances, clock, false);
    }

    /** Limits counted in Redis: global over every process that shares the database and Redis. */
    public static Limits redis(String url, String cluster, Instances instances, InstantSource clock, QuotaBaseline baseline) {
        return new Limits(new RedisLimiter(url, cluster, (key, day) -> baseline(baseline, key, day)), instances, clock, true);
    }

    /** Admits the call or throws 606, 607 or 615 (608 while the limits store does not answer). */
    public Admitted admit(Caller caller) {
        long now = clock.millis();
        Limiter.Scope[] scopes = scopes(caller, now);
        Limiter.Admission a = limiter.acquire(scopes, now);
        if (a.permit() != null) {
            return new Admitted(a.permit());
        }
        Limiter.Scope s = a.refusedBy();
        String message = switch (a.refusal()) {
            case 606 -> ErrorCode.RATE_LIMIT_EXCEEDED.message(s.rateCalls(), s.windowMillis() / 1000);
            case 615 -> ErrorCode.CONCURRENT_LIMIT_REACHED.message(s.concurrent());
            default -> ErrorCode.DAILY_QUOTA_REACHED.message();
        };
        ErrorCode code = switch (a.refusal()) {
            case 606 -> ErrorCode.RATE_LIMIT_EXCEEDED;
            case 615 -> ErrorCode.CONCURRENT_LIMIT_REACHED;
            default -> ErrorCode.DAILY_QUOTA_REACHED;
        };
        if (s != scopes[0]) {
            message += " for custom service '" + caller.serviceName() + "'";
        }
        throw new MarketoException(code, message);
    }

    /** The call is answered; {@code refund} when its answer does not count (601, 602, 604, 605, 608, 611). */
    public void release(Admitted admitted, boolean refund) {
        limiter.release(admitted.permit, refund);
    }

    /** Whether limits are shared through Redis. */
    public boolean shared() {
        return shared;
    }

    /** Current use of an instance's limits (and of a service's caps when {@code serviceId} is given with caps). */
    public Snapshot snapshot(long instanceId, Long serviceId, ServiceCaps caps) {
        long now = clock.millis();
        InstanceSettings.Limits l = instances.get(instanceId).settings().limits();
        ZoneId zone = ZoneId.of(l.timeZone());
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(now), zone);
        Limiter.Scope scope = serviceId == null ? instanceScope(instanceId, l, day.toString()) : serviceScope(serviceId, caps, l, day.toString());
        Limiter.Usage u = limiter.usage(scope, now);
        return new Snapshot(scope.key(), scope.rateCalls(), (int) (scope.windowMillis() / 1000), u.inWindow(), scope.concurrent(), u.inFlight(),
                u.peakInFlight(), scope.dailyQuota(), u.quotaUsed(), day.toString(), day.plusDays(1).atStartOfDay(zone).toInstant(), shared);
    }

    /** The caps of each capped service's last call in this process. */
    private final ConcurrentHashMap<Long, ServiceCaps> capsSeen = new ConcurrentHashMap<>();

    /** A day in a time zone: its name and its bounds (epoch millis, end exclusive). */
    private record Day(String timeZone, long start, long end, String name) {
        static Day of(String timeZone, long now) {
            ZoneId zone = ZoneId.of(timeZone);
            LocalDate date = LocalDate.ofInstant(Instant.ofEpochMilli(now), zone);
            return new Day(timeZone, date.atStartOfDay(zone).toInstant().toEpochMilli(),
                    date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli(), date.toString());
        }

        boolean holds(String zone, long now) {
            return now >= start && now < end && timeZone.equals(zone);
        }
    }

    /** The day last admitted in: naming the day per call (zone rules, date formatting) was most of an admission's cost. */
    private volatile Day today;

    private String day(String timeZone, long now) {
        Day d = today;
        if (d == null || !d.holds(timeZone, now)) {
            d = Day.of(timeZone, now);
            today = d;
        }
        return d.name();
    }

    /** An instance's scope for a day, as last made: the same settings and day give the same scope. */
    private record InstanceScope(long instanceId, InstanceSettings.Limits limits, String day, Limiter.Scope scope) {
    }

    /** The instance scope last made: made again only when the instance, its limits or the day change. */
    private volatile InstanceScope lastInstanceScope;

    private Limiter.Scope instanceScope(long instanceId, InstanceSettings.Limits l, String day) {
        InstanceScope last = lastInstanceScope;
        if (last != null && last.instanceId() == instanceId && last.limits() == l && last.day() == day) {
            return last.scope();
        }
        Limiter.Scope scope = new Limiter.Scope("i" + instanceId, l.rateCalls(), l.rateWindowSeconds() * 1000L, l.concurrent(), l.dailyQuota(),
                day);
        lastInstanceScope = new InstanceScope(instanceId, l, day, scope);
        return scope;
    }

    private Limiter.Scope[] scopes(Caller caller, long now) {
        InstanceSettings.Limits l = instances.get(caller.instanceId()).settings().limits();
        String day = day(l.timeZone(), now);
        Limiter.Scope instance = instanceScope(caller.instanceId(), l, day);
        if (caller.caps().none()) {
            if (!capsSeen.isEmpty() && capsSeen.containsKey(caller.serviceId())) {
                capsSeen.remove(caller.serviceId());
            }
            return new Limiter.Scope[] {instance};
        }
        Limiter.Scope service = serviceScope(caller.serviceId(), caller.caps(), l, day);
        if (!caller.caps().equals(capsSeen.get(caller.serviceId()))) {
            // caps set, set again or changed: the service's calls made meanwhile were counted by the
            // usage statistics only, so its quota counter starts again from them
            limiter.recount(service);
            capsSeen.put(caller.serviceId(), caller.caps());
        }
        return new Limiter.Scope[] {instance, service};
    }

    private static Limiter.Scope serviceScope(long serviceId, ServiceCaps c, InstanceSettings.Limits l, String day) {
        int window = c.rateWindowSeconds() == null ? l.rateWindowSeconds() : c.rateWindowSeconds();
        return new Limiter.Scope("s" + serviceId,
                c.rateCalls() == null ? Integer.MAX_VALUE : c.rateCalls(), window * 1000L,
                c.concurrent() == null ? Integer.MAX_VALUE : c.concurrent(),
                c.dailyQuota() == null ? Long.MAX_VALUE : c.dailyQuota(), day);
    }

    private static long baseline(QuotaBaseline b, String key, String day) {
        long id = Long.parseLong(key.substring(1));
        return key.charAt(0) == 'i' ? b.used(id, null, day) : b.used(0, id, day);
    }

    @Override
    public void close() {
        limiter.close();
    }
}
