package dev.mkto.server.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.ServerProcess;
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
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * A server process holding {@code leads} generated leads, and the calls the bulk tests make on it:
 * a writer and an exporter, lead export jobs over a window around now, and a row-by-row check of
 * a file. The process can be stopped, killed and started again on the same database.
 */
final class ExportProcess implements AutoCloseable {

    static final String ADMIN = "bulk-admin-token-0123";

    private final Supplier<ServerProcess> starter;
    private final int leads;
    private final String window;
    private ServerProcess server;
    private Api api;
    private String exporter;

    ExportProcess(List<String> args, Map<String, String> env, Path logDir, int leads) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("MKTO_ADMIN_TOKEN", ADMIN);
        this.starter = () -> new ServerProcess(args, all, logDir.resolve("server-" + System.nanoTime() + ".log"));
        this.leads = leads;
        Instant now = Instant.now();
        this.window = "{\"startAt\":\"" + now.minus(Duration.ofDays(1)) + "\",\"endAt\":\"" + now.plus(Duration.ofDays(1)) + "\"}";
        server = starter.get();
        api = server.api();
        api.method("PATCH", "/admin/api/v1/instance", ADMIN, "application/json",
                "{\"limits\":{\"rateCalls\":1000000,\"concurrent\":1000,\"dailyQuota\":1000000000}}");
        String writer = token("writer", "Read-Write Lead");
        exporter = token("exporter", "Read-Only Lead");
        seed(writer);
    }

    Api api() {
        return api;
    }

    String exporter() {
        return exporter;
    }

    /** Stops the process gracefully (SIGTERM) and starts it again on the same database. */
    void restart() {
        server.close();
        start();
    }

    /** Kills the process (SIGKILL) and starts it again on the same database. */
    void killAndRestart() {
        server.kill();
        start();
    }

    private void start() {
        server = starter.get();
        api = server.api();
    }

    @Override
    public void close() {
        server.close();
    }

    private String token(String name, String permission) {
        api.post("/admin/api/v1/roles", ADMIN, Map.of("name", name, "permissions", List.of(permission)));
        api.post("/admin/api/v1/users", ADMIN, Map.of("email", name + "@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", name, "workspace", "Default"))));
        JsonNode s = api.post("/admin/api/v1/services", ADMIN, Map.of("name", name, "user", name + "@example.com")).json();
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + s.path("clientId").asString()
                + "&client_secret=" + s.path("clientSecret").asString(), null).json().path("access_token").asString();
    }

    /** The leads, 300 per sync, from a few threads; lead n has numberOfEmployees n and awkward names. */
    private void seed(String writer) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int start = 0; start < leads; start += 300) {
                int from = start;
                futures.add(pool.submit(() -> {
                    StringBuilder body = new StringBuilder("{\"input\":[");
                    for (int i = from; i < Math.min(leads, from + 300); i++) {
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

    /** A new lead export job over every lead, not yet enqueued. */
    String job() {
        Api.Response r = api.post("/bulk/v1/leads/export/create.json", exporter,
                "{\"fields\":[\"email\",\"firstName\",\"lastName\",\"numberOfEmployees\"],\"filter\":{\"createdAt\":" + window + "}}");
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result().get(0).path("exportId").asString();
    }

    Api.Response enqueue(String id) {
        return api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
    }

    JsonNode status(String id) {
        Api.Response r = api.get("/bulk/v1/leads/export/" + id + "/status.json", exporter);
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result().get(0);
    }

    JsonNode awaitStatus(String id, List<String> wanted) throws InterruptedException {
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

    /** The job completed with every lead exactly once, each row holding exactly its values. */
    void checkCompletedRowByRow(String id) throws InterruptedException {
        JsonNode done = awaitStatus(id, List.of("Completed", "Failed", "Cancelled"));
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("Completed");
        assertThat(done.path("numberOfRecords").asLong()).isEqualTo(leads);
        assertThat(done.path("fileChecksum").asString()).hasSize(64);
        String csv = api.get("/bulk/v1/leads/export/" + id + "/file.json", exporter).text();
        List<List<String>> rows = Csv.parse(csv, ',');
        assertThat(rows.getFirst()).containsExactly("email", "firstName", "lastName", "numberOfEmployees");
        assertThat(rows).hasSize(leads + 1);
        Map<Integer, Integer> seen = new HashMap<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            int n = Integer.parseInt(row.get(3));
            assertThat(seen.put(n, 1)).as("lead %d appears twice", n).isNull();
            assertThat(row).containsExactly("bulk" + n + "@example.com", "First " + n, "Last, \"" + n + "\"", Integer.toString(n));
        }
        assertThat(seen).hasSize(leads);
    }
}
