package dev.mkto.server.usage;

import dev.mkto.server.access.Caller;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.limits.Limits;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.Pause;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage statistics: calls that counted against the limits, per API user (and service and
 * endpoint) and day in the instance's time zone, and error answers per code. Counting is in
 * memory — no database write on the request path — and flushed in batches every couple of
 * seconds, by adding to what is stored (so several processes can share the tables), and on a
 * graceful stop. A crash loses at most the counts since the last flush. Reads flush first, so this
 * process's counts are always included.
 */
public final class Usage implements AutoCloseable, Limits.QuotaBaseline {

    private static final Logger LOG = LoggerFactory.getLogger(Usage.class);

    private record CallKey(long instance, String day, long service, String email, String endpoint) {
    }

    private record ErrorKey(long instance, String day, long service, String endpoint, String code) {
    }

    /** One day of an instance's usage: total and per user, as Marketo's stats endpoints show it. */
    public record Day(String date, long total, Map<String, Long> byUser) {
    }

    /** One day of an instance's errors, per code. */
    public record ErrorDay(String date, long total, Map<String, Long> byCode) {
    }

    public record CallRow(String date, long serviceId, String userEmail, String endpoint, long calls) {
    }

    public record ErrorRow(String date, long serviceId, String endpoint, String errorCode, long count) {
    }

    private final UsageRepository repository;
    private final Instances instances;
    private final InstantSource clock;
    private final Duration flushEvery;
    private final ConcurrentHashMap<CallKey, LongAdder> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ErrorKey, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> servicesUsedAt = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> usersUsedAt = new ConcurrentHashMap<>();
    private static final long LAST_USED_PRECISION_MILLIS = 60_000;
    /** What this process last stored as lastUsedAt: it is kept to the minute, not rewritten on every flush. */
    private final ConcurrentHashMap<Long, Long> servicesStored = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> usersStored = new ConcurrentHashMap<>();
    private final Pause pause = new Pause();
    private volatile Thread flusher;

    public Usage(Jdbi jdbi, Database.Dialect dialect, Instances instances, InstantSource clock, Duration flushEvery) {
        this.repository = new UsageRepository(jdbi, dialect);
        this.instances = instances;
        this.clock = clock;
        this.flushEvery = flushEvery;
    }

    public void start() {
        flusher = Thread.ofVirtual().name("mkto-usage-flush").start(() -> {
            while (pause.sleep(flushEvery)) {
                try {
                    flush();
                } catch (RuntimeException e) {
                    LOG.warn("usage counts not flushed ({}); they are kept and retried", e.getClass().getSimpleName());
                }
            }
        });
    }

    /**
     * Records one answered call: {@code counted} when it consumed the limits; {@code errorCode}
     * when it failed. {@code caller} is null when the call never identified one. {@code admittedOn}
     * is the day the limits admitted it (its quota's day; null when not admitted: today), so a call
     * that runs past midnight is reported on the day it counted.
     */
    public void record(long instanceId, Caller caller, String endpoint, String errorCode, boolean counted, String admittedOn) {
        long now = clock.millis();
        String day = admittedOn != null ? admittedOn : day(instanceId, now);
        long service = caller == null ? 0 : caller.serviceId();
        if (counted && caller != null) {
            calls.computeIfAbsent(new CallKey(instanceId, day, service, caller.userEmail(), endpoint), k -> new LongAdder()).increment();
            servicesUsedAt.merge(caller.serviceId(), now, Math::max);
            usersUsedAt.merge(caller.userId(), now, Math::max);
        }
        if (errorCode != null) {
            errors.computeIfAbsent(new ErrorKey(instanceId, day, service, endpoint, errorCode), k -> new LongAdder()).increment();
        }
    }

    /** Writes the counts gathered since the last flush; on failure they are kept for the next one. */
    public synchronized void flush() {
        List<UsageRepository.CallRow> callRows = new ArrayList<>();
        List<Map.Entry<LongAdder, Long>> taken = new ArrayList<>();
        calls.forEach((k, adder) -> {
            long n = adder.sumThenReset();
            if (n > 0) {
                callRows.add(new UsageRepository.CallRow(k.instance(), k.day(), k.service(), k.email(), k.endpoint(), n));
                taken.add(Map.entry(adder, n));
            }
        });
        List<UsageRepository.ErrorRow> errorRows = new ArrayList<>();
        errors.forEach((k, adder) -> {
            long n = adder.sumThenReset();
            if (n > 0) {
                errorRows.add(new UsageRepository.ErrorRow(k.instance(), k.day(), k.service(), k.endpoint(), k.code(), n));
                taken.add(Map.entry(adder, n));
            }
        });
        Map<Long, Long> services = drain(servicesUsedAt, servicesStored);
        Map<Long, Long> users = drain(usersUsedAt, usersStored);
        if (callRows.isEmpty() && errorRows.isEmpty() && services.isEmpty() && users.isEmpty()) {
            return;
        }
        try {
            repository.add(callRows, errorRows, services, users);
            servicesStored.putAll(services);
            usersStored.putAll(users);
        } catch (RuntimeException e) {
            taken.forEach(t -> t.getKey().add(t.getValue()));
            services.forEach((id, at) -> servicesUsedAt.merge(id, at, Math::max));
            users.forEach((id, at) -> usersUsedAt.merge(id, at, Math::max));
            throw e;
        }
        forgetOldDays();
    }

