package dev.mkto.cli.perms;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The least privilege for a set of calls: the smallest set of permissions that admits every one.
 * Each endpoint names the permissions that satisfy it; the plan takes the ones that are the only
 * choice, then for endpoints with alternatives prefers one already taken (or satisfied), else the
 * alternative that serves the most endpoints; finally any permission the others make redundant is
 * dropped (a Read-Only one when the Read-Write one of the same object is needed anyway).
 */
public final class Planner {

    /** A call to plan for, as given (one line of input, or one endpoint of a usage log). */
    public record Call(String method, String path, long count) {
    }

    /** What a permission of the plan is needed for. */
    public record Grant(Permission permission, List<String> endpoints) {
    }

    /**
     * The plan.
     *
     * @param grants       the permissions to give the role, each with the endpoints that need it
     * @param noPermission endpoints called that need no permission
     * @param unknown      calls that match no endpoint in the table
     */
    public record Plan(List<Grant> grants, List<String> noPermission, List<String> unknown) {
        public List<Permission> permissions() {
            return grants.stream().map(Grant::permission).toList();
        }
    }

    private final EndpointTable table;

    public Planner(EndpointTable table) {
        this.table = table;
    }

    public Plan plan(List<Call> calls) {
        Map<String, EndpointTable.Endpoint> needed = new LinkedHashMap<>();
        Set<String> none = new TreeSet<>();
        Set<String> unknown = new LinkedHashSet<>();
        for (Call c : calls) {
            var e = table.find(c.method(), c.path());
            if (e.isEmpty()) {
                unknown.add(c.method().toUpperCase(java.util.Locale.ROOT) + " " + c.path());
            } else if (e.get().anyOf().isEmpty()) {
                none.add(e.get().key());
            } else {
                needed.putIfAbsent(e.get().key(), e.get());
            }
        }
        Set<Permission> chosen = new TreeSet<>();
        needed.values().stream().filter(e -> e.anyOf().size() == 1).forEach(e -> chosen.add(e.anyOf().get(0)));
        for (EndpointTable.Endpoint e : needed.values()) {
            if (e.admittedBy(chosen)) {
                continue;
            }
            Permission best = e.anyOf().stream()
                    .max(Comparator.comparingLong((Permission p) -> needed.values().stream()
                                    .filter(o -> !o.admittedBy(chosen) && o.admittedBy(List.of(p))).count())
                            .thenComparing(p -> -e.anyOf().indexOf(p)))
                    .orElseThrow();
            chosen.add(best);
        }
        for (Permission p : new ArrayList<>(chosen)) {
            Set<Permission> without = new TreeSet<>(chosen);
            without.remove(p);
            if (needed.values().stream().allMatch(e -> e.admittedBy(without))) {
                chosen.remove(p);
            }
        }
        List<Grant> grants = new ArrayList<>();
        for (Permission p : chosen) {
            List<String> uses = needed.values().stream()
                    .filter(e -> e.anyOf().stream().anyMatch(p::satisfies))
                    .map(EndpointTable.Endpoint::key).sorted().toList();
            grants.add(new Grant(p, uses));
        }
        return new Plan(List.copyOf(grants), List.copyOf(none), List.copyOf(unknown));
    }
}
