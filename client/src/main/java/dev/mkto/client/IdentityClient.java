package dev.mkto.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One request to the identity service's client-credentials grant. The credentials travel in a
 * form body ({@code POST}), never in the URL, so no URL the SDK logs or reports can hold them.
 */
final class IdentityClient {

    /** What the identity service answered. */
    sealed interface Answer permits Granted, Refused {
    }

    /** A token: Marketo returns the service's live token, with its remaining life, until it expires. */
    record Granted(String accessToken, long expiresIn, String scope) implements Answer {
        @Override
        public String toString() {
            return "Granted[expiresIn=" + expiresIn + ", scope=" + scope + "]";
        }
    }

    /** No token, and why. */
    record Refused(AuthenticationFailure failure) implements Answer {
    }

    private static final long DEFAULT_EXPIRES_IN = 3600;

    private final URI tokenUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final Credentials credentials;
    private final String userAgent;

    IdentityClient(Endpoint endpoint, HttpClient http, Duration timeout, Credentials credentials, String userAgent) {
        this.tokenUrl = URI.create(endpoint.identityUrl() + "/oauth/token");
        this.http = http;
        this.timeout = timeout;
        this.credentials = credentials;
        this.userAgent = userAgent;
    }

    URI tokenUrl() {
        return tokenUrl;
    }

    Answer request() throws IOException, InterruptedException {
        String form = "grant_type=client_credentials&client_id=" + enc(credentials.clientId())
                + "&client_secret=" + enc(credentials.clientSecret());
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return read(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body());
    }

    Answer read(int status, String contentType, byte[] body) {
        Optional<JsonNode> json = Json.parse(body).filter(JsonNode::isObject);
        if (json.isEmpty()) {
            return unexpected(status, contentType == null ? "no JSON" : contentType);
        }
        JsonNode j = json.get();
        String token = Json.text(j, "access_token");
        if (status == 200 && token != null && !token.isBlank()) {
            long expiresIn = Math.max(0, Json.number(j, "expires_in", DEFAULT_EXPIRES_IN));
            return new Granted(token, expiresIn, Json.text(j, "scope", ""));
        }
        String error = Json.text(j, "error");
        if (error != null) {
            return refused(status, error, Json.text(j, "error_description", ""));
        }
        JsonNode errors = j.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            return refused(status, Json.text(errors.get(0), "code", "unexpected_response"), Json.text(errors.get(0), "message", ""));
        }
        return unexpected(status, "JSON without an access token");
    }

    /** A refusal as the service worded it, except the secret: whatever echoes the request must not repeat it. */
    private Refused refused(int status, String error, String description) {
        return new Refused(new AuthenticationFailure(status, hideSecret(error), hideSecret(description)));
    }

    private String hideSecret(String text) {
        String secret = credentials.clientSecret();
        return text.replace(secret, "***").replace(enc(secret), "***");
    }

    private Refused unexpected(int status, String what) {
        return new Refused(new AuthenticationFailure(status, "unexpected_response",
                "HTTP " + status + " (" + what + ") from " + tokenUrl + " is not an answer of Marketo's identity service"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
