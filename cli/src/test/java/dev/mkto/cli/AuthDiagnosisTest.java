package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every outcome of {@code mkto auth test}, produced for real against a real mkto-server set up
 * through its admin API: the JSON names the outcome, and the exit code is 0 only for OK.
 */
class AuthDiagnosisTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Cli.Result test(String endpoint, String clientId, String secret) {
        Cli cli = Cli.fresh().stdin(secret + "\n");
        Cli.Result added = cli.run("auth", "add", "x", "--endpoint", endpoint, "--client-id", clientId, "--secret-stdin");
        assertThat(added.code()).as("%s", added).isZero();
        return cli.run("auth", "test", "x", "--json");
    }

    private static Cli.Result test(ServerAdmin.Service s) {
        return test(server.restEndpoint(), s.clientId(), s.clientSecret());
    }

    private static void assertOutcome(Cli.Result r, String outcome) {
        JsonNode j = r.json();
        assertThat(j.path("diagnosis").asString()).as("%s", r).isEqualTo(outcome);
        assertThat(r.code()).isEqualTo(outcome.equals("OK") ? ExitCode.OK : ExitCode.DIAGNOSIS);
        assertThat(j.path("evidence").size()).isPositive();
        assertThat(j.path("fix").asString()).isNotBlank();
    }

    @Test
    void authTestWhenEverythingWorksThenOkAndExit0() {
        Cli.Result r = test(server.admin().serviceWith("Read-Only Lead"));

        assertOutcome(r, "OK");
        assertThat(r.json().path("evidence").get(1).path("request").asString()).endsWith("/rest/v1/leads/describe.json");
    }

    @Test
    void authTestWhenHumanThenOutcomeEvidenceAndFixAreShown() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Activity");
        Cli cli = Cli.fresh().stdin(s.clientSecret());
        cli.run("auth", "add", "h", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin");

        Cli.Result r = cli.run("auth", "test", "h");

        assertThat(r.code()).isEqualTo(ExitCode.DIAGNOSIS);
        assertThat(r.out()).contains("h: MISSING_READ_PERMISSION").contains("Evidence:").contains("/rest/v1/leads/describe.json -> HTTP 200 603")
                .contains("Fix: ").contains("Read-Only Lead").doesNotContain(s.clientSecret());
    }

    @Test
    void authTestWhenThePathHasATypoThenEndpointFormat() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Cli.Result r = test(server.baseUrl() + "/rset", s.clientId(), s.clientSecret());

        assertOutcome(r, "ENDPOINT_FORMAT");
        assertThat(r.json().path("endpointNotes").toString()).contains("rset");
    }

    @Test
    void authTestWhenNothingListensThenUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        assertOutcome(test("http://127.0.0.1:" + port + "/rest", "some-client-id", "some-secret-0123"), "UNREACHABLE");
    }

    @Test
    void authTestWhenTheClientIdIsUnknownThenInvalidClientId() {
        assertOutcome(test(server.restEndpoint(), "11111111-2222-4333-8444-555555555555", "any-secret-0123456789"), "INVALID_CLIENT_ID");
    }

    @Test
    void authTestWhenTheSecretIsWrongThenInvalidClientSecret() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Cli.Result r = test(server.restEndpoint(), s.clientId(), "tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw");

        assertOutcome(r, "INVALID_CLIENT_SECRET");
        assertThat(r.out()).doesNotContain("tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw");
    }

    @Test
    void authTestWhenTheApiUserIsDeactivatedThenApiUserInactive() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        server.admin().deactivateUser(s.userId());

        assertOutcome(test(s), "API_USER_INACTIVE");
    }

    @Test
    void authTestWhenTheApiUsersAccessExpiredThenApiUserInactive() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        server.admin().expireUser(s.userId(), Instant.now().minusSeconds(60));

        assertOutcome(test(s), "API_USER_INACTIVE");
    }

    @Test
    void authTestWhenTheRoleCannotReadLeadsThenMissingReadPermission() {
        assertOutcome(test(server.admin().serviceWith("Read-Only Activity")), "MISSING_READ_PERMISSION");
    }

    @Test
    void authTestWhenTheAllowlistExcludesThisMachineThenIpNotAllowed() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        server.admin().instance(Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("10.9.9.9"))));
        try {
            Cli.Result r = test(s);

            assertOutcome(r, "IP_NOT_ALLOWED");
            assertThat(r.json().path("fix").asString()).contains("IP Restrictions");
        } finally {
            server.admin().instance(Map.of("ipAllowlist", Map.of("enabled", false)));
        }
    }
}
