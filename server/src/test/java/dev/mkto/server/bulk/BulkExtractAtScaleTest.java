package dev.mkto.server.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bulk extract at scale, against a server process on the embedded H2 file: 100,000 leads exported
 * and checked row by row; the queue limit (1029) with jobs that really are waiting; the daily
 * export allocation (1029); and a job that survives the server being stopped mid-file and
 * restarted, with no row lost or duplicated. (A killed process: {@link BulkExtractCrashTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BulkExtractAtScaleTest {

    private static final int LEADS = 100_000;

    private ExportProcess server;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("mkto-bulk");
        server = new ExportProcess(List.of("--port", "0", "--data-dir", dir.toString()), Map.of(), dir, LEADS);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void exportWhenAHundredThousandLeadsThenEveryRowIsCheckedOneByOne() throws Exception {
        String id = server.job();
        assertThat(server.enqueue(id).success()).isTrue();
        server.checkCompletedRowByRow(id);
    }

    @Test
    @Order(2)
    void enqueueWhenTenJobsAreWaitingOrProcessingThenTheEleventhIs1029() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            ids.add(server.job());
        }
        List<String> refused = new ArrayList<>();
        for (String id : ids) {
            Api.Response r = server.enqueue(id);
            if (!r.success()) {
                refused.add(r.errorCode() + " " + r.json().path("errors").get(0).path("message").asString());
            }
        }
        long processing = ids.stream().filter(id -> server.status(id).path("status").asString().equals("Processing")).count();
        for (String id : ids) {
            server.api().post("/bulk/v1/leads/export/" + id + "/cancel.json", server.exporter(), "");
        }
        // each job exports 100,000 leads, so none can finish while eleven are enqueued back to back
        assertThat(refused).containsExactly("1029 Too many jobs in queue");
        assertThat(processing).isLessThanOrEqualTo(2);
    }

    @Test
    @Order(3)
    void jobWhenTheServerIsStoppedMidFileThenAfterARestartItCompletesWithEveryRowOnce() throws Exception {
        String id = server.job();
        server.enqueue(id);
        server.awaitStatus(id, List.of("Processing"));
        server.restart();
        // the file was cut short: the job is taken up again rather than found finished
        assertThat(server.status(id).path("status").asString()).isIn("Queued", "Processing");
        server.checkCompletedRowByRow(id);
    }

    @Test
    @Order(4)
    void enqueueWhenTodaysExportAllocationIsUsedThen1029() {
        Api api = server.api();
        String admin = ExportProcess.ADMIN;
        api.method("PATCH", "/admin/api/v1/instance", admin, "application/json", "{\"limits\":{\"exportDailyQuotaMb\":1}}");
        try {
            Api.Response r = server.enqueue(server.job());
            assertThat(r.errorCode()).isEqualTo("1029");
            assertThat(r.json().path("errors").get(0).path("message").asString()).isEqualTo("Export daily quota exceeded");
        } finally {
            api.method("PATCH", "/admin/api/v1/instance", admin, "application/json", "{\"limits\":{\"exportDailyQuotaMb\":500}}");
        }
    }
}
