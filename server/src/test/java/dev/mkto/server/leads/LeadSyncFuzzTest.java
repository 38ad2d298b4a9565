package dev.mkto.server.leads;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mkto.server.http.Json;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Envelope;
import dev.mkto.server.testing.RawHttp;
import dev.mkto.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzes the Sync Leads body ({@code POST /rest/v1/leads.json}) against one server shared by the
 * class. Seeds under {@code LeadSyncFuzzTestInputs/syncBody/} run in every build;
 * {@code JAZZER_FUZZ=1} explores.
 */
class LeadSyncFuzzTest {

    /** Chosen by the selector byte; a seed ending in a newline (10 mod 8 = 2) is sent as application/json. */
    private static final List<String> CONTENT_TYPES = List.of("application/json; charset=UTF-8", "text/plain", "application/json",
            "", "application/x-www-form-urlencoded", "APPLICATION/JSON", "application/vnd.api+json", ";;;");
    private static final Set<String> RESPONSE_CODES = Set.of("609", "612", "701", "1003", "1006", "1011");
    private static final Set<String> RECORD_CODES = Set.of("1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008",
            "1009", "1010");

    private static TestServer server;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(Backend.H2);
        server.admin().create("/fields", Map.of("name", "cohort", "dataType", "string"));
        server.admin().create("/fields", Map.of("name", "shoeSize", "dataType", "integer"));
        token = server.admin().tokenWith("Read-Write Lead");
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
     * The payload is the body, the selector (last byte) mod 8 its Content-Type (none for index 3).
     * A body that is not declared JSON is 612, one that does not parse as a JSON object 609; an
     * accepted one is answered record by record, in order, with a 1xxx reason for each skip; any
     * other refusal is 701, 1003, 1006 or 1011.
     */
    @FuzzTest
    void syncBody(FuzzedDataProvider data) {
        String contentType = CONTENT_TYPES.get(data.consumeInt(0, CONTENT_TYPES.size() - 1));
        byte[] body = data.consumeRemainingAsBytes();
        Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer " + token));
        if (!contentType.isEmpty()) {
            headers.put("Content-Type", contentType);
        }
        RawHttp.Response r = exchange(
                RawHttp.request("POST", "/rest/v1/leads.json", headers, body));
        JsonNode sent = parse(body);
        String code = Envelope.leadDatabase(r, new String(body, StandardCharsets.UTF_8) + "\n" + texts(sent));
        if (body.length > 0 && !declaredJson(contentType)) {
            assertThat(code).as("%s", r).isEqualTo("612");
            return;
        }
        if (sent == null || !sent.isObject()) {
            assertThat(code).as("%s", r).isEqualTo("609");
            return;
        }
        if (code != null) {
            assertThat(code).as("%s", r).isIn(RESPONSE_CODES);
            return;
        }
        JsonNode input = sent.path("input");
        JsonNode result = r.json().path("result");
        assertThat(result.size()).as("one result per input record: %s", r).isEqualTo(input.size());
        for (JsonNode record : result) {
            String status = record.path("status").asString();
            assertThat(status).as("%s", r).isIn("created", "updated", "skipped");
            if (status.equals("skipped")) {
                assertThat(record.path("reasons").get(0).path("code").asString()).as("%s", r).isIn(RECORD_CODES);
            } else {
                assertThat(record.path("id").isIntegralNumber()).as("%s", r).isTrue();
            }
        }
    }

    /** Every name and scalar in a JSON value, unescaped, as an answer may quote them. */
    private static String texts(JsonNode node) {
        StringBuilder out = new StringBuilder();
        if (node != null) {
            node.properties().forEach(e -> out.append(e.getKey()).append('\n').append(texts(e.getValue())));
            if (node.isArray()) {
                node.forEach(item -> out.append(texts(item)));
            } else if (node.isValueNode()) {
                out.append(node.asString()).append('\n');
            }
        }
        return out.toString();
    }

    private static boolean declaredJson(String contentType) {
        String base = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return base.equals("application/json") || base.endsWith("+json");
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
