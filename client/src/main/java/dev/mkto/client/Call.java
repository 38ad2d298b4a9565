package dev.mkto.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One REST request as the typed APIs describe it: method, path below the base URL, query, JSON
 * body, and whether repeating it after an ambiguous failure (604, 608, 611, 713, a reset
 * connection) is safe.
 */
record Call(String method, String path, List<Map.Entry<String, String>> query, @Nullable String jsonBody, boolean safe,
            @Nullable Duration timeout) {

    Call {
        query = List.copyOf(query);
    }

    static Call get(String path) {
        return new Call("GET", path, List.of(), null, true, null);
    }

    static Call post(String path, @Nullable Object body, boolean safe) {
        return new Call("POST", path, List.of(), body == null ? null : body instanceof String s ? s : Json.write(body), safe, null);
    }

    Call param(String name, @Nullable Object value) {
        if (value == null) {
            return this;
        }
        String text = value instanceof Collection<?> c ? c.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(value);
        List<Map.Entry<String, String>> q = new ArrayList<>(query);
        q.add(Map.entry(name, text));
        return new Call(method, path, q, jsonBody, safe, timeout);
    }

    Call timeout(Duration t) {
        return new Call(method, path, query, jsonBody, safe, t);
    }

    String encodedQuery() {
        return query.stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
