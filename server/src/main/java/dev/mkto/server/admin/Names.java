package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import java.util.regex.Pattern;

/** Checks shared by the admin entities: names, descriptions, e-mail addresses. */
final class Names {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private Names() {
    }

    /** A required display name, stripped; 1–255 characters, no control characters. */
    static String name(String value, String what) {
        if (value == null || value.isBlank()) {
            throw AdminException.invalid(what + " must not be blank");
        }
        String s = value.strip();
        if (s.length() > 255) {
            throw AdminException.invalid(what + " must be at most 255 characters");
        }
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw AdminException.invalid(what + " must not contain control characters");
        }
        return wellFormed(s, what);
    }

    /** An optional description, stripped; at most 2000 characters, line breaks allowed but not NUL (PostgreSQL cannot store it). */
    static String description(String value, String what) {
        if (value == null) {
            return null;
        }
        if (value.length() > 2000) {
            throw AdminException.invalid(what + " must be at most 2000 characters");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw AdminException.invalid(what + " must not contain the NUL character (\\u0000)");
        }
        return wellFormed(value.strip(), what);
    }

    /**
     * Text that is valid Unicode: half a surrogate pair (which JSON's {@code \\ud800} escape can
     * carry) is refused, as PostgreSQL would store it as '?' and H2 as it came.
     */
    private static String wellFormed(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw AdminException.invalid(what + " must be valid Unicode (it holds half of a surrogate pair)");
            }
        }
        return s;
    }

    static String email(String value) {
        if (value == null || value.isBlank()) {
            throw AdminException.invalid("email must not be blank");
        }
        String s = value.strip();
        if (s.length() > 255 || !EMAIL.matcher(s).matches() || s.chars().anyMatch(Character::isISOControl)) {
            throw AdminException.invalid("email '" + Echo.of(s) + "' is not an e-mail address (it need not be deliverable, but must look like name@example.com)");
        }
        return wellFormed(s, "email");
    }

}
