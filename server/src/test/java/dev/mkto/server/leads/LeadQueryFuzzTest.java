package dev.mkto.server.leads;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mkto.server.http.HttpIO;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Envelope;
import dev.mkto.server.testing.RawHttp;
import dev.mkto.server.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzes how a lead query's parameters are read: {@code filterType}, {@code filterValues},
 * {@code fields}, {@code batchSize}, {@code nextPageToken} through {@code GET /rest/v1/leads.json}
 * (and its {@code POST ?_method=GET} form), and {@link HttpIO#parseForm} itself. One server, with
 * a few leads to find, serves the class. Seeds under {@code LeadQueryFuzzTestInputs/<method>/} run
 * in every build; {@code JAZZER_FUZZ=1} explores.
 */
class LeadQueryFuzzTest {

    private static TestServer server;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(Backend.H2);
        server.admin().create("/fields", Map.of("name", "cohort", "dataType", "string"));
        token = server.admin().tokenWith("Read-Write Lead");
        List<Map<String, Object>> leads = new ArrayList<>();
        for (String name : List.of("ada", "grace", "alan", "edsger", "barbara")) {
            leads.add(Map.of("email", name + "@example.com", "firstName", name, "cohort", "fuzz", "sfdcLeadId", "00Q5g00000" + name));
        }
        assertThat(server.api().post("/rest/v1/leads.json", token, Map.of("input", leads)).success()).isTrue();
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
     * The payload is a query string; the selector (last byte) is even for a GET (bytes a URI cannot
     * carry are percent-encoded, so the request stays valid HTTP) and odd for a POST with
     * {@code _method=GET} and the payload as a form body. The answer is an envelope: a page of
     * leads, or 701/1003/1006/1011 (414 for a URI over 8 KB); 701 whenever filterType is blank.
     */
    @FuzzTest
    void leadsQuery(FuzzedDataProvider data) {
        boolean viaPost = data.consumeBoolean();
        byte[] payload = data.consumeRemainingAsBytes();
        String query = viaPost ? new String(payload, StandardCharsets.UTF_8) : uriQuery(payload);
        byte[] request = viaPost
                ? RawHttp.request("POST", "/rest/v1/leads.json?_method=GET", Map.of("Authorization", "Bearer " + token,
                        "Content-Type", "application/x-www-form-urlencoded"), payload)
                : RawHttp.request("GET", "/rest/v1/leads.json?" + query, Map.of("Authorization", "Bearer " + token), null);
        RawHttp.Response r = exchange(request);
        Map<String, List<String>> params;
        try {
            params = HttpIO.parseForm(query);
        } catch (HttpIO.MalformedForm stray) {
            // a '%' that is no escape: refused as HTTP in a query, as unreadable in the form, with the same 400
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.json().path("errors").path(0).path("code").asString()).as("%s", r).isEqualTo("400");
            return;
        }
        String code = Envelope.leadDatabase(r, query + "\n" + params);
        if (!viaPost && ("/rest/v1/leads.json?" + query).length() > 8192) {
            assertThat(code).as("%s", r).isEqualTo("414");
            return;
        }
        if (joined(params, "filterType").isBlank()) {
            assertThat(code).as("no filterType: %s", r).isEqualTo("701");
        }
        if (code != null) {
            assertThat(code).as("%s", r).isIn("701", "1003", "1006", "1011");
            return;
        }
        JsonNode result = r.json().path("result");
        assertThat(result.isArray()).as("%s", r).isTrue();
        assertThat(result.size()).isLessThanOrEqualTo(300);
        for (JsonNode lead : result) {
            assertThat(lead.path("id").isIntegralNumber()).as("%s", r).isTrue();
        }
        JsonNode next = r.json().path("nextPageToken");
        assertThat(next.isMissingNode() || (next.isString() && !next.asString().isEmpty())).as("%s", r).isTrue();
    }

    /**
     * {@link HttpIO#parseForm} on any text: refuses it (only {@link HttpIO.MalformedForm}) exactly
     * when a '%' is not followed by two hex digits; otherwise yields one value per non-empty pair,
     * and reading back its own result, encoded, gives the same parameters.
     */
    @FuzzTest
    void parseForm(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        boolean stray = java.util.regex.Pattern.compile("%(?![0-9A-Fa-f]{2})").matcher(text).find();
        Map<String, List<String>> parsed;
        try {
            parsed = HttpIO.parseForm(text);
        } catch (HttpIO.MalformedForm e) {
            assertThat(stray).as("refused [%s]: %s", text, e.getMessage()).isTrue();
            return;
        }
        assertThat(stray).as("read [%s]", text).isFalse();
        long pairs = text.chars().filter(c -> c == '&').count() + 1;
        long empty = 0;
        for (String pair : text.split("&", -1)) {
            if (pair.isEmpty()) {
                empty++;
            }
        }
        assertThat(parsed.values().stream().mapToLong(List::size).sum()).isEqualTo(pairs - empty);
        StringJoiner encoded = new StringJoiner("&");
        parsed.forEach((name, values) -> values.forEach(v -> encoded.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8))));
        assertThat(HttpIO.parseForm(encoded.toString())).isEqualTo(parsed);
    }

    /** RFC 3986 query characters other than '%': unreserved, sub-delims, ':', '@', '/', '?'. */
    private static final String QUERY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?";

    /** Query bytes with what a URI query cannot hold percent-encoded, and a stray '%' as "%25". */
    private static String uriQuery(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean escape = b == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
            if (escape || (b < 0x80 && QUERY_CHARS.indexOf(b) >= 0)) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean isHex(byte b) {
        return Character.digit(b, 16) >= 0;
    }

    private static String joined(Map<String, List<String>> params, String name) {
        return String.join(",", params.getOrDefault(name, List.of()));
    }
}
