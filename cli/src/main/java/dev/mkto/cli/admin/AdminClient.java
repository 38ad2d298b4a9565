package dev.mkto.cli.admin;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.Output;
import dev.mkto.cli.term.Text;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * mkto-server's admin API ({@code /admin/api/v1}), with the admin credential from
 * {@code MKTO_ADMIN_TOKEN} or a prompt — never an argument. Mixed into the commands that use it
 * for its {@code --server} option. A refusal is exit 2 with the HTTP status and the server's
 * message; no answer is exit 3.
 */
public final class AdminClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final Context ctx;
    private @Nullable String token;

    @Option(names = "--server", paramLabel = "URL",
            description = "The mkto-server (default: MKTO_SERVER, else http://127.0.0.1:8080). The admin credential comes from MKTO_ADMIN_TOKEN or a prompt.")
    @Nullable String server;

    public AdminClient(Context ctx) {
        this.ctx = ctx;
    }

    /** The admin API's base URL. */
    public String base() {
        String s = server != null ? server : ctx.env("MKTO_SERVER").orElse("http://127.0.0.1:8080");
        s = s.strip().replaceAll("/+$", "");
        // the admin API is at the server's root: a URL of one of its other faces is taken for the server's
        for (String face : new String[] {"/admin/api/v1", "/admin", "/rest", "/identity"}) {
            if (s.endsWith(face)) {
                s = s.substring(0, s.length() - face.length());
                break;
            }
        }
        if (s.contains("://") && !s.startsWith("http://") && !s.startsWith("https://")) {
            throw CliException.usage("the mkto-server " + s + " is not an http:// or https:// URL; give --server (or MKTO_SERVER) as"
                    + " e.g. http://127.0.0.1:8080");
        }
        if (!s.startsWith("http://") && !s.startsWith("https://")) {
            s = "http://" + s;
        }
        return s + "/admin/api/v1";
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, @Nullable Object body) {
        return send("POST", path, body);
    }

    public JsonNode patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    private String token() {
        if (token == null) {
            token = ctx.env("MKTO_ADMIN_TOKEN").orElseGet(() -> {
                char[] typed = ctx.prompter().secret("Admin credential for " + base() + ": ")
                        .orElseThrow(() -> CliException.usage("no admin credential: set MKTO_ADMIN_TOKEN, or run mkto in a terminal to type it"));
                String t = new String(typed);
                Arrays.fill(typed, '\0');
                return t.strip();
            });
        }
        return token;
    }

    private JsonNode send(String method, String path, @Nullable Object body) {
        URI uri = URI.create(base() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token())
                .header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Output.compact(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw CliException.unreachable(method + " " + uri + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " (is mkto-server running there?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unreachable("interrupted");
        }
        JsonNode json = r.body().length == 0 ? null : Output.tryParse(r.body());
        if (json != null && json.has("requestId") && json.path("success").isBoolean()) {
            // Marketo's REST envelope (HTTP 200 even for its errors): this is not the admin API answering
            throw CliException.refused(method + " " + uri + " answered with Marketo's REST envelope, not the admin API's JSON: is "
                    + base() + " an mkto-server's admin API? Give --server (or MKTO_SERVER) the server's base URL, e.g. http://127.0.0.1:8080",
                    String.valueOf(r.statusCode()));
        }
        if (r.statusCode() >= 200 && r.statusCode() < 300 && (json != null || r.body().length == 0)) {
            return json == null ? Output.parse("{}", "answer") : json;
        }
        String message = json == null ? "" : Text.safe(json.path("error").path("message").asString(""));
        String code = json == null ? "" : Text.safe(json.path("error").path("code").asString(""));
        if (json == null) {
            throw CliException.refused(method + " " + uri + " answered HTTP " + r.statusCode()
                    + " without the admin API's JSON: is " + base() + " an mkto-server?", String.valueOf(r.statusCode()));
        }
        String hint = r.statusCode() == 401 ? " (check MKTO_ADMIN_TOKEN)" : "";
        throw CliException.refused("the admin API refused " + method + " " + path + ": " + r.statusCode()
                + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message) + hint, String.valueOf(r.statusCode()));
    }
}
