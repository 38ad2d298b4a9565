package dev.mkto.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's Redis (127.0.0.1:6379, or {@code MKTO_TEST_REDIS_URL}). Tests that need it are
 * skipped with a loud message when it does not answer, unless {@code CI} or
 * {@code MKTO_REQUIRE_POSTGRES}/{@code MKTO_REQUIRE_REDIS} is set, where they fail.
 */
public final class Redis {

    public static final String URL = System.getenv().getOrDefault("MKTO_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    public static final String HOST = URL.replaceAll("^rediss?://", "").replaceAll("[:/].*$", "");
    public static final int PORT = URL.matches(".*:\\d+.*") ? Integer.parseInt(URL.replaceAll("^rediss?://[^:]*:(\\d+).*$", "$1")) : 6379;

    private Redis() {
    }

    public static void require() {
        boolean up;
        try (Socket s = new Socket(HOST, PORT); OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] b = new byte[7];
            up = in.read(b) > 0 && new String(b, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            up = false;
        }
        if (!up) {
            String message = "Redis does not answer at " + URL;
            String required = System.getenv("MKTO_REQUIRE_REDIS");
            if (Backend.postgresRequired() || (required != null && !required.isBlank() && !required.equals("0"))) {
                Assertions.fail(message + " and CI requires the Redis tests");
            }
            System.err.println("!!!!! " + message + ": SKIPPING the Redis tests !!!!!");
            Assumptions.abort(message + ": Redis tests skipped");
        }
    }
}
