package dev.mkto.cli.perms;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An API permission of Marketo's "Access API" tree, by canonical name, and what it satisfies: a
 * Read-Write permission satisfies the Read-Only permission of the same object, and "Access API"
 * satisfies every one. Marketo's other spellings are accepted on input.
 *
 * @param name the canonical name, e.g. {@code Read-Only Lead}
 */
public record Permission(String name) implements Comparable<Permission> {

    static final Permission ACCESS_API = new Permission("Access API");

    /** The canonical names. */
    public static final List<String> NAMES = List.of("Access API",
            "Read-Only Activity", "Read-Write Activity", "Read-Only Activity Metadata", "Read-Write Activity Metadata",
            "Read-Only Assets", "Read-Write Assets", "Approve Assets",
            "Read-Only Campaign", "Read-Write Campaign", "Execute Campaign", "Activate Campaign", "Deactivate Campaign",
            "Read-Only Company", "Read-Write Company", "Read-Only Custom Object", "Read-Write Custom Object",
            "Read-Only Custom Object Type", "Read-Write Custom Object Type", "Read-Only Lead", "Read-Write Lead",
            "Read-Only Named Account", "Read-Write Named Account", "Read-Only Named Account List", "Read-Write Named Account List",
            "Read-Only Opportunity", "Read-Write Opportunity", "Read-Only Sales Person", "Read-Write Sales Person",
            "Read-Only Redirect Rules", "Read-Write Redirect Rules", "Read-Write Schema Standard Field", "Read-Write Schema Custom Field",
            "Access User Management Api");

    private static final Map<String, String> ALIASES = Map.of(
            "read-only person", "Read-Only Lead", "read-write person", "Read-Write Lead",
            "read-only campaigns", "Read-Only Campaign", "read-write campaigns", "Read-Write Campaign",
            "read-only asset", "Read-Only Assets", "read-write asset", "Read-Write Assets");

    /** A canonical name or alias, any case. */
    public static Optional<Permission> parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        String alias = ALIASES.get(t);
        if (alias != null) {
            return Optional.of(new Permission(alias));
        }
        return NAMES.stream().filter(n -> n.toLowerCase(Locale.ROOT).equals(t)).findFirst().map(Permission::new);
    }

    /** Whether holding this permission admits an endpoint that needs {@code required}. */
    public boolean satisfies(Permission required) {
        if (equals(required) || equals(ACCESS_API)) {
            return true;
        }
        return name.startsWith("Read-Write ") && required.name.equals("Read-Only " + name.substring("Read-Write ".length()));
    }

    /** The Read-Only permission a Read-Write one includes, if any. */
    Optional<Permission> readOnly() {
        String object = name.startsWith("Read-Write ") ? name.substring("Read-Write ".length()) : null;
        return object != null && NAMES.contains("Read-Only " + object) ? Optional.of(new Permission("Read-Only " + object)) : Optional.empty();
    }

    /** Read-Only before Read-Write, then by name: the order a plan is printed in. */
    @Override
    public int compareTo(Permission o) {
        return Integer.compare(NAMES.indexOf(name), NAMES.indexOf(o.name));
    }

    @Override
    public String toString() {
        return name;
    }
}
