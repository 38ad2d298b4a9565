package dev.mkto.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A lead as Marketo returned it: its fields by REST name ({@code id}, {@code email},
 * {@code firstName}, …, and custom fields). Fields Marketo did not return are absent, and mean
 * null. Values are plain Java: {@code String}, {@code Long}, {@code Double}, {@code Boolean}.
 *
 * @param fields the fields, in Marketo's order
 */
public record Lead(Map<String, @Nullable Object> fields) {

    public Lead {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The lead's id (0 if Marketo did not return one). */
    public long id() {
        Object v = fields.get("id");
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return v == null ? 0 : Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A field's value, if Marketo returned one. */
    public Optional<Object> get(String field) {
        return Optional.ofNullable(fields.get(field));
    }

    /** A field's value as text, if Marketo returned one. */
    public Optional<String> string(String field) {
        return get(field).map(Object::toString);
    }
}
