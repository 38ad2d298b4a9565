package dev.mkto.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up and restart: generated credentials, persistence, and refusing a wrong key. */
class StartupTest {

    private static MktoServer start(Path dir, Map<String, String> env) {
        return MktoServer.start(ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString()}, env), InstantSource.system());
    }

    @Test
    void firstStartWhenNoAdminTokenConfiguredThenOneIsGeneratedOnceAndWorks(@TempDir Path dir) {
        String token;
        try (MktoServer s = start(dir, Map.of())) {
            token = s.generatedAdminToken().orElseThrow();
            assertThat(token).startsWith("mkto_admin_").hasSizeGreaterThan(40);
            assertThat(new Api(s.baseUrl()).get("/admin/api/v1/instance", token).status()).isEqualTo(200);
            assertThat(new Api(s.baseUrl()).get("/admin/api/v1/instance", token + "x").status()).isEqualTo(401);
        }
        try (MktoServer s = start(dir, Map.of())) {
            assertThat(s.generatedAdminToken()).isEmpty();
            assertThat(new Api(s.baseUrl()).get("/admin/api/v1/instance", token).status()).isEqualTo(200);
        }
    }

    @Test
    void restartWhenDataExistsThenServicesTokensAndLeadsSurvive(@TempDir Path dir) {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String token;
        String clientId;
        String secret;
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            api.post("/admin/api/v1/roles", "restart-admin-token-0123", Map.of("name", "rw", "permissions", List.of("Read-Write Lead")));
            api.post("/admin/api/v1/users", "restart-admin-token-0123", Map.of("email", "r@example.com", "apiOnly", true,
                    "roles", List.of(Map.of("role", "rw", "workspace", "Default"))));
            Api.Response svc = api.post("/admin/api/v1/services", "restart-admin-token-0123", Map.of("name", "s", "user", "r@example.com"));
            clientId = svc.json().path("clientId").asString();
            secret = svc.json().path("clientSecret").asString();
            token = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret, null)
                    .json().path("access_token").asString();
            api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "kept@example.com"))));
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            assertThat(api.get("/rest/v1/leads.json?filterType=email&filterValues=kept@example.com", token).result()).hasSize(1);
            Api.Response again = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + clientId
                    + "&client_secret=" + secret, null);
            assertThat(again.json().path("access_token").asString()).isEqualTo(token);
            assertThat(api.get("/admin/api/v1/services/1/details", "restart-admin-token-0123").json().path("clientSecret").asString())
                    .isEqualTo(secret);
        }
    }

    @Test
    void restartWhenCallsWereCountedThenUsageAndTheDailyQuotaCarryOver(@TempDir Path dir) {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String admin = "restart-admin-token-0123";
        String token;
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            api.method("PATCH", "/admin/api/v1/instance", admin, "application/json", "{\"limits\":{\"dailyQuota\":5}}");
            api.post("/admin/api/v1/roles", admin, Map.of("name", "ro", "permissions", List.of("Read-Only Lead")));
            api.post("/admin/api/v1/users", admin, Map.of("email", "q@example.com", "apiOnly", true,
                    "roles", List.of(Map.of("role", "ro", "workspace", "Default"))));
            Api.Response svc = api.post("/admin/api/v1/services", admin, Map.of("name", "q", "user", "q@example.com"));
            token = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + svc.json().path("clientId").asString()
                    + "&client_secret=" + svc.json().path("clientSecret").asString(), null).json().path("access_token").asString();
            for (int i = 0; i < 4; i++) {
                assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
            }
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            assertThat(api.get("/rest/v1/leads/describe.json", token).success()).isTrue();
            assertThat(api.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("607");
            assertThat(api.get("/rest/v1/stats/usage.json", token).errorCode()).isEqualTo("607");
            assertThat(api.get("/admin/api/v1/usage?days=1", admin).json().path("calls").get(0).path("calls").asLong()).isEqualTo(5);
        }
    }

    /** An API-only user holding Read-Only Lead with {@code n} services: their client ids and secrets. */
    private static List<String[]> services(Api api, String admin, int n) {
        api.post("/admin/api/v1/roles", admin, Map.of("name", "ro", "permissions", List.of("Read-Only Lead")));
        api.post("/admin/api/v1/users", admin, Map.of("email", "t@example.com", "apiOnly", true,
                "roles", List.of(Map.of("role", "ro", "workspace", "Default"))));
        List<String[]> services = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Api.Response svc = api.post("/admin/api/v1/services", admin, Map.of("name", "s" + i, "user", "t@example.com"));
            services.add(new String[] {svc.json().path("clientId").asString(), svc.json().path("clientSecret").asString(),
                svc.json().path("id").asString()});
        }
        return services;
    }

    private static String grant(Api api, String[] service) {
        return api.get("/identity/oauth/token?grant_type=client_credentials&client_id=" + service[0] + "&client_secret=" + service[1], null)
                .json().path("access_token").asString();
    }

    @Test
    void restartWhenTokensWereGrantedJustBeforeTheStopThenEachWorksAndIsReturnedAgain(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        List<String[]> services;
        List<String> tokens = new ArrayList<>();
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            services = services(api, "restart-admin-token-0123", 24);
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<String>> grants = new ArrayList<>();
                for (String[] service : services) {
                    grants.add(pool.submit(() -> grant(api, service)));
                }
                for (Future<String> g : grants) {
                    tokens.add(g.get());
                }
            }
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            for (int i = 0; i < services.size(); i++) {
                assertThat(api.get("/rest/v1/leads/describe.json", tokens.get(i)).success()).isTrue();
                assertThat(grant(api, services.get(i))).isEqualTo(tokens.get(i));
            }
        }
    }

    @Test
    void restartWhenAServiceWasDisabledJustAfterItsGrantThenItsTokenStaysRevoked(@TempDir Path dir) {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String admin = "restart-admin-token-0123";
        List<String[]> services;
        List<String> revoked = new ArrayList<>();
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            services = services(api, admin, 8);
            for (String[] service : services) {
                revoked.add(grant(api, service));
                api.method("PATCH", "/admin/api/v1/services/" + service[2], admin, "application/json", "{\"enabled\":false}");
            }
        }
        try (MktoServer s = start(dir, env)) {
            Api api = new Api(s.baseUrl());
            for (int i = 0; i < services.size(); i++) {
                api.method("PATCH", "/admin/api/v1/services/" + services.get(i)[2], admin, "application/json", "{\"enabled\":true}");
                assertThat(api.get("/rest/v1/leads/describe.json", revoked.get(i)).errorCode()).isEqualTo("601");
                String fresh = grant(api, services.get(i));
                assertThat(fresh).isNotEqualTo(revoked.get(i));
                assertThat(api.get("/rest/v1/leads/describe.json", fresh).success()).isTrue();
            }
        }
    }

    @Test
    void startWhenSecretKeyDiffersFromTheDatabasesThenRefusedWithAMessage(@TempDir Path dir) throws Exception {
        try (MktoServer s = start(dir, Map.of())) {
            assertThat(s.port()).isPositive();
        }
        Files.delete(dir.resolve("secret.key"));
        assertThatThrownBy(() -> start(dir, Map.of()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("not the one this database was created with");
        byte[] other = new byte[32];
        other[0] = 7;
        assertThatThrownBy(() -> start(dir, Map.of("MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(other))))
                .isInstanceOf(MktoServer.StartupException.class);
    }

    @Test
    void startWhenPostgresUnreachableThenRefusedWithAMessageNamingTheDatabase(@TempDir Path dir) {
        ServerConfig c = ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
                "--db-url", "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1"}, Map.of());
        assertThatThrownBy(() -> MktoServer.start(c, InstantSource.system()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("cannot open the database")
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void startWhenThePortIsTakenThenRefusedNamingItAndTheAdminTokenIsStillGeneratedOnTheNextStart(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> MktoServer.start(ServerConfig.parse(new String[] {"--port", String.valueOf(port),
                    "--data-dir", dir.toString()}, Map.of()), InstantSource.system()))
                    .isInstanceOf(MktoServer.StartupException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("--port");
        }
        try (MktoServer s = start(dir, Map.of())) {
            assertThat(s.generatedAdminToken()).isPresent();
        }
    }

    @Test
    void startWhenTheHostIsNotAnAddressOfThisMachineThenRefusedSayingSoNotBlamingAnotherServer(@TempDir Path dir) {
        ServerConfig c = ServerConfig.parse(new String[] {"--port", "0", "--host", "203.0.113.9", "--data-dir", dir.resolve("data").toString()},
                Map.of());
        assertThatThrownBy(() -> MktoServer.start(c, InstantSource.system()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("203.0.113.9 is not an address of this machine")
                .hasMessageContaining("--host")
                .hasMessageNotContaining("another mkto-server");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void startWhenTheDataDirIsAFileThenRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "not a directory");
        assertThatThrownBy(() -> start(file, Map.of()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining(file + " is a file, not a directory")
                .hasMessageContaining("--data-dir");
    }

    @Test
    void startWhenThePostgresUrlIsMalformedThenRefusedSayingHowToWriteIt(@TempDir Path dir) {
        ServerConfig c = ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
                "--db-url", "jdbc:postgresql://[bad"}, Map.of());
        assertThatThrownBy(() -> MktoServer.start(c, InstantSource.system()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("jdbc:postgresql://[bad")
                .hasMessageContaining("jdbc:postgresql://host:5432/database");
    }

    /** {@code dev.mkto.server.Main} as its own process, as bin/mkto-server runs it; standard error goes to {@code err}. */
    private static Process main(Path err, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.mkto.server.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    @Test
    void mainWhenThePortIsTakenThenExit1WithOneLineAndNeitherABannerNorAStackTrace(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Path err = dir.resolve("err.txt");
            Process p = main(err, Map.of(), "--port", String.valueOf(taken.getLocalPort()), "--data-dir", dir.resolve("data").toString());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(out).doesNotContain("Admin token").doesNotContain("mkto_admin_").doesNotContain("ready");
            assertThat(Files.readString(err)).startsWith("mkto-server: port: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void mainWhenSigtermThenStopsWithExit0AndWhatWasWrittenIsThereOnRestart(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("MKTO_ADMIN_TOKEN", "restart-admin-token-0123");
        String[] args = {"--port", "0", "--data-dir", dir.resolve("data").toString()};
        for (int run = 0; run < 2; run++) {
            Process p = main(dir.resolve("err" + run + ".txt"), env, args);
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            assertThat(first).contains(" on port ");
            int port = Integer.parseInt(first.replaceAll(".* on port (\\d+) .*", "$1"));
            String line;
            while ((line = lines.readLine()) != null && !line.equals("ready")) {
                assertThat(line).doesNotContain("restart-admin-token-0123");
            }
            Api api = new Api("http://127.0.0.1:" + port);
            if (run == 0) {
                assertThat(api.post("/admin/api/v1/roles", "restart-admin-token-0123",
                        Map.of("name", "kept", "permissions", List.of("Read-Only Lead"))).json().path("name").asString()).isEqualTo("kept");
            } else {
                assertThat(api.get("/admin/api/v1/roles", "restart-admin-token-0123").text()).contains("\"kept\"");
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("err" + run + ".txt"))).doesNotContain("Exception").doesNotContain("restart-admin-token-0123");
        }
    }
}
