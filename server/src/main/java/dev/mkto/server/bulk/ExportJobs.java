package dev.mkto.server.bulk;

import dev.mkto.server.access.Caller;
import dev.mkto.server.access.Permission;
import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.leads.FieldType;
import dev.mkto.server.store.RowLock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Bulk extract jobs at rest and their life cycle: Created → Queued → Processing → Completed (or
 * Cancelled, Failed). An instance has at most 2 jobs processing and 10 queued or processing
 * (1029), shared by every kind; enqueuing checks the daily export allocation (1029). A job being
 * processed is claimed by one attempt of one process, which renews the claim's lease; a lease
 * that is not renewed (the process died or stalled) puts the job back in the queue, and the next
 * attempt writes its file from scratch apart from the earlier one's — no row lost or written twice.
 */
final class ExportJobs {

    static final int MAX_PROCESSING = 2;
    static final int MAX_QUEUED = 10;
    static final Duration LEASE = Duration.ofSeconds(15);
    static final Duration FILE_KEPT = Duration.ofDays(7);
    /** The job list shows the jobs created in the past 7 days; a job's status stays readable 30 days. */
    static final Duration LISTED = Duration.ofDays(7);
    static final Duration JOB_KEPT = Duration.ofDays(30);

    /** A job as stored. */
    record Job(String id, long instanceId, String kind, long serviceId, long userId, String status, String format, String request,
               String partitions, long createdAt, Long queuedAt, Long startedAt, Long finishedAt, Long records, Long fileSize,
               String checksum, String error) {
    }

    private static final String COLUMNS = "id, instance_id, kind, service_id, user_id, status, format, request, partitions, created_at, "
            + "queued_at, started_at, finished_at, number_of_records, file_size, file_checksum, error_message";
    private static final String INSERT = "INSERT INTO export_job (id, instance_id, kind, service_id, user_id, status, format, request, "
            + "partitions, created_at) VALUES (:id, :instance, :kind, :service, :user, 'Created', :format, :request, :partitions, :now)";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM export_job WHERE id = :id";
    private static final String OWNED = "SELECT " + COLUMNS + " FROM export_job WHERE instance_id = :instance AND user_id = :user "
            + "AND kind = :kind AND created_at >= :since ORDER BY created_at, id";
    private static final String ACTIVE = "SELECT COUNT(*) FROM export_job WHERE instance_id = :instance AND status IN ('Queued', 'Processing')";
    private static final String PROCESSING = "SELECT COUNT(*) FROM export_job WHERE instance_id = :instance AND status = 'Processing'";
    private static final String EXPORTED_SINCE = "SELECT COALESCE(SUM(file_size), 0) FROM export_job WHERE instance_id = :instance "
            + "AND status = 'Completed' AND finished_at >= :since";
    private static final String ENQUEUE = "UPDATE export_job SET status = 'Queued', queued_at = :now, partitions = :partitions "
            + "WHERE id = :id AND status = 'Created'";
    private static final String CANCEL = "UPDATE export_job SET status = 'Cancelled', finished_at = :now, claimed_by = NULL "
            + "WHERE id = :id AND status IN ('Created', 'Queued', 'Processing')";
    private static final String NEXT_QUEUED = "SELECT id, instance_id FROM export_job WHERE status = 'Queued' ORDER BY queued_at, id";
    private static final String CLAIM = "UPDATE export_job SET status = 'Processing', started_at = :now, claimed_by = :claim, "
            + "claimed_until = :until WHERE id = :id AND status = 'Queued'";
    private static final String RENEW = "UPDATE export_job SET claimed_until = :until WHERE id = :id AND status = 'Processing' "
            + "AND claimed_by = :claim";
    private static final String RELEASE_EXPIRED = "UPDATE export_job SET status = 'Queued', claimed_by = NULL, started_at = NULL "
            + "WHERE status = 'Processing' AND claimed_until < :now";
    private static final String RELEASE = "UPDATE export_job SET status = 'Queued', claimed_by = NULL, started_at = NULL "
            + "WHERE id = :id AND status = 'Processing' AND claimed_by = :claim";
    private static final String COMPLETE = "UPDATE export_job SET status = 'Completed', finished_at = :now, number_of_records = :records, "
            + "file_size = :size, file_checksum = :checksum, file_attempt = :claim, claimed_by = NULL "
            + "WHERE id = :id AND status = 'Processing' AND claimed_by = :claim";
    private static final String DROP_OTHER_ATTEMPTS = "DELETE FROM export_chunk WHERE job_id = :id AND attempt <> :claim";
    private static final String FAIL = "UPDATE export_job SET status = 'Failed', finished_at = :now, error_message = :error, claimed_by = NULL "
            + "WHERE id = :id AND status = 'Processing' AND claimed_by = :claim";
    /** A chunk is written only while its attempt holds the claim; an attempt that lost it writes nothing more. */
    private static final String ADD_CHUNK = "INSERT INTO export_chunk (job_id, attempt, seq, byte_start, data) "
            + "SELECT id, claimed_by, :seq, :start, :data FROM export_job WHERE id = :id AND status = 'Processing' AND claimed_by = :claim";
    private static final String CHUNKS = "SELECT c.seq, c.byte_start, c.data FROM export_chunk c JOIN export_job j ON j.id = c.job_id "
            + "AND c.attempt = j.file_attempt WHERE c.job_id = :id ORDER BY c.seq";
    private static final String EXPIRE_FILES = "DELETE FROM export_chunk WHERE job_id IN (SELECT id FROM export_job WHERE finished_at < :before)";
    private static final String FORGET_JOBS = "DELETE FROM export_job WHERE created_at < :before";