    /** Marketo's usage result: one element per day, from {@code days - 1} days ago to today. */
    public List<Day> usage(long instanceId, int days) {
        flush();
        String[] range = range(instanceId, days);
        Map<String, Map<String, Long>> byDay = new java.util.TreeMap<>();
        for (String d : range[2].split(",")) {
            byDay.put(d, new java.util.TreeMap<>());
        }
        for (UsageRepository.CallRow r : repository.calls(instanceId, range[0], range[1])) {
            byDay.computeIfAbsent(r.day(), k -> new java.util.TreeMap<>()).merge(r.userEmail(), r.calls(), Long::sum);
        }
        List<Day> out = new ArrayList<>();
        byDay.forEach((d, users) -> out.add(new Day(d, users.values().stream().mapToLong(Long::longValue).sum(), users)));
        return out;
    }

    /** Marketo's errors result: one element per day, per code. */
    public List<ErrorDay> errors(long instanceId, int days) {
        flush();
        String[] range = range(instanceId, days);
        Map<String, Map<String, Long>> byDay = new java.util.TreeMap<>();
        for (String d : range[2].split(",")) {
            byDay.put(d, new java.util.TreeMap<>());
        }
        for (UsageRepository.ErrorRow r : repository.errors(instanceId, range[0], range[1])) {
            byDay.computeIfAbsent(r.day(), k -> new java.util.TreeMap<>()).merge(r.code(), r.errors(), Long::sum);
        }
        List<ErrorDay> out = new ArrayList<>();
        byDay.forEach((d, codes) -> out.add(new ErrorDay(d, codes.values().stream().mapToLong(Long::longValue).sum(), codes)));
        return out;
    }

    /** Every stored call row of the last {@code days} days (admin API: per service and endpoint). */
    public List<CallRow> callRows(long instanceId, int days) {
        flush();
        String[] range = range(instanceId, days);
        return repository.calls(instanceId, range[0], range[1]).stream()
                .map(r -> new CallRow(r.day(), r.serviceId(), r.userEmail(), r.endpoint(), r.calls())).toList();
    }

    public List<ErrorRow> errorRows(long instanceId, int days) {
        flush();
        String[] range = range(instanceId, days);
        return repository.errors(instanceId, range[0], range[1]).stream()
                .map(r -> new ErrorRow(r.day(), r.serviceId(), r.endpoint(), r.code(), r.errors())).toList();
    }

    /** When each service ({@code "service"}) or user ({@code "user"}) last made a counted call. */
    public Map<Long, Instant> lastUsed(String kind) {
        flush();
        Map<Long, Instant> out = new java.util.HashMap<>();
        repository.lastUsed(kind).forEach((id, at) -> out.put(id, Instant.ofEpochMilli(at)));
        return out;
    }

    /**
     * Calls counted on {@code day}: those stored plus this process's not yet flushed (under the
     * flush's lock, so none is seen twice or missed).
     */
    @Override
    public synchronized long used(long instanceId, Long serviceId, String day) {
        long stored = serviceId == null ? repository.instanceDay(instanceId, day) : repository.serviceDay(serviceId, day);
        long pending = 0;
        for (Map.Entry<CallKey, LongAdder> e : calls.entrySet()) {
            CallKey k = e.getKey();
            if (k.day().equals(day) && (serviceId == null ? k.instance() == instanceId : k.service() == serviceId)) {
                pending += e.getValue().sum();
            }
        }
        return stored + pending;
    }

    @Override
    public void close() {
        pause.stop(flusher, Duration.ofSeconds(10));
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("usage counts since the last flush could not be written on stop: {}", e.getClass().getSimpleName());
        }
    }

    private String day(long instanceId, long now) {
        ZoneId zone = ZoneId.of(instances.get(instanceId).settings().limits().timeZone());
        return LocalDate.ofInstant(Instant.ofEpochMilli(now), zone).toString();
    }

    /** [first day, last day, the days joined by commas]. */
    private String[] range(long instanceId, int days) {
        LocalDate today = LocalDate.parse(day(instanceId, clock.millis()));
        List<String> all = new ArrayList<>();
        for (int i = days - 1; i >= 0; i--) {
            all.add(today.minusDays(i).toString());
        }
        return new String[] {all.getFirst(), all.getLast(), String.join(",", all)};
    }

    private void forgetOldDays() {
        String cutoff = LocalDate.ofInstant(clock.instant(), ZoneId.of("UTC")).minusDays(2).toString();
        calls.entrySet().removeIf(e -> e.getKey().day().compareTo(cutoff) < 0 && e.getValue().sum() == 0);
        errors.entrySet().removeIf(e -> e.getKey().day().compareTo(cutoff) < 0 && e.getValue().sum() == 0);
    }

    /**
     * Takes the last-use times gathered since the last flush, leaving out those less than a minute
     * after what was last stored: with 10,000 busy services, rewriting every one of them on every
     * flush cost the API a third of its throughput.
     */
    private static Map<Long, Long> drain(ConcurrentHashMap<Long, Long> m, ConcurrentHashMap<Long, Long> stored) {
        Map<Long, Long> out = new java.util.HashMap<>();
        for (Long k : m.keySet()) {
            Long v = m.remove(k);
            Long before = stored.get(k);
            if (v != null && (before == null || v - before >= LAST_USED_PRECISION_MILLIS)) {
                out.put(k, v);
            }
        }
        return out;
    }
}
