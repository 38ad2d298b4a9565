package dev.mkto.server.access;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The API permissions a role can hold: Marketo's "Access API" tree. Names are canonical; the
 * aliases Marketo's own documents use are accepted on input. A Read-Write permission satisfies an
 * endpoint that needs the Read-Only permission of the same object, and the parent "Access API"
 * satisfies every one. No other permission (admin, marketing) grants API access, so none exists here.
 */
public enum Permission {
    ACCESS_API("Access API", null, Level.PARENT),
    APPROVE_ASSETS("Approve Assets", "Assets", Level.OTHER),
    EXECUTE_CAMPAIGN("Execute Campaign", "Campaign", Level.OTHER),
    ACTIVATE_CAMPAIGN("Activate Campaign", "Campaign", Level.OTHER),
    DEACTIVATE_CAMPAIGN("Deactivate Campaign", "Campaign", Level.OTHER),
    READ_ONLY_ACTIVITY("Read-Only Activity", "Activity", Level.READ_ONLY),
    READ_WRITE_ACTIVITY("Read-Write Activity", "Activity", Level.READ_WRITE),
    READ_ONLY_ACTIVITY_METADATA("Read-Only Activity Metadata", "Activity Metadata", Level.READ_ONLY),
    READ_WRITE_ACTIVITY_METADATA("Read-Write Activity Metadata", "Activity Metadata", Level.READ_WRITE),
    READ_ONLY_ASSETS("Read-Only Assets", "Assets", Level.READ_ONLY),
    READ_WRITE_ASSETS("Read-Write Assets", "Assets", Level.READ_WRITE),
    READ_ONLY_CAMPAIGN("Read-Only Campaign", "Campaign", Level.READ_ONLY),
    READ_WRITE_CAMPAIGN("Read-Write Campaign", "Campaign", Level.READ_WRITE),
    READ_ONLY_COMPANY("Read-Only Company", "Company", Level.READ_ONLY),
    READ_WRITE_COMPANY("Read-Write Company", "Company", Level.READ_WRITE),
    READ_ONLY_CUSTOM_OBJECT("Read-Only Custom Object", "Custom Object", Level.READ_ONLY),
    READ_WRITE_CUSTOM_OBJECT("Read-Write Custom Object", "Custom Object", Level.READ_WRITE),
    READ_ONLY_CUSTOM_OBJECT_TYPE("Read-Only Custom Object Type", "Custom Object Type", Level.READ_ONLY),
    READ_WRITE_CUSTOM_OBJECT_TYPE("Read-Write Custom Object Type", "Custom Object Type", Level.READ_WRITE),
    READ_ONLY_LEAD("Read-Only Lead", "Lead", Level.READ_ONLY),
    READ_WRITE_LEAD("Read-Write Lead", "Lead", Level.READ_WRITE),
    READ_ONLY_NAMED_ACCOUNT("Read-Only Named Account", "Named Account", Level.READ_ONLY),
    READ_WRITE_NAMED_ACCOUNT("Read-Write Named Account", "Named Account", Level.READ_WRITE),
    READ_ONLY_NAMED_ACCOUNT_LIST("Read-Only Named Account List", "Named Account List", Level.READ_ONLY),
    READ_WRITE_NAMED_ACCOUNT_LIST("Read-Write Named Account List", "Named Account List", Level.READ_WRITE),
    READ_ONLY_OPPORTUNITY("Read-Only Opportunity", "Opportunity", Level.READ_ONLY),
    READ_WRITE_OPPORTUNITY("Read-Write Opportunity", "Opportunity", Level.READ_WRITE),
    READ_ONLY_SALES_PERSON("Read-Only Sales Person", "Sales Person", Level.READ_ONLY),
    READ_WRITE_SALES_PERSON("Read-Write Sales Person", "Sales Person", Level.READ_WRITE),
    READ_ONLY_REDIRECT_RULES("Read-Only Redirect Rules", "Redirect Rules", Level.READ_ONLY),
    READ_WRITE_REDIRECT_RULES("Read-Write Redirect Rules", "Redirect Rules", Level.READ_WRITE),
    READ_WRITE_SCHEMA_STANDARD_FIELD("Read-Write Schema Standard Field", "Schema Standard Field", Level.READ_WRITE),
    READ_WRITE_SCHEMA_CUSTOM_FIELD("Read-Write Schema Custom Field", "Schema Custom Field", Level.READ_WRITE),
    ACCESS_USER_MANAGEMENT_API("Access User Management Api", null, Level.OTHER);

    enum Level { PARENT, READ_ONLY, READ_WRITE, OTHER }

    private static final Map<String, Permission> BY_NAME = new HashMap<>();
    private static final Map<String, String> ALIASES = Map.of(
            "read-only person", "Read-Only Lead",
            "read-write person", "Read-Write Lead",
            "read-only campaigns", "Read-Only Campaign",
            "read-write campaigns", "Read-Write Campaign",
            "read-only asset", "Read-Only Assets",
            "read-write asset", "Read-Write Assets");

    static {
        for (Permission p : values()) {
            BY_NAME.put(p.label.toLowerCase(Locale.ROOT), p);
        }
        ALIASES.forEach((alias, canonical) -> BY_NAME.put(alias, BY_NAME.get(canonical.toLowerCase(Locale.ROOT))));
    }

    private final String label;
    private final String object;
    private final Level level;

    Permission(String label, String object, Level level) {
        this.label = label;
        this.object = object;
        this.level = level;
    }

    /** The canonical name, e.g. "Read-Only Lead". */
    public String label() {
        return label;
    }

    /** A canonical name or documented alias, any case, surrounding spaces ignored. */
    public static Optional<Permission> parse(String name) {
        return Optional.ofNullable(BY_NAME.get(name.strip().toLowerCase(Locale.ROOT)));
    }

    /** The aliases accepted for this permission besides its canonical name. */
    public List<String> aliases() {
        return ALIASES.entrySet().stream()
                .filter(e -> e.getValue().equals(label))
                .map(e -> titleCase(e.getKey()))
                .sorted()
                .toList();
    }

    /** Whether holding this permission satisfies an endpoint that needs {@code required}. */
    public boolean satisfies(Permission required) {
        if (this == required || this == ACCESS_API) {
            return true;
        }
        return level == Level.READ_WRITE && required.level == Level.READ_ONLY && object.equals(required.object);
    }

    /** Every canonical name, for error messages and the admin catalog. */
    public static List<String> labels() {
        return Arrays.stream(values()).map(Permission::label).toList();
    }

    private static String titleCase(String alias) {
        StringBuilder sb = new StringBuilder();
        boolean up = true;
        for (char c : alias.toCharArray()) {
            sb.append(up ? Character.toUpperCase(c) : c);
            up = c == ' ' || c == '-';
        }
        return sb.toString();
    }
}