    private final Jdbi jdbi;
    private final Instances instances;
    private final InstantSource clock;

    ExportJobs(Jdbi jdbi, Instances instances, InstantSource clock) {
        this.jdbi = jdbi;
        this.instances = instances;
        this.clock = clock;
    }

    Job create(Caller caller, String kind, String format, String request) {
        String id = UUID.randomUUID().toString();
        jdbi.useHandle(h -> h.createUpdate(INSERT).bind("id", id).bind("instance", caller.instanceId()).bind("kind", kind)
                .bind("service", caller.serviceId()).bind("user", caller.userId()).bind("format", format).bind("request", request)
                .bind("partitions", joined(readable(caller, kind))).bind("now", clock.millis()).execute());
        return get(caller, kind, id);
    }

    /**
     * The partitions whose records a job of {@code kind} may hold for the caller, as its grants are
     * now: the job takes them again when it is queued, and its file is served only while the
     * caller can still read every one of them.
     */
    static long[] readable(Caller caller, String kind) {
        return caller.grants().partitionsWith(kind.equals("leads") ? Permission.READ_ONLY_LEAD : Permission.READ_ONLY_ACTIVITY);
    }

    /** Whether the caller can still read every partition the job's records were taken from. */
    static boolean readableBy(Caller caller, Job job) {
        long[] now = readable(caller, job.kind());
        return job.partitions().isEmpty()
                || Arrays.stream(job.partitions().split(",")).mapToLong(Long::parseLong).allMatch(p -> Arrays.stream(now).anyMatch(q -> q == p));
    }

    private static String joined(long[] partitions) {
        StringBuilder p = new StringBuilder();
        for (long partition : partitions) {
            p.append(p.isEmpty() ? "" : ",").append(partition);
        }
        return p.toString();
    }

    /** A job of the calling API user, of this kind; 1013 otherwise (another user's job does not exist for it). */
    Job get(Caller caller, String kind, String id) {
        return find(id).filter(j -> j.instanceId() == caller.instanceId() && j.userId() == caller.userId() && j.kind().equals(kind))
                .orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Export job " + Echo.of(id) + " not found"));
    }

