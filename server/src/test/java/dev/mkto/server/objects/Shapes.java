package dev.mkto.server.objects;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.SwaggerSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks object API answers against swagger-mapi.json. Three things the file says that Marketo's
 * answers (and Adobe's own examples) do not do are not held against a response:
 * <ul>
 *   <li>successful Lead Database responses omit {@code warnings} (and {@code errors});</li>
 *   <li>a skipped record has no id ({@code CompanyResponse} and others mark it required);</li>
 *   <li>{@code ObjectMetaData} requires {@code status} (its state is {@code state}) and {@code version},
 *       which only custom object types have.</li>
 * </ul>
 */
final class Shapes {

    private static final Pattern SKIPPED_ID = Pattern.compile("\\$\\.result\\[(\\d+)]: required property '(id|marketoGUID)' is missing");

    private Shapes() {
    }

    static void assertFits(String method, String path, Api.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.success()).as(r.text()).isTrue();
        ObjectNode body = (ObjectNode) r.json().deepCopy();
        if (!body.has("warnings")) {
            body.putArray("warnings");
        }
        List<String> problems = new ArrayList<>();
        for (String p : SwaggerSchema.responseProblems(SharedSpec.json("swagger-mapi.json"), method, path, body)) {
            Matcher m = SKIPPED_ID.matcher(p);
            if (m.matches() && body.path("result").path(Integer.parseInt(m.group(1))).path("status").asString().equals("skipped")) {
                continue;
            }
            if (p.matches("\\$\\.result\\[\\d+]: required property '(status|version)' is missing")) {
                continue;
            }
            problems.add(p);
        }
        assertThat(problems).as("%s %s -> %s", method, path, r.text()).isEmpty();
    }

    /** The reason code of a skipped record. */
    static String reason(JsonNode record) {
        assertThat(record.path("status").asString()).as(record.toString()).isEqualTo("skipped");
        return record.path("reasons").get(0).path("code").asString();
    }
}
