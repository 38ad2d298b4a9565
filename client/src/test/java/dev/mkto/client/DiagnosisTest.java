package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.mkto.client.Diagnosis.Outcome;
import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every outcome of {@link MarketoClient#diagnose()} produced for real, against a real mkto-server
 * whose admin API sets up the broken situation: the evidence names the requests and their answers.
 */
class DiagnosisTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Diagnosis diagnose(String endpoint, String clientId, String secret) {
        return TestClients.builder(endpoint, clientId, secret, new RecordingTrace()).build().diagnose();
    }

    private static Diagnosis diagnose(ServerAdmin.Service s) {
        return diagnose(server.restEndpoint(), s.clientId(), s.clientSecret());
    }

    @Test
    void diagnoseWhenEverythingWorksThenOkWithTheIdentityAndReadEvidence() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Diagnosis d = diagnose(s);

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.OK);
        assertThat(d.ok()).isTrue();
        assertThat(d.evidence()).hasSize(2);
        assertThat(d.evidence().get(0).request()).isEqualTo("POST " + server.baseUrl() + "/identity/oauth/token");
        assertThat(d.evidence().get(0).httpStatus()).isEqualTo(200);
        assertThat(d.evidence().get(0).message()).contains(s.userEmail());
        assertThat(d.evidence().get(1).request()).isEqualTo("GET " + server.baseUrl() + "/rest/v1/leads/describe.json");
        assertThat(d.evidence().get(1).message()).isEqualTo("success");
        assertThat(d.fix()).isEqualTo("Nothing to fix.");
        assertThat(d.toString()).doesNotContain(s.clientSecret());
    }

    @Test
    void diagnoseWhenClientIdIsUnknownThenInvalidClientId() {
        Diagnosis d = diagnose(server.restEndpoint(), "11111111-2222-4333-8444-555555555555", "any-secret-0123456789");

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.INVALID_CLIENT_ID);
        assertThat(d.evidence()).singleElement().satisfies(step -> {
            assertThat(step.httpStatus()).isEqualTo(401);
            assertThat(step.code()).isEqualTo("unauthorized");
            assertThat(step.message()).isEqualTo("No client with requested id: 11111111-2222-4333-8444-555555555555");
        });
        assertThat(d.fix()).contains("Client Id").contains("LaunchPoint");
    }

    @Test
    void diagnoseWhenTheServiceWasDeletedThenInvalidClientId() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        server.admin().deleteService(s.id());

        assertThat(diagnose(s).outcome()).isEqualTo(Outcome.INVALID_CLIENT_ID);
    }

    @Test
    void diagnoseWhenTheServiceIsDisabledThenInvalidClientIdSayingSo() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        server.admin().disableService(s.id());

        Diagnosis d = diagnose(s);

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.INVALID_CLIENT_ID);
        assertThat(d.summary()).contains("disabled");
        assertThat(d.fix()).contains("Enable the custom service");
    }

    @Test
    void diagnoseWhenSecretIsWrongThenInvalidClientSecret() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Diagnosis d = diagnose(server.restEndpoint(), s.clientId(), "tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw");

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.INVALID_CLIENT_SECRET);
        assertThat(d.evidence()).singleElement().satisfies(step -> {
            assertThat(step.code()).isEqualTo("invalid_client");
            assertThat(step.message()).isEqualTo("Bad client credentials");
        });
        assertThat(d.fix()).contains("Client Secret");
        assertThat(d.toString()).doesNotContain("tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw");
    }

    @Test
    void diagnoseWhenTheApiOnlyUserIsDeactivatedThenApiUserInactive() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        server.admin().deactivateUser(s.userId());

        Diagnosis d = diagnose(s);

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.API_USER_INACTIVE);
        assertThat(d.evidence()).singleElement().satisfies(step -> {
            assertThat(step.httpStatus()).isEqualTo(401);
            assertThat(step.message()).contains(s.userEmail()).contains("deactivated");
        });
        assertThat(d.fix()).contains("reactivate the API-only user");
    }

    @Test
    void diagnoseWhenTheApiOnlyUsersAccessExpiredThenApiUserInactive() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        server.admin().expireUser(s.userId(), Instant.now().minusSeconds(60));

        Diagnosis d = diagnose(s);

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.API_USER_INACTIVE);
        assertThat(d.evidence().get(0).message()).contains("expired");
    }

    /** mkto-server refuses a service for a user who is not API-only, so a scripted identity service gives the refusal. */
    @Test
    void diagnoseWhenTheServicesUserIsNotAnApiOnlyUserThenApiUserInactive() {
        try (StandIn marketo = new StandIn()) {
            marketo.script("POST /identity/oauth/token", new StandIn.Reply(401,
                    "{\"error\":\"unauthorized\",\"error_description\":\"User ada@example.com is not an API-only user\"}", false));

            Diagnosis d = marketo.client().diagnose();

            assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.API_USER_INACTIVE);
            assertThat(d.fix()).contains("active API-only user");
        }
    }

    /** Names are the admin's to choose: words in them must not change the diagnosis. */
    @Test
    void diagnoseWhenNamesInTheRefusalSoundLikeAnotherCauseThenTheCauseStillDecides() {
        String role = ServerAdmin.unique("role");
        server.admin().role(role, "Read-Only Lead");
        String email = ServerAdmin.unique("allowlist") + "@example.com";
        long userId = server.admin().apiUser(email, role);
        ServerAdmin.Service disabled = server.admin().service(ServerAdmin.unique("Expired leads cleanup"), email, userId);
        ServerAdmin.Service deactivated = server.admin().service(ServerAdmin.unique("Nightly sync"), email, userId);
        server.admin().disableService(disabled.id());

        Diagnosis serviceDisabled = diagnose(disabled);
        server.admin().deactivateUser(userId);
        Diagnosis userDeactivated = diagnose(deactivated);

        assertThat(serviceDisabled.outcome()).as("%s", serviceDisabled).isEqualTo(Outcome.INVALID_CLIENT_ID);
        assertThat(serviceDisabled.fix()).contains("Enable the custom service");
        assertThat(userDeactivated.outcome()).as("%s", userDeactivated).isEqualTo(Outcome.API_USER_INACTIVE);
    }

    @Test
    void diagnoseWhenTheTokenExpiresBetweenIssueAndUseThenTheNextTokenDecidesNotTheUserBlamed() {
        try (StandIn marketo = new StandIn()) {
            String next = "44444444-2222-4333-8444-555555555555:st";
            // identity hands out the service's live token in its last second; it has expired when the read arrives
            marketo.script("POST /identity/oauth/token",
                    StandIn.Reply.json("{\"access_token\":\"" + StandIn.TOKEN + "\",\"token_type\":\"bearer\",\"expires_in\":0,\"scope\":\"api@example.com\"}"),
                    StandIn.Reply.json("{\"access_token\":\"" + next + "\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}"));
            marketo.script("GET /rest/v1/leads/describe.json", StandIn.Reply.error("602", "Access token expired"));

            Diagnosis d = marketo.client().diagnose();

            assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.OK);
            assertThat(marketo.requests("/rest/v1/leads/describe.json")).last().extracting(StandIn.Request::authorization)
                    .isEqualTo("Bearer " + next);
        }
    }

    @Test
    void diagnoseWhenTheRestApiAnswersAServerErrorThenUnreachableNotOk() {
        try (StandIn marketo = new StandIn()) {
            // identity answers; a gateway in front of the REST API times out
            marketo.script("GET /rest/v1/leads/describe.json", new StandIn.Reply(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>", false));

            Diagnosis d = marketo.client().diagnose();

            assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.UNREACHABLE);
            assertThat(d.summary()).contains("HTTP 504");
            assertThat(d.evidence()).last().satisfies(step -> assertThat(step.httpStatus()).isEqualTo(504));
        }
    }

    @Test
    void diagnoseWhenTheRoleHasNoLeadReadPermissionThenMissingReadPermission() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Activity");

        Diagnosis d = diagnose(s);

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.MISSING_READ_PERMISSION);
        assertThat(d.evidence()).anySatisfy(step -> {
            assertThat(step.request()).endsWith("/rest/v1/leads/describe.json");
            assertThat(step.code()).isEqualTo("603");
        });
        assertThat(d.evidence()).anySatisfy(step -> assertThat(step.request()).endsWith("/rest/v1/stats/usage.json"));
        assertThat(d.fix()).contains("Read-Only Lead").contains(s.userEmail());
    }

    /** Needs usage statistics on the server ({@code GET /rest/v1/stats/usage.json}, no permission required). */
    @Test
    void diagnoseWhenTheRoleHasNoLeadReadPermissionThenUsageStatsAnsweredRuleOutTheAllowlist() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Activity");

        Diagnosis d = diagnose(s);

        assertThat(d.outcome()).isEqualTo(Outcome.MISSING_READ_PERMISSION);
        assertThat(d.evidence()).hasSize(3);
        assertThat(d.evidence().get(2).request()).isEqualTo("GET " + server.baseUrl() + "/rest/v1/stats/usage.json");
        assertThat(d.evidence().get(2).message()).as("%s", d).isEqualTo("success");
        assertThat(d.summary()).contains("usage statistics (no permission needed) answered");
    }

    @Test
    void diagnoseWhenTheEndpointHasATypoInItsPathThenEndpointFormatWithTheHint() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Diagnosis d = diagnose(server.baseUrl() + "/rset", s.clientId(), s.clientSecret());

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.ENDPOINT_FORMAT);
        assertThat(d.evidence()).singleElement().satisfies(step -> {
            assertThat(step.request()).isEqualTo("POST " + server.baseUrl() + "/rset/identity/oauth/token");
            assertThat(step.httpStatus()).isEqualTo(404);
        });
        assertThat(d.endpointNotes()).anySatisfy(n -> assertThat(n).contains("'rset' was meant to be '/rest'"));
        assertThat(d.fix()).contains("'rset' was meant to be '/rest'");
    }

    @Test
    void diagnoseWhenTheEndpointHasAFixableTypoThenOkAndTheNotesSayWhatWasAssumed() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Diagnosis d = diagnose(" " + server.baseUrl() + "/rest/rest/v1/leads.json ", s.clientId(), s.clientSecret());

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.OK);
        assertThat(d.endpointNotes()).hasSize(3);
        assertThat(d.fix()).isEqualTo("Nothing to fix; store the endpoint as " + server.restEndpoint() + ".");
    }

    @Test
    void diagnoseWhenHttpsIsUsedForAnHttpServerThenEndpointFormat() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");

        Diagnosis d = diagnose("https://127.0.0.1:" + server.port() + "/rest", s.clientId(), s.clientSecret());

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.ENDPOINT_FORMAT);
        assertThat(d.summary()).contains("answers plain http on that port, not https");
        assertThat(d.evidence()).hasSize(2);
        assertThat(d.evidence().get(0).httpStatus()).as("TLS failed: no answer").isZero();
        assertThat(d.evidence().get(1).request()).isEqualTo("GET http://127.0.0.1:" + server.port() + "/identity/oauth/token");
        assertThat(d.evidence().get(1).httpStatus()).isPositive();
    }

    /** A started web server answering every request with {@code html} and {@code status}, as a web site or a gateway does. */
    private static HttpServer htmlPage(int status, String html) throws java.io.IOException {
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", exchange -> {
            byte[] page = html.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(status, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        web.start();
        return web;
    }

    @Test
    void diagnoseWhenTheHostAnswersButIsNotMarketoThenEndpointFormat() throws Exception {
        HttpServer web = htmlPage(200, "<html><body>Welcome to our website</body></html>");
        try {
            Diagnosis d = diagnose("http://127.0.0.1:" + web.getAddress().getPort(), "some-client-id", "some-secret-0123");

            assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.ENDPOINT_FORMAT);
            assertThat(d.evidence()).singleElement().satisfies(step -> {
                assertThat(step.httpStatus()).isEqualTo(200);
                assertThat(step.message()).contains("text/html").contains("not an answer of Marketo's identity service");
            });
        } finally {
            web.stop(0);
        }
    }

    @Test
    void diagnoseWhenAGatewayInFrontOfIdentityTimesOutThenUnreachableNotTheEndpoint() throws Exception {
        HttpServer gateway = htmlPage(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>");
        try {
            Diagnosis d = diagnose("http://127.0.0.1:" + gateway.getAddress().getPort() + "/rest", "some-client-id", "some-secret-0123");

            // a time-out on the way says nothing about the endpoint's path: the same endpoint works once the service answers
            assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.UNREACHABLE);
            assertThat(d.summary()).contains("HTTP 504");
            assertThat(d.evidence()).singleElement().satisfies(step -> assertThat(step.httpStatus()).isEqualTo(504));
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void diagnoseWhenNothingListensOnThePortThenUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        Diagnosis d = diagnose("http://127.0.0.1:" + port + "/rest", "some-client-id", "some-secret-0123");

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.UNREACHABLE);
        assertThat(d.evidence()).singleElement().satisfies(step -> {
            assertThat(step.httpStatus()).isZero();
            assertThat(step.message()).startsWith("connection refused (nothing listens there, or a firewall refuses) (ConnectException");
        });
        assertThat(d.fix()).contains("127.0.0.1");
    }

    @Test
    void diagnoseWhenTheHostDoesNotResolveThenUnreachable() {
        Diagnosis d = diagnose("https://no-such-host.invalid/rest", "some-client-id", "some-secret-0123");

        assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.UNREACHABLE);
        assertThat(d.summary()).contains("no-such-host.invalid");
        assertThat(d.evidence()).singleElement().satisfies(step -> assertThat(step.message()).startsWith("unknown host (check the endpoint's host name) ("));
    }
}
