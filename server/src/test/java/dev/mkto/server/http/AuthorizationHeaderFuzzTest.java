package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Envelope;
import dev.mkto.server.testing.RawHttp;
import dev.mkto.server.testing.TestServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzes the {@code Authorization} header: as a bearer token on the REST API, and as HTTP Basic
 * client credentials on the identity endpoint. Requests go byte for byte over a socket to one
 * server shared by the class. The seeds under {@code AuthorizationHeaderFuzzTestInputs/<method>/}
 * run as regression tests in every build; {@code JAZZER_FUZZ=1} explores.
 *
 * <p>A seed is the header's payload followed by one selector byte that says how the payload is
 * used (see each method); a text file ending in a newline uses the payload as the whole header.
 */
class AuthorizationHeaderFuzzTest {

    private static final Set<String> OAUTH_ERRORS = Set.of("invalid_request", "unauthorized", "invalid_client",
            "unsupported_grant_type");

    private static TestServer server;
    private static AdminClient.Service service;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(Backend.H2);
        service = server.admin().serviceWith("Read-Only Lead");
        token = server.admin().token(service);
    }

    /**
     * One exchange with the server. Jazzer's SSRF detector refuses connections unless the fuzz test
     * allows them, for each execution; only the test server's port is allowed.
     */
    private static RawHttp.Response exchange(byte[] request) {
        try (SilentCloseable allowed = BugDetectors.allowNetworkConnections((host, port) -> port == server.server().port())) {
            return RawHttp.exchange(server.server().port(), request);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * Selector (last byte) mod 4: 0 "Bearer {token}{payload}", 1 "{payload}{token}", 2 the payload
     * as the header, 3 "Bearer {payload}". The answer is exactly what the header deserves: the call
     * with the live token, 601 for another token, 600 without one; or 400 when the header is not
     * valid HTTP.
     */
    @FuzzTest
    void bearerTokenOnRestApi(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 3);
        String payload = headerText(data.consumeRemainingAsBytes());
        String header = switch (mode) {
            case 0 -> "Bearer " + token + payload;
            case 1 -> payload + token;
            case 2 -> payload;
            default -> "Bearer " + payload;
        };
        RawHttp.Response r = exchange(RawHttp.request("GET", "/rest/v1/leads/describe.json", Map.of("Authorization", header), null));
        if (!validFieldValue(header) && refusedAsNotHttp(r)) {
            return; // refused before any route: a header that is not valid HTTP
        }
        String code = Envelope.leadDatabase(r, header);
        if (code == null) {
            assertThat(header).as("a call without the live token succeeded: %s", r).contains(token);
        } else {
            assertThat(code).as("%s", r).isIn("600", "601");
        }
        if (asciiPrintable(header)) {
            assertThat(code == null ? "ok" : code).as("header [%s] -> %s", header, r).isEqualTo(expectedForBearer(header));
        }
    }

    /**
     * Selector (last byte) mod 6: 0 "Basic " + base64("{client id}:{payload}"), 1 base64("{payload}:{secret}"),
     * 2 base64("{payload}"), 3 base64 of the real credentials followed by the payload, 4 the payload
     * as the header, 5 "{payload} " + base64 of the real credentials. A token is issued only for the
     * real credentials; everything else is an OAuth error (400/401); the secret is never echoed.
     */
    @FuzzTest
    void basicCredentialsOnIdentity(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 5);
        byte[] bytes = data.consumeRemainingAsBytes();
        String payload = headerText(bytes);
        String real = b64(service.clientId() + ":" + service.clientSecret());
        String header = switch (mode) {
            case 0 -> "Basic " + b64(service.clientId() + ":" + new String(bytes, StandardCharsets.UTF_8));
            case 1 -> "Basic " + b64(new String(bytes, StandardCharsets.UTF_8) + ":" + service.clientSecret());
            case 2 -> "Basic " + b64(new String(bytes, StandardCharsets.UTF_8));
            case 3 -> "Basic " + real + payload;
            case 4 -> payload;
            default -> payload + " " + real;
        };
        RawHttp.Response r = exchange(RawHttp.request("POST", "/identity/oauth/token",
                Map.of("Authorization", header, "Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials".getBytes(StandardCharsets.US_ASCII)));
        if (!validFieldValue(header) && refusedAsNotHttp(r)) {
            return;
        }
        assertThat(r.text()).as("the secret is never echoed").doesNotContain(service.clientSecret());
        Envelope.assertNoLeak(r.text(), header + "\n" + new String(bytes, StandardCharsets.UTF_8) + "\n" + decodedBasic(header));
        JsonNode json = r.json();
        if (r.status() == 200) {
            assertThat(json.path("access_token").asString()).isEqualTo(token);
            assertThat(isRealBasic(header)).as("a token for header [%s]", header).isTrue();
        } else {
            assertThat(r.status()).as("%s", r).isIn(400, 401);
            assertThat(json.path("error").asString()).as("%s", r).isIn(OAUTH_ERRORS);
            assertThat(json.path("error_description").isString()).as("%s", r).isTrue();
        }
    }

    /** The server's answer to a request that is not valid HTTP: 400 with its fixed explanation, quoting nothing sent. */
    private static boolean refusedAsNotHttp(RawHttp.Response r) {
        return r.status() == 400 && r.text().contains("The request could not be read as HTTP/1.1: look for a '%'")
                && !r.text().contains(token);
    }

    /** The answer the REST chain owes a printable-ASCII header, by the rule of part 0: bearer or 600. */
    private static String expectedForBearer(String header) {
        String value = header.replaceAll("^[ \t]+|[ \t]+$", "");
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String presented = value.substring(7).strip();
            if (!presented.isEmpty()) {
                return presented.equals(token) ? "ok" : "601";
            }
        }
        return "600";
    }

    private boolean isRealBasic(String header) {
        String decoded = decodedBasic(header);
        int colon = decoded.indexOf(':');
        return colon >= 0 && urlDecoded(decoded.substring(0, colon)).equals(service.clientId())
                && urlDecoded(decoded.substring(colon + 1)).equals(service.clientSecret());
    }

    /** What an HTTP Basic header carries, base64-decoded; "" when it is not one. */
    private static String decodedBasic(String header) {
        String value = header.strip();
        if (!value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** As the identity endpoint reads each half of Basic credentials (RFC 6749 2.3.1): form-decoded, or as sent. */
    private static String urlDecoded(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Header bytes as one Latin-1 char each, CR and LF folded to spaces so the request keeps its framing. */
    private static String headerText(byte[] bytes) {
        byte[] b = bytes.length > 8000 ? java.util.Arrays.copyOf(bytes, 8000) : bytes.clone();
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                b[i] = ' ';
            }
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** RFC 9110 field-value characters: visible ASCII, space, tab, and obs-text. */
    private static boolean validFieldValue(String s) {
        return s.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f));
    }

    private static boolean asciiPrintable(String s) {
        return s.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
