package dev.mkto.server.testing;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Checks JSON values against the schemas of a Swagger 2.0 document (Adobe's {@code swagger-*.json},
 * read with {@link SharedSpec#json}). It understands what those files use: {@code $ref} to
 * {@code #/definitions/…}, {@code type}, {@code required}, {@code properties}, {@code items},
 * {@code enum}, {@code allOf} and the integer formats {@code int32}/{@code int64}. It is
 * deliberately lenient where the files are silent or wrong:
 * <ul>
 *   <li>{@code errors} properties are not checked (success bodies omit them, error bodies are
 *       checked on their own);</li>
 *   <li>a JSON {@code null} is accepted for any type: Swagger 2.0 cannot say "nullable", and
 *       Adobe's own examples send null for required strings (e.g. {@code lockedReason});</li>
 *   <li>properties the schema does not declare are allowed.</li>
 * </ul>
 *
 * <pre>{@code
 * JsonNode spec = SharedSpec.json("swagger-user.json");
 * assertThat(SwaggerSchema.responseProblems(spec, "GET", "/userservice/management/v1/users/a@b.com/user.json", body)).isEmpty();
 * assertThat(SwaggerSchema.problems(spec, "ResponseOfUser", body)).isEmpty();
 * }</pre>
 */
public final class SwaggerSchema {

    private static final String IGNORED = "errors";

    private SwaggerSchema() {
    }

    /** What is wrong with {@code value} as an instance of {@code #/definitions/<definitionName>}; empty when it fits. */
    public static List<String> problems(JsonNode spec, String definitionName, JsonNode value) {
        JsonNode definition = spec.path("definitions").path(definitionName);
        if (definition.isMissingNode()) {
            throw new IllegalArgumentException("no definition '" + definitionName + "' in the document");
        }
        return problemsAgainst(spec, definition, value);
    }

    /** What is wrong with {@code value} as an instance of {@code schema} (which may be a {@code $ref}); empty when it fits. */
    public static List<String> problemsAgainst(JsonNode spec, JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(spec, schema, value, "$", out, 0);
        return out;
    }

    /**
     * The schema of an operation's 200 response: {@code path} is a template exactly as in the
     * document ({@code /rest/v1/lead/{leadId}.json}) or a concrete path that one template matches
     * ({@code /rest/v1/lead/42.json}); a query string is ignored. Empty when the operation declares a 200 without a body;
     * an operation that is not in the document is a mistake in the test and throws.
     */
    public static Optional<JsonNode> responseSchema(JsonNode spec, String method, String path) {
        JsonNode op = operation(spec, method, path);
        JsonNode ok = op.path("responses").path("200");
        if (ok.isMissingNode()) {
            throw new IllegalArgumentException(method + " " + path + " declares no 200 response");
        }
        JsonNode schema = ok.path("schema");
        return schema.isMissingNode() ? Optional.empty() : Optional.of(schema);
    }

    /** What is wrong with {@code body} as the 200 response of an operation (see {@link #responseSchema}). */
    public static List<String> responseProblems(JsonNode spec, String method, String path, JsonNode body) {
        return responseSchema(spec, method, path).map(s -> problemsAgainst(spec, s, body)).orElse(List.of());
    }

    /** The operation object for a method and a path template or concrete path. */
    public static JsonNode operation(JsonNode spec, String method, String path) {
        String m = method.toLowerCase(Locale.ROOT);
        JsonNode paths = spec.path("paths");
        String base = spec.path("basePath").asString("/");
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        String relative = base.equals("/") || !bare.startsWith(base) ? bare : bare.substring(base.length());
        JsonNode exact = paths.path(relative).path(m);
        if (!exact.isMissingNode()) {
            return exact;
        }
        JsonNode found = null;
        int bestLiterals = -1;
        for (Map.Entry<String, JsonNode> e : paths.properties()) {
            JsonNode op = e.getValue().path(m);
            int literals = literalsIfMatches(e.getKey(), relative);
            if (!op.isMissingNode() && literals > bestLiterals) {
                found = op;
                bestLiterals = literals;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no operation " + method + " " + path + " in the document");
        }
        return found;
    }

    // ----- checking -----------------------------------------------------------------------------

    private static void check(JsonNode spec, JsonNode schema, JsonNode value, String at, List<String> out, int depth) {
        if (depth > 64) {
            throw new IllegalStateException("schema nesting too deep at " + at + " (a $ref cycle?)");
        }
        JsonNode s = resolve(spec, schema);
        if (value == null || value.isMissingNode()) {
            out.add(at + ": missing");
            return;
        }
        for (JsonNode part : s.path("allOf")) {
            check(spec, part, value, at, out, depth + 1);
        }
        if (value.isNull()) {
            return;
        }
        String type = s.path("type").asString("");
        if (type.isEmpty() && s.has("properties")) {
            type = "object";
        }
        if (!type.isEmpty() && !hasType(value, type, s.path("format").asString(""))) {
            out.add(at + ": expected " + type + describeFormat(s) + ", got " + describe(value));
            return;
        }
        JsonNode allowed = s.path("enum");
        if (allowed.isArray() && !allowed.isEmpty() && !contains(allowed, value)) {
            out.add(at + ": " + value + " is not one of " + allowed);
        }
        if (value.isObject()) {
            for (JsonNode required : s.path("required")) {
                String name = required.asString();
                if (!name.equals(IGNORED) && !value.has(name)) {
                    out.add(at + ": required property '" + name + "' is missing");
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (!p.getKey().equals(IGNORED) && value.has(p.getKey())) {
                    check(spec, p.getValue(), value.get(p.getKey()), at + "." + p.getKey(), out, depth + 1);
                }
            }
        }
        if (value.isArray() && s.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                check(spec, s.get("items"), item, at + "[" + i++ + "]", out, depth + 1);
            }
        }
    }

    private static JsonNode resolve(JsonNode spec, JsonNode schema) {
        JsonNode s = schema;
        for (int hops = 0; s.has("$ref"); hops++) {
            String ref = s.get("$ref").asString();
            if (hops > 32 || !ref.startsWith("#/")) {
                throw new IllegalArgumentException("cannot resolve $ref " + ref);
            }
            JsonNode target = spec.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalArgumentException("$ref " + ref + " points at nothing");
            }
            s = target;
        }
        return s;
    }

    private static boolean hasType(JsonNode value, String type, String format) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "boolean" -> value.isBoolean();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber()
                    && (!format.equals("int32") || value.canConvertToInt())
                    && (!format.equals("int64") || value.canConvertToLong());
            case "file" -> true;
            default -> throw new IllegalArgumentException("unknown swagger type '" + type + "'");
        };
    }

    private static String describeFormat(JsonNode s) {
        String format = s.path("format").asString("");
        return format.equals("int32") || format.equals("int64") ? " (" + format + ")" : "";
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        return value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + shown;
    }

    private static boolean contains(JsonNode allowed, JsonNode value) {
        for (JsonNode a : allowed) {
            if (a.equals(value) || (a.isString() && value.isString() && a.asString().equals(value.asString()))) {
                return true;
            }
        }
        return false;
    }

    /** How many literal segments {@code template} shares with {@code path} if it matches it, else -1. */
    private static int literalsIfMatches(String template, String path) {
        String[] t = template.split("/", -1);
        String[] p = path.split("/", -1);
        if (t.length != p.length) {
            return -1;
        }
        int literals = 0;
        for (int i = 0; i < t.length; i++) {
            int open = t[i].indexOf('{');
            if (open < 0) {
                if (!t[i].equals(p[i])) {
                    return -1;
                }
                literals++;
                continue;
            }
            String prefix = t[i].substring(0, open);
            String suffix = t[i].substring(t[i].indexOf('}', open) + 1);
            if (p[i].length() <= prefix.length() + suffix.length() || !p[i].startsWith(prefix) || !p[i].endsWith(suffix)) {
                return -1;
            }
        }
        return literals;
    }
}
