package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Connection: close} (RFC 9112 §9.6): a request asking for it is answered with the header
 * and its connection closed, so a client reading to the end of the stream is not left waiting;
 * without it, the connection serves the next request. A request of HTTP/1.0 is answered 505 and
 * its connection closed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionCloseTest {

    private TestServer server;
    private URI base;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        base = URI.create(server.server().baseUrl());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void requestWhenItAsksForConnectionCloseThenTheAnswerIsFollowedByTheEndOfTheStream() throws IOException {
        for (String path : List.of("/ping", "/rest/v1/leads.json?filterType=email&filterValues=a@example.com", "/identity/oauth/token",
                "/admin/api/v1/instance", "/admin", "/nowhere")) {
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer;
                try {
                    answer = readToEnd(s.getInputStream());
                } catch (SocketTimeoutException e) {
                    throw new AssertionError(path + ": the connection stayed open after the answer to Connection: close", e);
                }
                assertThat(answer).as(path).startsWith("HTTP/1.1 ").containsIgnoringCase("\r\nConnection: close\r\n");
            }
        }
    }

    @Test
    void requestWhenItDoesNotAskThenTheConnectionServesTheNextRequest() throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\nGET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String both = readToEnd(s.getInputStream());
            assertThat(both.split("\r\n\r\npong", -1)).hasSize(3);
        }
    }

    @Test
    void requestWhenHttp10ThenAnswered505InTheShapeOfItsFaceAndClosed() throws IOException {
        for (String path : List.of("/ping", "/rest/v1/leads.json?filterType=email&filterValues=a@example.com", "/identity/oauth/token",
                "/admin/api/v1/instance")) {
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String answer;
                try {
                    answer = readToEnd(s.getInputStream());
                } catch (SocketTimeoutException e) {
                    throw new AssertionError(path + ": the connection stayed open after the answer to HTTP/1.0", e);
                }
                assertThat(answer).as(path).startsWith("HTTP/1.1 505 ").containsIgnoringCase("\r\nConnection: close\r\n")
                        .contains("send the request as HTTP/1.1");
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                switch (path.split("/")[1]) {
                    case "rest" -> assertThat(body).contains("\"success\":false").contains("\"code\":\"400\"");
                    case "identity" -> assertThat(body).contains("\"error\":\"invalid_request\"");
                    case "admin" -> assertThat(body).contains("\"error\":{");
                    default -> assertThat(body).startsWith("{");
                }
            }
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