    Optional<Job> find(String id) {
        if (!FieldType.storable(id)) {
            return Optional.empty(); // no job id holds NUL or half a surrogate pair (and PostgreSQL cannot bind it as it is)
        }
        return jdbi.withHandle(h -> h.createQuery(BY_ID).bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    /** The caller's jobs of this kind created in the past 7 days, oldest first. */
    List<Job> owned(Caller caller, String kind) {
        return jdbi.withHandle(h -> h.createQuery(OWNED).bind("instance", caller.instanceId()).bind("user", caller.userId())
                .bind("kind", kind).bind("since", clock.millis() - LISTED.toMillis()).map((rs, ctx) -> map(rs)).list());
    }

    /** Queues a created job: 1029 when 10 are queued or processing, or today's export allocation is used up. */
    Job enqueue(Caller caller, String kind, String id) {
        return jdbi.inTransaction(h -> {
            RowLock.lock(h, "instance", caller.instanceId());
            Job job = get(caller, kind, id);
            switch (job.status()) {
                case "Queued", "Processing" -> throw new MarketoException(ErrorCode.TOO_MANY_JOBS, "Job already queued");
                case "Created" -> {
                }
                default -> throw new MarketoException(ErrorCode.INVALID_DATA, "Job is " + job.status() + "; create a new job to export again");
            }
            if (h.createQuery(ACTIVE).bind("instance", caller.instanceId()).mapTo(Long.class).one() >= MAX_QUEUED) {
                throw MarketoException.of(ErrorCode.TOO_MANY_JOBS);
            }
            InstanceSettings.Limits limits = instances.get(caller.instanceId()).settings().limits();
            ZoneId zone = ZoneId.of(limits.timeZone());
            long since = LocalDate.ofInstant(clock.instant(), zone).atStartOfDay(zone).toInstant().toEpochMilli();
            long exported = h.createQuery(EXPORTED_SINCE).bind("instance", caller.instanceId()).bind("since", since).mapTo(Long.class).one();
            if (exported >= limits.exportDailyQuotaMb() * 1024L * 1024L) {
                throw new MarketoException(ErrorCode.TOO_MANY_JOBS, "Export daily quota exceeded");
            }
            h.createUpdate(ENQUEUE).bind("id", id).bind("now", clock.millis()).bind("partitions", joined(readable(caller, kind))).execute();
            return get(caller, kind, id);
        });
    }

    Job cancel(Caller caller, String kind, String id) {
        get(caller, kind, id); // 1013 unless it is the caller's job of this kind
        int changed = jdbi.withHandle(h -> h.createUpdate(CANCEL).bind("id", id).bind("now", clock.millis()).execute());
        if (changed == 0) { // the status now, which a concurrent call may just have changed
            throw new MarketoException(ErrorCode.INVALID_DATA, "Job is " + get(caller, kind, id).status() + " and cannot be cancelled");
        }
        return get(caller, kind, id);
    }

    /** Puts back in the queue the jobs whose processing lease ran out. */
    int releaseExpired() {
        return jdbi.withHandle(h -> h.createUpdate(RELEASE_EXPIRED).bind("now", clock.millis()).execute());
    }

    /** A job being exported, and the claim (the attempt) under which this process exports it. */
    record Claim(Job job, String id) {
    }

    /** Puts a job back in the queue (on a graceful stop), if the claim still holds it. */
    void release(Claim c) {
        jdbi.useHandle(h -> h.createUpdate(RELEASE).bind("id", c.job().id()).bind("claim", c.id()).execute());
    }

    /** Claims a queued job if its instance has a free processing slot (checked under a lock on the instance row). */
    Optional<Claim> claimNext() {
        List<Map.Entry<String, Long>> queued = jdbi.withHandle(h -> h.createQuery(NEXT_QUEUED)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list());
        for (Map.Entry<String, Long> q : queued) {
            String claim = UUID.randomUUID().toString();
            boolean claimed = jdbi.inTransaction(h -> {
                RowLock.lock(h, "instance", q.getValue());
                if (h.createQuery(PROCESSING).bind("instance", q.getValue()).mapTo(Long.class).one() >= MAX_PROCESSING) {
                    return false;
                }
                long now = clock.millis();
                return h.createUpdate(CLAIM).bind("id", q.getKey()).bind("claim", claim).bind("now", now)
                        .bind("until", now + LEASE.toMillis()).execute() == 1;
            });
            if (claimed) {
                return find(q.getKey()).map(job -> new Claim(job, claim));
            }
        }
        return Optional.empty();
    }

    /** Extends the lease; false when the job was cancelled or taken over (stop processing it). */
    boolean renew(Claim c) {
        return jdbi.withHandle(h -> h.createUpdate(RENEW).bind("id", c.job().id()).bind("claim", c.id())
                .bind("until", clock.millis() + LEASE.toMillis()).execute()) == 1;
    }

    /** Adds a chunk to the claim's attempt; false when the claim no longer holds the job. */
    boolean addChunk(Claim c, int seq, long start, byte[] data) {
        return jdbi.withHandle(h -> h.createUpdate(ADD_CHUNK).bind("id", c.job().id()).bind("claim", c.id()).bind("seq", seq)
                .bind("start", start).bind("data", data).execute()) == 1;
    }

    /** Completes the job with the claim's file, dropping what earlier attempts wrote; false when the claim was lost. */
    boolean complete(Claim c, long records, long size, String checksum) {
        return jdbi.inTransaction(h -> {
            boolean done = h.createUpdate(COMPLETE).bind("id", c.job().id()).bind("claim", c.id()).bind("now", clock.millis())
                    .bind("records", records).bind("size", size).bind("checksum", checksum).execute() == 1;
            if (done) {
                h.createUpdate(DROP_OTHER_ATTEMPTS).bind("id", c.job().id()).bind("claim", c.id()).execute();
            }
            return done;
        });
    }

    void fail(Claim c, String error) {
        jdbi.useHandle(h -> h.createUpdate(FAIL).bind("id", c.job().id()).bind("claim", c.id()).bind("now", clock.millis())
                .bind("error", error.length() > 2000 ? error.substring(0, 2000) : error).execute());
    }

    /** Bytes {@code [from, to]} (inclusive) of a completed job's file. */
    byte[] read(String id, long from, long to) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        jdbi.useHandle(h -> h.createQuery(CHUNKS).bind("id", id).map((rs, ctx) -> new Object[] {rs.getLong(2), rs.getBytes(3)})
                .forEach(c -> {
                    long start = (Long) c[0];
                    byte[] data = (byte[]) c[1];
                    long end = start + data.length - 1;
                    if (end < from || start > to) {
                        return;
                    }
                    int a = (int) Math.max(0, from - start);
                    int b = (int) Math.min(data.length - 1, to - start);
                    out.write(data, a, b - a + 1);
                }));
        return out.toByteArray();
    }

    /** Deletes files a week after they were made, and jobs after a month. */
    void housekeep() {
        long now = clock.millis();
        jdbi.useHandle(h -> {
            h.createUpdate(EXPIRE_FILES).bind("before", now - FILE_KEPT.toMillis()).execute();
            h.createUpdate(FORGET_JOBS).bind("before", now - JOB_KEPT.toMillis()).execute();
        });
    }

    boolean expired(Job job) {
        return job.finishedAt() != null && job.finishedAt() < clock.millis() - FILE_KEPT.toMillis();
    }

    static Map<String, Object> view(Job j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exportId", j.id());
        m.put("format", j.format());
        m.put("status", j.status());
        m.put("createdAt", time(j.createdAt()));
        if (j.queuedAt() != null) {
            m.put("queuedAt", time(j.queuedAt()));
        }
        if (j.startedAt() != null) {
            m.put("startedAt", time(j.startedAt()));
        }
        if (j.finishedAt() != null) {
            m.put("finishedAt", time(j.finishedAt()));
        }
        if (j.status().equals("Completed")) {
            m.put("numberOfRecords", j.records());
            m.put("fileSize", j.fileSize());
            m.put("fileChecksum", j.checksum());
        }
        if (j.error() != null) {
            m.put("errorMsg", j.error());
        }
        return m;
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Job map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Job(rs.getString("id"), rs.getLong("instance_id"), rs.getString("kind"), rs.getLong("service_id"), rs.getLong("user_id"),
                rs.getString("status"), rs.getString("format"), rs.getString("request"), rs.getString("partitions"),
                rs.getLong("created_at"), nullable(rs, "queued_at"), nullable(rs, "started_at"), nullable(rs, "finished_at"),
                nullable(rs, "number_of_records"), nullable(rs, "file_size"), rs.getString("file_checksum"), rs.getString("error_message"));
    }

    private static Long nullable(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

}
