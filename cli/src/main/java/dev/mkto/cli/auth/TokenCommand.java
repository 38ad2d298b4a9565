package dev.mkto.cli.auth;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.client.Endpoint;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

/** {@code mkto token}: an access token for an authentication, for use with curl and other tools. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Prints an access token for the authentication (the service's live token, as Marketo's identity service returns it), e.g. for: curl -H \"Authorization: Bearer $(mkto token)\" …")
public final class TokenCommand implements Callable<Integer> {

    private final Context ctx;
    @Mixin final JsonOption json;
    @Mixin final AuthOption auth;

    TokenCommand(Context ctx) {
        this.ctx = ctx;
        this.json = new JsonOption(ctx);
        this.auth = new AuthOption(ctx);
    }

    @Override
    public Integer call() {
        Authentication a = auth.resolve();
        JsonNode body = fetch(a);
        String token = body.path("access_token").asString("");
        long expiresIn = body.path("expires_in").asLong(0);
        if (ctx.json()) {
            Output.json(ctx, Output.map("authentication", a.name(), "access_token", token, "token_type", body.path("token_type").asString("bearer"),
                    "expires_in", expiresIn, "scope", body.path("scope").asString("")));
        } else {
            ctx.out().println(token);
            ctx.note("expires in " + expiresIn + " s; API user " + body.path("scope").asString(""));
        }
        return ExitCode.OK;
    }

    /** A token for {@code a}: the identity service's answer, or exit 2 (refused) or 3 (no answer). */
    public static JsonNode fetch(Authentication a) {
        Endpoint endpoint = Endpoint.parse(a.endpoint());
        URI url = URI.create(endpoint.identityUrl() + "/oauth/token");
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(a.clientId(), StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(a.clientSecret(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(60))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw CliException.unreachable("POST " + url + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "; run 'mkto auth test " + a.name() + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unreachable("interrupted");
        }
        JsonNode body = Output.tryParse(response.body());
        if (body == null || !body.isObject()) {
            throw CliException.refused("POST " + url + " answered HTTP " + response.statusCode()
                    + " with something that is not Marketo's identity service; run 'mkto auth test " + a.name() + "'", String.valueOf(response.statusCode()));
        }
        if (response.statusCode() != 200 || body.path("access_token").asString("").isEmpty()) {
            String error = body.path("error").asString("HTTP " + response.statusCode());
            throw CliException.refused("the identity service refused '" + a.name() + "': " + response.statusCode() + " " + error + ": "
                    + body.path("error_description").asString("") + "; run 'mkto auth test " + a.name() + "' for the reason and the fix", error);
        }
        return body;
    }
}
