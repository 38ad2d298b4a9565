package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A command that waits out the SDK's retries says so on standard error, each time: what answered
 * and when it tries again, so that the wait is never silent. The identity service is a stand-in
 * that answers 503 twice, then a token; the REST API answers an empty result.
 */
class RetryNoticesTest {

    private HttpServer marketo;
    private final AtomicInteger identityRequests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        marketo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        marketo.createContext("/identity/oauth/token", ex -> {
            boolean down = identityRequests.incrementAndGet() <= 2;
            answer(ex, down ? 503 : 200, down ? "{\"error\":\"temporarily_unavailable\",\"error_description\":\"Try again later\"}"
                    : "{\"access_token\":\"stand-in-token\",\"token_type\":\"bearer\",\"expires_in\":3599,\"scope\":\"api@example.com\"}");
        });
        marketo.createContext("/rest/", ex -> answer(ex, 200, "{\"requestId\":\"1#1\",\"success\":true,\"result\":[]}"));
        marketo.start();
    }

    @AfterEach
    void stop() {
        marketo.stop(0);
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        ex.getRequestBody().readAllBytes();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void commandWhenTheIdentityServiceFailsTwiceThenEachRetryIsSaidAndTheCommandGoesOn() {
        Cli cli = Cli.fresh().stdin("stand-in-secret");
        assertThat(cli.run("auth", "add", "flaky", "--endpoint", "http://127.0.0.1:" + marketo.getAddress().getPort() + "/rest",
                "--client-id", "stand-in-client", "--secret-stdin", "--limits", "unlimited").code()).isZero();

        Cli.Result r = cli.run("leads", "find", "nobody@example.com");

        assertThat(identityRequests.get()).isEqualTo(3);
        assertThat(r.err()).containsPattern("mkto: POST /identity/oauth/token: answered HTTP 503; retry 1 in \\d+\\.\\d s")
                .containsPattern("mkto: POST /identity/oauth/token: answered HTTP 503; retry 2 in \\d+\\.\\d s")
                .doesNotContain("stand-in-secret").doesNotContain("stand-in-token");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo("No lead found.\n");
    }
}
