package dev.mkto.cli.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.mkto.cli.CliException;
import dev.mkto.cli.ExitCode;
import dev.mkto.client.ApiResult;
import dev.mkto.client.MarketoClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a failed token request is worded: a refusal of the credentials sends the user to
 * {@code mkto auth test}; an identity service that kept answering 5xx is a failure of the service
 * (or of a gateway before it), not of the credentials. The identity service here is a stand-in:
 * client id {@code down} gets 503, any other 401.
 */
class ConnectionsTest {

    private HttpServer identity;

    @BeforeEach
    void start() throws IOException {
        identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        identity.createContext("/rest/", exchange -> {
            String code = exchange.getRequestURI().getQuery() != null && exchange.getRequestURI().getQuery().contains("quota") ? "607" : "603";
            byte[] body = ("{\"requestId\":\"1#1\",\"success\":false,\"errors\":[{\"code\":\"" + code + "\",\"message\":\""
                    + (code.equals("607") ? "Daily quota reached" : "Access denied") + "\"}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        identity.createContext("/identity/oauth/token", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (form.contains("client_id=ok&")) {
                byte[] token = "{\"access_token\":\"t\",\"token_type\":\"bearer\",\"expires_in\":3599,\"scope\":\"a@example.com\"}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, token.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(token);
                }
                return;
            }
            boolean down = form.contains("client_id=down&");
            byte[] body = (down ? "{\"error\":\"temporarily_unavailable\",\"error_description\":\"Try again later\"}"
                    : "{\"error\":\"invalid_client\",\"error_description\":\"Bad client credentials\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(down ? 503 : 401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        identity.start();
    }

    @AfterEach
    void stop() {
        identity.stop(0);
    }

    private ApiResult<?> partitions(String clientId) {
        MarketoClient client = MarketoClient.builder()
                .endpoint("http://127.0.0.1:" + identity.getAddress().getPort() + "/rest")
                .credentials(clientId, "a-secret-that-is-never-shown")
                .retries(0)
                .build();
        return client.leads().partitions();
    }

    @Test
    void refusedWhenTheIdentityServiceKeepsFailingThenSaysSoAndDoesNotBlameTheCredentials() {
        CliException e = Connections.refused(partitions("down"), "reading partitions");

        assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(e.getMessage()).startsWith("reading partitions: the identity service failed (HTTP 503 temporarily_unavailable")
                .contains("not these credentials").doesNotContain("authentication refused").doesNotContain("a-secret-that-is-never-shown");
    }

    @Test
    void refusedWhen603Or607ThenTheMeaningHasNoSdkMethodNamesAndSaysWhatToRun() {
        MarketoClient client = MarketoClient.builder()
                .endpoint("http://127.0.0.1:" + identity.getAddress().getPort() + "/rest")
                .credentials("ok", "a-secret-that-is-never-shown")
                .retries(0)
                .build();

        CliException denied = Connections.refused(client.get("/rest/v1/leads/describe.json", java.util.Map.of()), "reading fields");
        CliException quota = Connections.refused(client.get("/rest/v1/leads/describe.json", java.util.Map.of("x", "quota")), "reading fields");

        assertThat(denied.getMessage()).startsWith("reading fields: 603 Access denied (Access denied: the API-only user's role lacks")
                .contains("Run 'mkto auth test'").doesNotContain("()").doesNotContain("MarketoClient");
        assertThat(quota.getMessage()).startsWith("reading fields: 607 Daily quota reached (The instance's daily quota is used up.)")
                .doesNotContain("()").doesNotContain("ApiResult");
    }

    @Test
    void refusedWhenTheCredentialsAreRefusedThenPointsAtAuthTest() {
        CliException e = Connections.refused(partitions("some-client"), "reading partitions");

        assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(e.getMessage()).isEqualTo("reading partitions: authentication refused (HTTP 401 invalid_client: Bad client credentials);"
                + " run 'mkto auth test' to find out why");
    }
}
