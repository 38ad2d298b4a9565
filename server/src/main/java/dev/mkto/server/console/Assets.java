package dev.mkto.server.console;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The console's stylesheet and script, served from the classpath under {@code /admin/assets/}.
 * Only these named files exist there; the strict CSP allows no other script or style.
 */
final class Assets {

    private record Asset(String type, byte[] bytes) {
    }

    private static final Map<String, Asset> FILES = Map.of(
            "/admin/assets/console.css", load("console.css", "text/css; charset=UTF-8"),
            "/admin/assets/console.js", load("console.js", "text/javascript; charset=UTF-8"),
            "/admin/assets/favicon.svg", load("favicon.svg", "image/svg+xml"));

    private Assets() {
    }

    static void serve(String path, String method, ServerResponse res) {
        Asset a = FILES.get(path);
        if (a == null || !method.equals("GET")) {
            res.status(a == null ? 404 : 405);
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
            res.send((a == null ? "no such asset" : "use GET").getBytes(StandardCharsets.UTF_8));
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, a.type());
        res.header("Cache-Control", "no-cache");
        res.send(a.bytes());
    }

    private static Asset load(String name, String type) {
        try (InputStream in = Assets.class.getResourceAsStream("assets/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset missing from the build: " + name);
            }
            return new Asset(type, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
