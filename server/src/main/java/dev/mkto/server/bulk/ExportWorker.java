package dev.mkto.server.bulk;

import dev.mkto.server.activities.ActivityService;
import dev.mkto.server.http.Json;
import dev.mkto.server.leads.LeadService;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.Pause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Runs queued export jobs in the background: claims a job when its instance has a free slot,
 * writes its file from scratch under that claim (so a job taken over after a crash is never
 * half-written twice), renews the claim's lease every few seconds whatever the export is doing,
 * and stops as soon as the claim is lost (cancelled, or taken over after a stall). Each process
 * runs at most two jobs at once; the instance-wide limit of two processing is enforced when
 * claiming. A graceful stop finishes the page in hand and puts its jobs back in the queue, so a
 * restart resumes them at once; a process that dies instead leaves them to the lease.
 */
final class ExportWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExportWorker.class);
    private static final int PAGE = 2000;
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration HOUSEKEEPING = Duration.ofMinutes(10);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final Duration RENEW_EVERY = ExportJobs.LEASE.dividedBy(3);

    private final ExportJobs jobs;
    private final LeadService leads;
    private final ActivityService activities;
    private final ConcurrentHashMap<ExportJobs.Claim, Thread> running = new ConcurrentHashMap<>();
    private final Pause pause = new Pause();
    private volatile Thread loop;
    private volatile boolean stopping;

    ExportWorker(ExportJobs jobs, LeadService leads, ActivityService activities) {
        this.jobs = jobs;
        this.leads = leads;
        this.activities = activities;
    }

    void start() {
        loop = Thread.ofVirtual().name("mkto-export-worker").start(() -> {
            long nextHousekeeping = 0;
            while (!stopping) {
                Duration wait = POLL;
                try {
                    if (System.nanoTime() > nextHousekeeping) {
                        jobs.housekeep();
                        nextHousekeeping = System.nanoTime() + HOUSEKEEPING.toNanos();
                    }
                    jobs.releaseExpired();
                    while (running.size() < ExportJobs.MAX_PROCESSING) {
                        var claimed = jobs.claimNext();
                        if (claimed.isEmpty()) {
                            break;
                        }
                        ExportJobs.Claim c = claimed.get();
                        Thread export = Thread.ofVirtual().name("mkto-export-" + c.job().id()).unstarted(() -> {
                            try {
                                process(c);
                            } finally {
                                running.remove(c);
                            }
                        });
                        running.put(c, export); // before it starts: an export that ends at once must free its slot
                        export.start();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("export worker: {}", Database.isUnavailable(e) ? "the database does not answer" : e.toString());
                    wait = Duration.ofSeconds(1);
                }
                if (!pause.sleep(wait)) {
                    return;
                }
            }
        });
    }

    private void process(ExportJobs.Claim claim) {
        ExportJobs.Job job = claim.job();
        AtomicBoolean held = new AtomicBoolean(true);
        Pause beat = new Pause();
        Thread.ofVirtual().name("mkto-export-lease-" + job.id()).start(() -> renewWhileHeld(claim, held, beat));
        try {
            JsonNode request = Json.MAPPER.readTree(job.request());
            long[] partitions = job.partitions().isEmpty() ? new long[0]
                    : Arrays.stream(job.partitions().split(",")).mapToLong(Long::parseLong).sorted().toArray();
            ExportFile file = new ExportFile(job.format(), (seq, start, data) -> {
                if (!jobs.addChunk(claim, seq, start, data)) {
                    held.set(false);
                }
            });
            List<String> fields = strings(request.path("fields"));
            List<String> headers = new ArrayList<>();
            for (String f : fields) {
                headers.add(request.path("columnHeaderNames").path(f).asString(f));
            }
            file.header(headers);
            long after = 0;
            while (true) {
                List<List<String>> page = job.kind().equals("leads") ? leadPage(job, request, partitions, fields, after)
                        : activityPage(job, request, partitions, fields, after);
                for (List<String> row : page) {
                    file.row(row.subList(1, row.size()));
                }
                if (page.size() < PAGE) {
                    break;
                }
                after = Long.parseLong(page.getLast().getFirst());
                if (stopping || !held.get()) {
                    return; // stopping, cancelled, or taken over after a lost lease
                }
            }
            long[] totals = file.finish();
            if (!held.get() || !jobs.complete(claim, totals[0], totals[1], file.checksum())) {
                LOG.debug("export {} was cancelled or taken over while finishing", job.id());
            }
        } catch (RuntimeException e) {
            if (stopping) {
                return; // the stop puts the job back in the queue
            }
            if (Database.isUnavailable(e)) {
                LOG.warn("export {}: the database went away; another attempt follows when the lease ends", job.id());
                return;
            }
            LOG.error("export {} failed", job.id(), e);
            jobs.fail(claim, "Export failed; see the server log");
        } finally {
            held.set(false);
            beat.stop();
        }
    }

    /** Renews the claim's lease a few times per lease period until it is lost or the export ends. */
    private void renewWhileHeld(ExportJobs.Claim claim, AtomicBoolean held, Pause beat) {
        while (beat.sleep(RENEW_EVERY) && held.get()) {
            try {
                if (held.get() && !jobs.renew(claim)) {
                    held.set(false);
                }
            } catch (RuntimeException e) {
                LOG.warn("export {}: could not renew its lease ({})", claim.job().id(),
                        Database.isUnavailable(e) ? "the database does not answer" : e.toString());
            }
        }
    }

    private List<List<String>> leadPage(ExportJobs.Job job, JsonNode request, long[] partitions, List<String> fields, long after) {
        JsonNode f = request.path("filter");
        LeadService.ExportFilter filter = new LeadService.ExportFilter(millis(f, "createdAt", "startAt"), millis(f, "createdAt", "endAt"),
                millis(f, "updatedAt", "startAt"), millis(f, "updatedAt", "endAt"),
                f.has("staticListId") ? f.get("staticListId").asLong() : null);
        return leads.exportPage(job.instanceId(), partitions, fields, filter, after, PAGE);
    }

    private List<List<String>> activityPage(ExportJobs.Job job, JsonNode request, long[] partitions, List<String> fields, long after) {
        JsonNode f = request.path("filter");
        List<Integer> types = new ArrayList<>();
        f.path("activityTypeIds").forEach(t -> types.add(t.asInt()));
        List<Long> primaryIds = new ArrayList<>();
        f.path("primaryAttributeValueIds").forEach(t -> primaryIds.add(t.asLong()));
        return activities.exportPage(job.instanceId(), partitions, millis(f, "createdAt", "startAt"), millis(f, "createdAt", "endAt"),
                types, primaryIds, strings(f.path("primaryAttributeValues")), fields, after, PAGE);
    }

    private static Long millis(JsonNode filter, String range, String bound) {
        JsonNode v = filter.path(range).path(bound);
        return v.isNumber() ? v.asLong() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    @Override
    public void close() {
        stopping = true;
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        pause.stop(loop, STOP_WAIT);
        List<ExportJobs.Claim> mine;
        try {
            mine = List.copyOf(running.keySet()); // no new claims once the loop has ended
            for (Thread export : running.values()) {
                export.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            mine = List.copyOf(running.keySet());
        }
        try {
            mine.forEach(jobs::release);
        } catch (RuntimeException e) {
            LOG.warn("export worker: could not hand its jobs back; they resume when their lease ends");
        }
    }
}
