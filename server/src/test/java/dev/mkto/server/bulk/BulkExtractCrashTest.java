package dev.mkto.server.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A bulk extract job whose server process is killed (SIGKILL) mid-file, on PostgreSQL — the
 * crash-safe store: after a restart the job's lease lapses, the job is taken up again and its file
 * rebuilt, and it completes with every row exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkExtractCrashTest {

    private static final int LEADS = 30_000;

    private Backend.Database db;
    private ExportProcess server;

    @BeforeAll
    void start() throws Exception {
        Backend.requirePostgres();
        Path dir = Files.createTempDirectory("mkto-bulk-crash");
        db = Backend.postgresSchema(Backend.postgresHost(), Backend.postgresPort());
        server = new ExportProcess(List.of("--port", "0", "--data-dir", dir.toString(), "--db-url", db.url(), "--db-user", db.user()),
                Map.of(), dir, LEADS);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.drop().run();
        }
    }

    @Test
    void jobWhenTheServerIsKilledMidFileThenAfterARestartItCompletesWithEveryRowOnce() throws Exception {
        String id = server.job();
        server.enqueue(id);
        server.awaitStatus(id, List.of("Processing"));
        server.killAndRestart();
        // the file was cut short: the job is taken up again rather than found finished
        assertThat(server.status(id).path("status").asString()).isIn("Queued", "Processing");
        server.checkCompletedRowByRow(id);
    }
}
