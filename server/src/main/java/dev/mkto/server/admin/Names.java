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
        return s;
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
        return value.strip();
    }

    static String email(String value) {
        if (value == null || value.isBlank()) {
            throw AdminException.invalid("email must not be blank");
        }
        String s = value.strip();
        if (s.length() > 255 || !EMAIL.matcher(s).matches() || s.chars().anyMatch(Character::isISOControl)) {
            throw AdminException.invalid("email '" + Echo.of(s) + "' is not an e-mail address (it need not be deliverable, but must look like name@example.com)");
        }
        return s;
    }

}
