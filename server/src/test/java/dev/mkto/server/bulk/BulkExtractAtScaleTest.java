package dev.mkto.server.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Bulk extract at scale, against a server process on an H2 file: 100,000 leads exported and
 * checked row by row; the queue limit (1029) with jobs that really are waiting; the daily export
 * allocation (1029); and a job that survives the server being killed mid-file and restarted, with
 * no row lost or duplicated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BulkExtractAtScaleTest {

    private static final String ADMIN = "bulk-admin-token-0123";
    private static final int LEADS = 100_000;

    private Path dir;
    private ServerProcess server;
    private Api api;
    private String writer;
    private String exporter;
    private String window;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("mkto-bulk");
        server = startServer();
        api = server.api();
        api.method("PATCH", "/admin/api/v1/instance", ADMIN, "application/json",
                "{\"limits\":{\"rateCalls\":1000000,\"concurrent\":1000,\"dailyQuota\":1000000000}}");
        writer = token("writer", "Read-Write Lead");
        exporter = token("exporter", "Read-Only Lead");
        Instant now = Instant.now();
        window = "{\"startAt\":\"" + now.minus(Duration.ofDays(1)) + "\",\"endAt\":\"" + now.plus(Duration.ofDays(1)) + "\"}";
        seed();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ServerProcess startServer() {
        return new ServerProcess(List.of("--port", "0", "--data-dir", dir.toString()), Map.of("MKTO_ADMIN_TOKEN", ADMIN),
                dir.resolve("server-" + System.nanoTime() + ".log"));
    }

    private String token(String name, String permission) {
        api.post("/admin/api/v1/roles", ADMIN, Map.of("name", name, "permissions", List.of(permission)));
        api.post("/admin/api/v1/users", ADMIN, Map.of("email", name + "@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", name, "workspace", "Default"))));
        JsonNode s = api.post("/admin/api/v1/services", ADMIN, Map.of("name", name, "user", name + "@example.com")).json();
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + s.path("clientId").asString()
                + "&client_secret=" + s.path("clientSecret").asString(), null).json().path("access_token").asString();
    }

    /** 100,000 leads, 300 per sync, from a few threads. */
    private void seed() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int start = 0; start < LEADS; start += 300) {
                int from = start;
                futures.add(pool.submit(() -> {
                    StringBuilder body = new StringBuilder("{\"input\":[");
                    for (int i = from; i < Math.min(LEADS, from + 300); i++) {
                        body.append(i == from ? "" : ",").append("{\"email\":\"bulk").append(i).append("@example.com\",\"firstName\":\"First ")
                                .append(i).append("\",\"lastName\":\"Last, \\\"").append(i).append("\\\"\",\"numberOfEmployees\":").append(i).append('}');
                    }
                    Api.Response r = api.post("/rest/v1/leads.json", writer, body.append("]}").toString());
                    assertThat(r.success()).as(r.text()).isTrue();
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }

    private String job() {
        Api.Response r = api.post("/bulk/v1/leads/export/create.json", exporter,
                "{\"fields\":[\"email\",\"firstName\",\"lastName\",\"numberOfEmployees\"],\"filter\":{\"createdAt\":" + window + "}}");
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result().get(0).path("exportId").asString();
    }

    private JsonNode status(String id) {
        Api.Response r = api.get("/bulk/v1/leads/export/" + id + "/status.json", exporter);
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result().get(0);
    }

    private JsonNode awaitStatus(String id, List<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = status(id);
            if (wanted.contains(s.path("status").asString())) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("export " + id + " never reached " + wanted + ": " + status(id));
    }

    /** Every lead exactly once, each row holding exactly its values. */
    private void checkRowByRow(String id) {
        String csv = api.get("/bulk/v1/leads/export/" + id + "/file.json", exporter).text();
        List<List<String>> rows = Csv.parse(csv, ',');
        assertThat(rows.getFirst()).containsExactly("email", "firstName", "lastName", "numberOfEmployees");
        assertThat(rows).hasSize(LEADS + 1);
        Map<Integer, Integer> seen = new HashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            int n = Integer.parseInt(row.get(3));
            assertThat(seen.put(n, 1)).as("lead %d appears twice", n).isNull();
            assertThat(row).containsExactly("bulk" + n + "@example.com", "First " + n, "Last, \"" + n + "\"", Integer.toString(n));
        }
        assertThat(seen).hasSize(LEADS);
    }

    @Test
    @Order(1)
    void exportWhenAHundredThousandLeadsThenEveryRowIsCheckedOneByOne() throws Exception {
        String id = job();
        api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
        JsonNode done = awaitStatus(id, List.of("Completed", "Failed"));
        assertThat(done.path("status").asString()).isEqualTo("Completed");
        assertThat(done.path("numberOfRecords").asLong()).isEqualTo(LEADS);
        assertThat(done.path("fileChecksum").asString()).hasSize(64);
        checkRowByRow(id);
    }

    @Test
    @Order(2)
    void enqueueWhenTenJobsAreWaitingOrProcessingThenTheEleventhIs1029() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            ids.add(job());
        }
        List<String> refused = new ArrayList<>();
        for (String id : ids) {
            Api.Response r = api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
            if (!r.success()) {
                refused.add(r.errorCode() + " " + r.json().path("errors").get(0).path("message").asString());
            }
        }
        long processing = ids.stream().filter(id -> status(id).path("status").asString().equals("Processing")).count();
        for (String id : ids) {
            api.post("/bulk/v1/leads/export/" + id + "/cancel.json", exporter, "");
        }
        // each job exports 100,000 leads, so none can finish while eleven are enqueued back to back
        assertThat(refused).containsExactly("1029 Too many jobs in queue");
        assertThat(processing).isLessThanOrEqualTo(2);
    }

    @Test
    @Order(3)
    void jobWhenTheServerIsKilledMidFileThenAfterARestartItCompletesWithEveryRowOnce() throws Exception {
        String id = job();
        api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
        awaitStatus(id, List.of("Processing"));
        server.kill();
        server = startServer();
        api = server.api();
        JsonNode done = awaitStatus(id, List.of("Completed", "Failed"));
        assertThat(done.path("status").asString()).isEqualTo("Completed");
        assertThat(done.path("numberOfRecords").asLong()).isEqualTo(LEADS);
        checkRowByRow(id);
    }

    @Test
    @Order(4)
    void enqueueWhenTodaysExportAllocationIsUsedThen1029() {
        api.method("PATCH", "/admin/api/v1/instance", ADMIN, "application/json", "{\"limits\":{\"exportDailyQuotaMb\":1}}");
        try {
            Api.Response r = api.post("/bulk/v1/leads/export/" + job() + "/enqueue.json", exporter, "");
            assertThat(r.errorCode()).isEqualTo("1029");
            assertThat(r.json().path("errors").get(0).path("message").asString()).isEqualTo("Export daily quota exceeded");
        } finally {
            api.method("PATCH", "/admin/api/v1/instance", ADMIN, "application/json", "{\"limits\":{\"exportDailyQuotaMb\":500}}");
        }
    }
}
