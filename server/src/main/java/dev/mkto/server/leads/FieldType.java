package dev.mkto.server.leads;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Marketo's lead field data types: how a JSON value is checked and converted on the way in, how a
 * stored value is written out, and how it sits in a column or as text. A value that does not fit
 * its type is refused (record-level 1001); null and "" clear a field.
 */
public enum FieldType {
    STRING("string"), TEXT("text"), EMAIL("email"), PHONE("phone"), URL("url"),
    INTEGER("integer"), FLOAT("float"), CURRENCY("currency"), BOOLEAN("boolean"),
    DATE("date"), DATETIME("datetime");

    private final String marketoName;

    FieldType(String marketoName) {
        this.marketoName = marketoName;
    }

    /** The name describe shows and admins use, e.g. "string". */
    public String marketoName() {
        return marketoName;
    }

    public static Optional<FieldType> parse(String name) {
        for (FieldType t : values()) {
            if (t.marketoName.equalsIgnoreCase(name.strip())) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether leads can be looked up and filtered by fields of this type (Marketo: string, email, integer). */
    public boolean searchable() {
        return this == STRING || this == EMAIL || this == INTEGER;
    }

    public boolean textual() {
        return this == STRING || this == TEXT || this == EMAIL || this == PHONE || this == URL;
    }

    /** Thrown when a value does not fit; carries the value as sent for the 1001 message. */
    public static final class Invalid extends RuntimeException {
        private final String value;

        Invalid(String value) {
            super(null, null, false, false);
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /**
     * Converts a JSON value: String for text types and dates, Long for integers, Double for
     * decimals, Boolean, Instant for datetimes; null for null or "". {@code maxLength} applies to text.
     */
    public Object fromJson(JsonNode node, Integer maxLength) {
        if (node == null || node.isNull() || (node.isString() && node.asString().isEmpty())) {
            return null;
        }
        if (node.isContainer()) {
            throw new Invalid(node.toString());
        }
        String raw = node.isString() ? node.asString() : node.toString();
        return fromText(raw, node, maxLength);
    }

    /**
     * Whether text can be stored as it is, on every backend alike: no NUL (PostgreSQL text cannot
     * hold it) and no half of a surrogate pair (PostgreSQL would store '?', which then matches,
     * and dedupes with, a real "?"; an export would write '?').
     */
    public static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /**
     * Whether an instant is one Marketo's ISO-8601 dates can name: years 0001 to 9999 (UTC), as a
     * date field holds. Beyond them ISO-8601 needs a sign and more digits ({@code +99999-01-01}),
     * which most clients cannot read back.
     */
    public static boolean datable(Instant at) {
        return !at.isBefore(EARLIEST) && !at.isAfter(LATEST);
    }

    /** Converts text as sent in a filter value or stored for a custom field. */
    public Object fromText(String raw, JsonNode node, Integer maxLength) {
        switch (this) {
            case STRING, TEXT, PHONE, URL -> {
                if ((maxLength != null && raw.length() > maxLength) || !storable(raw)) {
                    throw new Invalid(raw);
                }
                return raw;
            }
            case EMAIL -> {
                String s = raw.strip();
                int at = s.indexOf('@');
                if (s.length() > 255 || at <= 0 || at != s.lastIndexOf('@') || at == s.length() - 1
                        || s.chars().anyMatch(c -> c > 126 || c <= 32)) {
                    throw new Invalid(raw);
                }
                return s;
            }
            case INTEGER -> {
                try {
                    if (node != null && node.isNumber() && !node.isIntegralNumber()) {
                        throw new Invalid(raw);
                    }
                    long v = Long.parseLong(raw.strip());
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw new Invalid(raw);
                    }
                    return v;
                } catch (NumberFormatException e) {
                    throw new Invalid(raw);
                }
            }
            case FLOAT, CURRENCY -> {
                try {
                    double d = Double.parseDouble(raw.strip());
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        throw new Invalid(raw);
                    }
                    return d;
                } catch (NumberFormatException e) {
                    throw new Invalid(raw);
                }
            }
            case BOOLEAN -> {
                String s = raw.strip().toLowerCase(Locale.ROOT);
                return switch (s) {
                    case "true", "1", "yes" -> Boolean.TRUE;
                    case "false", "0", "no" -> Boolean.FALSE;
                    default -> throw new Invalid(raw);
                };
            }
            case DATE -> {
                try {
                    LocalDate date = LocalDate.parse(raw.strip());
                    // Marketo dates are yyyy-MM-dd; a year outside 0001-9999 (e.g. "+999999999-12-31") has no such form
                    if (date.getYear() < 1 || date.getYear() > 9999) {
                        throw new Invalid(raw);
                    }
                    return date.toString();
                } catch (DateTimeParseException e) {
                    throw new Invalid(raw);
                }
            }
            case DATETIME -> {
                String s = raw.strip();
                Instant at;
                try {
                    at = OffsetDateTime.parse(s).toInstant().truncatedTo(ChronoUnit.SECONDS);
                } catch (DateTimeParseException e) {
                    try {
                        at = LocalDate.parse(s).atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
                    } catch (DateTimeParseException e2) {
                        throw new Invalid(raw);
                    }
                }
                if (!datable(at)) {
                    throw new Invalid(raw);
                }
                return at;
            }
        }
        throw new AssertionError(this);
    }

    /** The value as the API writes it: datetimes as ISO-8601 UTC with seconds. */
    public Object toJson(Object value) {
        if (value instanceof Instant i) {
            return i.truncatedTo(ChronoUnit.SECONDS).toString();
        }
        if (this == INTEGER && value instanceof Long l) {
            return l.intValue();
        }
        return value;
    }

    /** The value as custom-field text. */
    public String toText(Object value) {
        if (value instanceof Instant i) {
            return i.toString();
        }
        return String.valueOf(value);
    }

    /** Lower-cased lookup key of a searchable custom value, or null. */
    public String lookupKey(Object value) {
        if (value == null || !searchable()) {
            return null;
        }
        String s = toText(value).toLowerCase(Locale.ROOT);
        return s.length() > 255 ? s.substring(0, 255) : s;
    }
}
