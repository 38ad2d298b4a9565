package dev.mkto.server.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Redis;
import dev.mkto.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Processes started at the same moment on one fresh PostgreSQL database, each with the same seed:
 * both start (neither trips over the other's first-start defaults, settings or seed entries), and
 * the instance holds each seeded entry once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutStartTest {

    private static final String ADMIN = "start-admin-token-0123";
    private static final String CLIENT_ID = "6f1c0e8a-3b1d-4c1e-9f55-2a7d1b0c9e42";
    private static final String SECRET = "S3edSecretForTwoProcesses0123456";

    private Path dir;
    private Path seed;

    @BeforeAll
    void prepare() throws Exception {
        Backend.requirePostgres();
        Redis.require();
        dir = Files.createTempDirectory("mkto-scaleout-start");
        seed = dir.resolve("seed.json");
        Files.writeString(seed, """
                {
                  "partitions": [ { "name": "EMEA", "description": "Europe" } ],
                  "workspaces": [ { "name": "Europe", "partitions": ["EMEA"], "primaryPartition": "EMEA" } ],
                  "roles": [ { "name": "Lead Reader", "permissions": ["Read-Only Lead"] } ],
                  "users": [ { "email": "reader@example.com", "apiOnly": true,
                               "roles": [ { "role": "Lead Reader", "workspace": "Default" } ] } ],
                  "services": [ { "name": "Reader", "user": "reader@example.com",
                                  "clientId": "%s", "clientSecret": "%s" } ],
                  "leads": [ { "partition": "Default", "email": "ada@example.com", "firstName": "Ada" } ]
                }
                """.formatted(CLIENT_ID, SECRET));
    }

    @Test
    void startWhenTwoProcessesStartTogetherOnAFreshDatabaseWithOneSeedThenBothServeAndEachEntryExistsOnce() throws Exception {
        // the race is between two start-ups a few milliseconds apart: try it on a few fresh databases
        for (int round = 0; round < 2; round++) {
            Backend.Database db = Backend.postgresSchema(Backend.postgresHost(), Backend.postgresPort());
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", ADMIN, "MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(key));
            List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path data = Files.createDirectories(dir.resolve("round" + round + "-node" + i));
                Path log = dir.resolve("round" + round + "-node" + i + ".log");
                starting.add(CompletableFuture.supplyAsync(() -> new ServerProcess(List.of("--port", "0", "--data-dir", data.toString(),
                        "--db-url", db.url(), "--db-user", db.user(), "--redis-url", Redis.URL, "--seed", seed.toString()), env, log)));
            }
            List<ServerProcess> nodes = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (CompletableFuture<ServerProcess> f : starting) {
                try {
                    nodes.add(f.join());
                } catch (RuntimeException e) {
                    failures.add(String.valueOf(e.getCause() == null ? e : e.getCause()));
                }
            }
            try {
                assertThat(failures).as("round " + round).isEmpty();
                Api admin = nodes.get(0).api();
                assertThat(admin.get("/admin/api/v1/roles", ADMIN).json().findValuesAsString("name")).containsOnlyOnce("Lead Reader");
                assertThat(admin.get("/admin/api/v1/partitions", ADMIN).json().findValuesAsString("name"))
                        .containsExactlyInAnyOrder("Default", "EMEA");
                for (ServerProcess node : nodes) {
                    Api.Response t = node.api().get("/identity/oauth/token?grant_type=client_credentials&client_id=" + CLIENT_ID
                            + "&client_secret=" + SECRET, null);
                    assertThat(t.status()).as(t.text()).isEqualTo(200);
                    Api.Response leads = node.api().get("/rest/v1/leads.json?filterType=email&filterValues=ada@example.com",
                            t.json().path("access_token").asString());
                    assertThat(leads.success()).as(leads.text()).isTrue();
                    assertThat(leads.result()).as(leads.text()).hasSize(1);
                }
            } finally {
                nodes.forEach(ServerProcess::close);
                db.drop().run();
            }
        }
    }

    /**
     * A change made through a serving process while another one is starting (here held up in its
     * start-up, after it read the instance's settings) reaches the starting one too.
     */
    @Test
    void changeWhenMadeWhileAnotherProcessStartsThenTheStartingProcessSeesIt() throws Exception {
        Backend.Database db = Backend.postgresSchema(Backend.postgresHost(), Backend.postgresPort());
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", ADMIN, "MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(key));
        List<String> args = List.of("--port", "0", "--db-url", db.url(), "--db-user", db.user(), "--redis-url", Redis.URL);
        List<ServerProcess> nodes = new ArrayList<>();
        try (java.sql.Connection hold = java.sql.DriverManager.getConnection(db.url(), db.user(), "")) {
            nodes.add(node(args, env, "serving"));
            Api serving = nodes.get(0).api();
            // the starting process reads the instance, then waits to write the admin credential's hash
            hold.setAutoCommit(false);
            try (java.sql.Statement st = hold.createStatement()) {
                st.execute("LOCK TABLE server_setting IN EXCLUSIVE MODE");
            }
            CompletableFuture<ServerProcess> starting = CompletableFuture.supplyAsync(() -> node(args, env, "starting"));
            Thread.sleep(3_000);
            Api.Response patched = serving.method("PATCH", "/admin/api/v1/instance", ADMIN, "application/json",
                    "{\"limits\": {\"rateCalls\": 77}}");
            assertThat(patched.status()).as(patched.text()).isEqualTo(200);
            Thread.sleep(500);
            hold.commit();
            nodes.add(starting.join());
            Api started = nodes.get(1).api();
            Thread.sleep(500); // the documented 0.2 s, with room
            assertThat(started.get("/admin/api/v1/instance", ADMIN).json().path("limits").path("rateCalls").asInt()).isEqualTo(77);
        } finally {
            nodes.forEach(ServerProcess::close);
            db.drop().run();
        }
    }

    private ServerProcess node(List<String> args, Map<String, String> env, String name) {
        try {
            Path data = Files.createDirectories(dir.resolve(name + System.nanoTime()));
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--data-dir", data.toString()));
            return new ServerProcess(all, env, dir.resolve(data.getFileName() + ".log"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
