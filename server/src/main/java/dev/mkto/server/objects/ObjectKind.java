package dev.mkto.server.objects;

import dev.mkto.server.access.Permission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A kind of Lead Database object as data: what describe shows, which field identifies a record
 * ({@code idField}), which fields deduplicate it ({@code dedupeFields}, possibly a compound key),
 * which can be queried, its fields and the permissions its endpoints need. Companies,
 * opportunities and the other standard kinds are a fixed catalog ({@link StandardKinds}); each
 * approved custom object type is one more kind. Every kind is served by the same code.
 *
 * @param name             API name: "company", "opportunityRole", or a custom object type's apiName
 * @param storageKey       how its records are marked at rest
 * @param describeName     the {@code name} describe shows ("Company", "opportunity", …)
 * @param path             its endpoints' base path, e.g. {@code /rest/v1/companies}
 * @param describable      whether it has a describe endpoint
 * @param defaultFields    what a query returns when {@code fields} is not given
 * @param actions          the sync actions it accepts; the first is the default
 * @param createdAt        when the kind was defined (null: the instance's creation)
 */
record ObjectKind(String name, String storageKey, String describeName, String displayName, String pluralName,
                         String description, String path, boolean describable, String idField, List<String> dedupeFields,
                         List<List<String>> searchableFields, List<ObjectField> fields, DefaultFields defaultFields,
                         List<Action> actions, Permission read, Permission write, Instant createdAt, Instant updatedAt) {

    /** What a query shows without {@code fields}. */
    enum DefaultFields {
        /** The id field, the dedupe fields, the filter's fields, createdAt and updatedAt. */
        KEYS,
        /** Every field that has a value. */
        ALL
    }

    /** Sync actions. */
    enum Action {
        CREATE_ONLY("createOnly"), UPDATE_ONLY("updateOnly"), CREATE_OR_UPDATE("createOrUpdate");

        private final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        String wire() {
            return wire;
        }

        static Optional<Action> parse(String s) {
            for (Action a : values()) {
                if (a.wire.equals(s)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }

    ObjectKind {
        dedupeFields = List.copyOf(dedupeFields);
        searchableFields = searchableFields.stream().map(List::copyOf).toList();
        fields = List.copyOf(fields);
        actions = List.copyOf(actions);
    }

    /** A field by name, without regard to case (as Marketo matches them). */
    Optional<ObjectField> field(String fieldName) {
        String lc = fieldName.toLowerCase(Locale.ROOT);
        for (ObjectField f : fields) {
            if (f.name().toLowerCase(Locale.ROOT).equals(lc)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    ObjectField idFieldDef() {
        return field(idField).orElseThrow();
    }

    /** Whether records are identified by an integer id (companies, sales persons) rather than a marketoGUID. */
    boolean numericId() {
        return idField.equals("id");
    }

    Action defaultAction() {
        return actions.getFirst();
    }

    List<ObjectField> dedupe() {
        return dedupeFields.stream().map(f -> field(f).orElseThrow()).toList();
    }

    /**
     * The sets of fields whose values are kept in the lookup table, by set name ("a" or "a+b"):
     * every searchable set except the id field (a column), and every link field (so that what
     * points at a record can be found).
     */
    Map<String, List<ObjectField>> indexedSets() {
        Map<String, List<ObjectField>> out = new LinkedHashMap<>();
        for (List<String> set : searchableFields) {
            if (!(set.size() == 1 && set.getFirst().equals(idField))) {
                out.put(String.join("+", set), set.stream().map(f -> field(f).orElseThrow()).toList());
            }
        }
        for (ObjectField f : fields) {
            if (f.link() != null) {
                out.putIfAbsent(f.name(), List.of(f));
            }
        }
        return out;
    }

    /** The searchable set named by a query's {@code filterType}, if it is one. */
    Optional<List<ObjectField>> searchable(String filterType) {
        if (filterType.equals("idField")) {
            return Optional.of(List.of(idFieldDef()));
        }
        if (filterType.equals("dedupeFields")) {
            return Optional.of(dedupe());
        }
        for (List<String> set : searchableFields) {
            if (set.size() == 1 && set.getFirst().equalsIgnoreCase(filterType)) {
                return Optional.of(List.of(field(set.getFirst()).orElseThrow()));
            }
        }
        return Optional.empty();
    }

    /** The fields describe lists and what a query may ask for. */
    List<String> fieldNames() {
        List<String> out = new ArrayList<>();
        fields.forEach(f -> out.add(f.name()));
        return out;
    }
}
