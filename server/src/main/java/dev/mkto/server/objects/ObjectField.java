package dev.mkto.server.objects;

import dev.mkto.server.leads.FieldType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * One field of an object kind.
 *
 * @param type       the type of its values (a link field has the type of the field it points at)
 * @param system     set by the server only (ids, timestamps); a caller never writes it
 * @param updateable whether sync may change it once the record exists (dedupe keys are set on creation only)
 * @param required   a record cannot be created without a value for it
 * @param initial    the value a new record starts with (for system fields), or null
 * @param link       the record this field points at, or null
 */
record ObjectField(String name, String displayName, String description, FieldType type, Integer length, boolean system,
                   boolean updateable, boolean required, Object initial, Link link) {

    /** What a link field points at: {@code field} of a record of kind {@code target} ("lead" is a lead). */
    record Link(String target, String field, Missing missing, boolean blocksDelete) {
    }

    /** What sync does when a link points at nothing. */
    enum Missing {
        /** Nothing: the link is informational. */
        IGNORE,
        /** The record is skipped (1004 for a lead, 1013 otherwise). */
        SKIP_RECORD,
        /** The whole call fails (Sync Opportunities' 718 for a sales person). */
        FAIL_REQUEST
    }

    static ObjectField of(String name, String displayName, FieldType type, Integer length) {
        return new ObjectField(name, displayName, null, type, length, false, true, false, null, null);
    }

    /** Set by the server, read-only to callers. */
    ObjectField serverSet() {
        return new ObjectField(name, displayName, description, type, length, true, false, false, initial, link);
    }

    ObjectField serverSet(Object initialValue) {
        return new ObjectField(name, displayName, description, type, length, true, false, false, initialValue, link);
    }

    /** Written when a record is created, never changed after. */
    ObjectField createOnly() {
        return new ObjectField(name, displayName, description, type, length, false, false, required, initial, link);
    }

    ObjectField mandatory() {
        return new ObjectField(name, displayName, description, type, length, system, updateable, true, initial, link);
    }

    ObjectField linkedTo(String target, String field, Missing missing, boolean blocksDelete) {
        return new ObjectField(name, displayName, description, type, length, system, updateable, required, initial,
                new Link(target, field, missing, blocksDelete));
    }

    ObjectField describedAs(String text) {
        return new ObjectField(name, displayName, text, type, length, system, updateable, required, initial, link);
    }

    // ----- lookup keys -------------------------------------------------------------------------

    private static final int MAX_KEY = 255;

    /**
     * The normalised form of a value that lookups compare: text without regard to case (as
     * Marketo matches external ids and names), numbers by value, datetimes as instants.
     */
    String key(Object value) {
        String s;
        if (value instanceof Instant i) {
            s = i.toString();
        } else if (value instanceof Double d) {
            s = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        } else if (value instanceof String text && type.textual()) {
            s = text.toLowerCase(Locale.ROOT);
        } else {
            s = String.valueOf(value);
        }
        return fit(s);
    }

    /** The key of a compound set of fields: its members' keys joined. */
    static String compound(List<String> keys) {
        return keys.size() == 1 ? keys.getFirst() : fit(String.join("\u001f", keys));
    }

    /** Keys longer than a column holds are replaced by their digest, so that they still compare exactly. */
    private static String fit(String s) {
        if (s.length() <= MAX_KEY - 1 && !s.startsWith("#")) {
            return s;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
