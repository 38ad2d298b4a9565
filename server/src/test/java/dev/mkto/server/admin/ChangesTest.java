package dev.mkto.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.Revisions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a change reaches this process's caches at once and after commit, and other processes through the revision. */
class ChangesTest {

    private Database db;
    private Jdbi jdbi;
    private Changes changes;
    private final AtomicInteger notified = new AtomicInteger();

    @BeforeEach
    void open(@TempDir Path dir) {
        db = Database.open(ServerConfig.defaultH2Url(dir), "", "", 4, InstantSource.system());
        jdbi = db.jdbi();
        changes = new Changes(jdbi, new Revisions(jdbi, Duration.ofSeconds(1)));
        changes.subscribe(notified::incrementAndGet);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private long revision() {
        return jdbi.withHandle(h -> h.createQuery("SELECT revision FROM config_revision WHERE id = 1").mapTo(Long.class).one());
    }

    @Test
    void changedWhenOutsideATransactionThenEachChangeBumpsTheRevisionAndNotifies() {
        long before = revision();
        changes.changed();
        changes.changed();
        assertThat(revision()).isEqualTo(before + 2);
        assertThat(notified).hasValue(2);
    }

    @Test
    void changedWhenManyInOneTransactionThenOneBumpAndOneNotificationAfterCommit() {
        long before = revision();
        jdbi.useTransaction(h -> {
            for (int i = 0; i < 1_000; i++) {
                changes.changed();
            }
            assertThat(notified).as("at once, for each change").hasValue(1_000);
        });
        assertThat(revision()).isEqualTo(before + 1);
        assertThat(notified).as("and once after the commit").hasValue(1_001);

        jdbi.useTransaction(h -> changes.changed());
        assertThat(revision()).as("the next transaction bumps again").isEqualTo(before + 2);
        assertThat(notified).hasValue(1_003);
    }

    @Test
    void changedWhenTheTransactionRollsBackThenNoBumpAndTheNextTransactionStillBumps() {
        long before = revision();
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            changes.changed();
            throw new IllegalStateException("the change fails");
        })).hasMessage("the change fails");
        assertThat(revision()).isEqualTo(before);
        assertThat(notified).as("at once only").hasValue(1);

        jdbi.useTransaction(h -> changes.changed());
        assertThat(revision()).isEqualTo(before + 1);
        assertThat(notified).hasValue(3);
    }
}
