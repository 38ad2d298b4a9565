package dev.mkto.server.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.admin.Changes;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.Revisions;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Claims of export jobs on a real database: an attempt whose lease lapsed (its process stalled
 * or died) loses the job to the next attempt, can no longer write, renew or complete it, and the
 * file served is the next attempt's alone.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ExportClaimsTest {

    private final Backend backend;
    private Backend.Database db;
    private Database database;
    private Revisions revisions;
    private ExportJobs jobs;
    private final MutableClock clock = MutableClock.startingNow();

    ExportClaimsTest(Backend backend) {
        this.backend = backend;
    }

    @BeforeEach
    void open() throws Exception {
        db = backend.create(Files.createTempDirectory("mkto-claims"));
        database = Database.open(db.url(), db.user(), "", 2, java.time.InstantSource.system());
        revisions = new Revisions(database.jdbi(), Duration.ofSeconds(60));
        Instances instances = new Instances(database.jdbi(), clock, new Changes(database.jdbi(), revisions));
        long instance = instances.ensureDefault("123-ABC-456").id();
        database.jdbi().useHandle(h -> h.createUpdate("INSERT INTO export_job (id, instance_id, kind, service_id, user_id, status, format, "
                + "request, partitions, created_at, queued_at) VALUES ('job-1', :instance, 'leads', 1, 1, 'Queued', 'CSV', '{}', '', :now, :now)")
                .bind("instance", instance).bind("now", clock.millis()).execute());
        jobs = new ExportJobs(database.jdbi(), instances, clock);
    }

    @AfterEach
    void close() {
        revisions.close();
        database.close();
        db.drop().run();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void claimWhenItsLeaseLapsedThenTheNextAttemptOwnsTheJobAndItsFile() {
        ExportJobs.Claim first = jobs.claimNext().orElseThrow();
        assertThat(jobs.claimNext()).as("a processing job is not claimed twice").isEmpty();
        assertThat(jobs.addChunk(first, 0, 0, bytes("email\r\nstale@example.com\r\n"))).isTrue();

        clock.advance(ExportJobs.LEASE.plusSeconds(1));
        assertThat(jobs.releaseExpired()).isEqualTo(1);
        ExportJobs.Claim second = jobs.claimNext().orElseThrow();
        assertThat(second.id()).isNotEqualTo(first.id());

        assertThat(jobs.renew(first)).isFalse();
        assertThat(jobs.addChunk(first, 1, 28, bytes("late@example.com\r\n"))).isFalse();
        assertThat(jobs.addChunk(second, 0, 0, bytes("email\r\nfresh@example.com\r\n"))).isTrue();
        assertThat(jobs.complete(first, 1, 28, "x".repeat(64))).isFalse();
        assertThat(jobs.renew(second)).isTrue();
        assertThat(jobs.complete(second, 1, 27, "y".repeat(64))).isTrue();

        assertThat(new String(jobs.read("job-1", 0, 1000), StandardCharsets.UTF_8)).isEqualTo("email\r\nfresh@example.com\r\n");
        long chunks = database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM export_chunk WHERE job_id = 'job-1'")
                .mapTo(Long.class).one());
        assertThat(chunks).as("the stale attempt's chunks are dropped").isEqualTo(1);
    }

    @Test
    void releaseWhenTheClaimStillHoldsTheJobThenItIsQueuedAgainAndAnOldClaimCannotRelease() {
        ExportJobs.Claim first = jobs.claimNext().orElseThrow();
        jobs.release(first);
        ExportJobs.Claim second = jobs.claimNext().orElseThrow();
        jobs.release(first); // no longer its job: nothing happens
        assertThat(jobs.claimNext()).isEmpty();
        assertThat(jobs.renew(second)).isTrue();
    }
}
