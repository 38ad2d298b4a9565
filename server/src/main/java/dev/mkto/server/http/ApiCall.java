package dev.mkto.server.http;

import dev.mkto.server.access.Caller;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One authenticated API request as a handler sees it: path variables, parameters (query string,
 * plus a form body sent with {@code _method=GET}), the body, and the {@link Caller}. Accessors
 * turn bad input into the Marketo code that fits.
 */
public final class ApiCall {

    private final String requestId;
    private final Map<String, String> pathVars;
    private final Map<String, List<String>> params;
    private final byte[] body;
    private final String contentType;
    private final Caller caller;
    private final String range;
    private JsonNode json;

    public ApiCall(String requestId, Map<String, String> pathVars, Map<String, List<String>> params,
                   byte[] body, String contentType, Caller caller, String range) {
        this.requestId = requestId;
        this.pathVars = pathVars;
        this.params = params;
        this.body = body;
        this.contentType = contentType;
        this.caller = caller;
        this.range = range;
    }

    /** The {@code Range} header, if any (bulk extract files). */
    public Optional<String> range() {
        return Optional.ofNullable(range);
    }

    public String requestId() {
        return requestId;
    }

    public Caller caller() {
        return caller;
    }

    public String pathVar(String name) {
        String v = pathVars.get(name);
        if (v == null) {
            throw new IllegalStateException("no path variable " + name);
        }
        return v;
    }

    /** A numeric path variable; anything else names no resource (610). */
    public long pathId(String name) {
        String v = pathVar(name);
        try {
            long id = Long.parseLong(v);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw MarketoException.of(ErrorCode.NOT_FOUND);
    }

    /** A parameter; repeated parameters are joined with commas, as lists are sent either way. */
    public Optional<String> param(String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        String joined = values.size() == 1 ? values.getFirst() : String.join(",", values);
        return joined.isBlank() ? Optional.empty() : Optional.of(joined.strip());
    }

    /** A required parameter: blank or absent is 701. */
    public String requiredParam(String name) {
        return param(name).orElseThrow(() -> MarketoException.of(ErrorCode.BLANK, name));
    }

    /** A comma-separated list parameter, trimmed, empty items dropped. */
    public List<String> listParam(String name) {
        List<String> out = new ArrayList<>();
        param(name).ifPresent(v -> {
            for (String item : v.split(",")) {
                String s = item.strip();
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        });
        return out;
    }

    /** An integer parameter within [min, max]; otherwise 1003 naming it. */
    public int intParam(String name, int defaultValue, int min, int max) {
        Optional<String> v = param(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new MarketoException(ErrorCode.INVALID_DATA,
                "Invalid value for '" + name + "': must be an integer from " + min + " to " + max);
    }

    public boolean hasBody() {
        return body.length > 0;
    }

    /**
     * The body as JSON. A body must be declared {@code application/json} (612) and parse as
     * JSON (609); an empty one is 609 too.
     */
    public JsonNode json() {
        if (json == null) {
            if (body.length > 0 && !isJsonContentType(contentType)) {
                throw MarketoException.of(ErrorCode.INVALID_CONTENT_TYPE);
            }
            json = Json.parse(body);
        }
        return json;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    static boolean isJsonContentType(String contentType) {
        if (contentType == null) {
            return false;
        }
        String base = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        return base.equals("application/json") || base.endsWith("+json");
    }
}
