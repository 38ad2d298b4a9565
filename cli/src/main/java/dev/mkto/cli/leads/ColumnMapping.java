package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.client.Leads;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which lead field each CSV column fills. A column maps to the field named by {@code --map
 * COLUMN=FIELD}, else to the field whose REST name or display name matches its header (case,
 * spaces, '-' and '_' ignored: "First Name" and "first_name" both fill {@code firstName}), unless
 * it is ignored with {@code --ignore}. Every problem is reported at once, before a row is sent.
 */
final class ColumnMapping {

    private final List<@Nullable String> targets;

    private ColumnMapping(List<@Nullable String> targets) {
        this.targets = targets;
    }

    /** The field of column {@code i}, or null when the column is ignored. */
    @Nullable String field(int i) {
        return targets.get(i);
    }

    int columns() {
        return targets.size();
    }

    int indexOf(String field) {
        return targets.indexOf(field);
    }

    /** Column → field, in column order (ignored columns left out): the options a resume must repeat. */
    Map<String, String> describe(List<String> header) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            if (targets.get(i) != null) {
                m.put(header.get(i), targets.get(i));
            }
        }
        return m;
    }

    static ColumnMapping of(List<String> header, List<Leads.Field> fields, Map<String, String> explicit, Set<String> ignored,
                            String lookupField) {
        Map<String, Leads.Field> byKey = new HashMap<>();
        Map<String, Leads.Field> byName = new HashMap<>();
        for (Leads.Field f : fields) {
            byName.put(f.name(), f);
            byKey.putIfAbsent(key(f.name()), f);
        }
        for (Leads.Field f : fields) {
            byKey.putIfAbsent(key(f.displayName()), f);
        }
        List<String> problems = new ArrayList<>();
        Set<String> seenColumns = new HashSet<>();
        for (String column : header) {
            if (!seenColumns.add(column)) {
                problems.add("the header names the column '" + column + "' twice");
            }
        }
        for (String column : explicit.keySet()) {
            if (!header.contains(column)) {
                problems.add("--map names the column '" + column + "', which the header does not have (columns: " + String.join(", ", header) + ")");
            }
        }
        for (String column : ignored) {
            if (!header.contains(column)) {
                problems.add("--ignore names the column '" + column + "', which the header does not have");
            }
        }
        List<@Nullable String> targets = new ArrayList<>();
        Map<String, String> takenBy = new HashMap<>();
        for (String column : header) {
            if (ignored.contains(column)) {
                targets.add(null);
                continue;
            }
            String wanted = explicit.get(column);
            Leads.Field f = wanted != null ? byName.getOrDefault(wanted, byKey.get(key(wanted))) : byKey.get(key(column));
            if (f == null) {
                String closest = closest(wanted != null ? wanted : column, fields);
                problems.add(wanted != null
                        ? "--map " + column + "=" + wanted + ": there is no lead field '" + wanted + "'" + (closest == null ? "" : " (did you mean " + closest + "?)")
                        : "the column '" + column + "' matches no lead field" + (closest == null ? "" : " (did you mean " + closest + "?)")
                                + ": map it with --map '" + column + "=FIELD' or skip it with --ignore '" + column + "'");
                targets.add(null);
                continue;
            }
            if (f.readOnly() || f.name().equals("id")) {
                problems.add("the column '" + column + "' maps to the lead field '" + f.name() + "', which cannot be written; skip it with --ignore '"
                        + column + "'");
            }
            String other = takenBy.putIfAbsent(f.name(), column);
            if (other != null) {
                problems.add("the columns '" + other + "' and '" + column + "' both map to the lead field '" + f.name() + "'");
            }
            targets.add(f.name());
        }
        if (!targets.contains(lookupField) && problems.isEmpty()) {
            problems.add("no column fills the lookup field '" + lookupField + "', which matches rows to leads; map one with --map COLUMN="
                    + lookupField + " or choose another with --lookup-field");
        }
        if (!problems.isEmpty()) {
            throw CliException.usage("the CSV header cannot be imported as it is (nothing was sent):\n  " + String.join("\n  ", problems));
        }
        return new ColumnMapping(targets);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-.]", "");
    }

    private static @Nullable String closest(String name, List<Leads.Field> fields) {
        String k = key(name);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Leads.Field f : fields) {
            int d = distance(k, key(f.name()));
            if (d < bestDistance) {
                bestDistance = d;
                best = f.name();
            }
        }
        return bestDistance <= Math.max(1, k.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
