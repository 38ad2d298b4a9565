package dev.mkto.server.admin;

import dev.mkto.server.access.EndpointPolicy;
import dev.mkto.server.access.Permission;
import dev.mkto.server.usage.Usage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The least-privilege report of an API user: which permissions its roles grant that none of its
 * calls of the last days needed, which it used only for their Read-Only part, and which
 * permissions its recent {@code 603 Access denied} answers asked for. What an endpoint needs comes
 * from {@link EndpointPolicy}, what was called from the usage statistics (calls per user and
 * endpoint, 603s per custom service and endpoint).
 */
public final class LeastPrivilege {

    /** Where a granted permission comes from: a role held in a workspace. */
    public record Grant(String role, String workspace) {
    }

    /**
     * A permission the user holds: from which roles, how many calls it let through, on which
     * endpoints, and — when it was used only to satisfy weaker permissions — which those were.
     */
    public record Granted(String permission, List<Grant> grantedBy, boolean used, long calls, List<String> endpoints,
                          List<String> neededInstead) {
    }

    /**
     * An endpoint answered 603 for the user's services: how often, the permissions that would
     * satisfy it, and whether the user holds one now (then the refusal came from the IP allowlist,
     * or the permission was granted since).
     */
    public record Denied(String endpoint, long count, String lastDate, List<String> permissions, boolean holdsOneNow) {
    }

    /** The report; {@code unused} and {@code narrower} are the suggestions, {@code missing} what 603s asked for. */
    public record Report(long userId, String email, int days, String since, List<Granted> granted, List<String> unused,
                         Map<String, List<String>> narrower, List<Denied> denied, List<String> missing) {
    }

    private final Users users;
    private final Roles roles;
    private final CustomServices services;
    private final Usage usage;

    public LeastPrivilege(Users users, Roles roles, CustomServices services, Usage usage) {
        this.users = users;
        this.roles = roles;
        this.services = services;
        this.usage = usage;
    }

    /** The report of user {@code userId} over the last {@code days} days (today included). */
    public Report report(long instance, long userId, int days) {
        Users.User user = users.get(instance, userId);
        Map<Permission, List<Grant>> granted = grants(instance, user);
        List<Usage.CallRow> calls = usage.callRows(instance, days).stream()
                .filter(c -> c.userEmail() != null && c.userEmail().equalsIgnoreCase(user.email()))
                .toList();

        Map<Permission, Long> callsBy = new EnumMap<>(Permission.class);
        Map<Permission, Set<String>> endpointsBy = new EnumMap<>(Permission.class);
        Map<Permission, Set<Permission>> satisfiedBy = new EnumMap<>(Permission.class);
        for (Usage.CallRow c : calls) {
            Set<Permission> anyOf = required(c.endpoint()).orElse(Set.of());
            narrowest(granted.keySet(), anyOf).ifPresent(pair -> {
                Permission held = pair.getKey();
                callsBy.merge(held, c.calls(), Long::sum);
                endpointsBy.computeIfAbsent(held, k -> new TreeSet<>()).add(c.endpoint());
                satisfiedBy.computeIfAbsent(held, k -> EnumSet.noneOf(Permission.class)).add(pair.getValue());
            });
        }

        List<Granted> rows = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        Map<String, List<String>> narrower = new LinkedHashMap<>();
        for (Map.Entry<Permission, List<Grant>> g : granted.entrySet()) {
            Permission p = g.getKey();
            Set<Permission> needed = satisfiedBy.getOrDefault(p, Set.of());
            List<String> instead = needed.contains(p) ? List.of() : needed.stream().map(Permission::label).toList();
            boolean used = !needed.isEmpty();
            rows.add(new Granted(p.label(), g.getValue(), used, callsBy.getOrDefault(p, 0L),
                    List.copyOf(endpointsBy.getOrDefault(p, Set.of())), instead));
            if (!used) {
                unused.add(p.label());
            } else if (!instead.isEmpty()) {
                narrower.put(p.label(), instead);
            }
        }

        List<Denied> denied = denied(instance, user, days, granted.keySet());
        Set<String> missing = new TreeSet<>();
        denied.stream().filter(d -> !d.holdsOneNow()).forEach(d -> missing.addAll(d.permissions()));
        String since = usage.usage(instance, days).getFirst().date();
        return new Report(user.id(), user.email(), days, since, rows, unused, narrower, denied, List.copyOf(missing));
    }

    private List<Denied> denied(long instance, Users.User user, int days, Set<Permission> held) {
        Set<Long> own = new java.util.HashSet<>();
        services.list(instance).stream().filter(s -> s.userId() == user.id()).forEach(s -> own.add(s.id()));
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, String> lastDate = new TreeMap<>();
        for (Usage.ErrorRow e : usage.errorRows(instance, days)) {
            if (!"603".equals(e.errorCode()) || !own.contains(e.serviceId())) {
                continue;
            }
            counts.computeIfAbsent(e.endpoint(), k -> new long[1])[0] += e.count();
            lastDate.merge(e.endpoint(), e.date(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        List<Denied> out = new ArrayList<>();
        counts.forEach((endpoint, n) -> {
            Set<Permission> anyOf = required(endpoint).orElse(Set.of());
            boolean holds = anyOf.isEmpty() || anyOf.stream().anyMatch(r -> held.stream().anyMatch(h -> h.satisfies(r)));
            List<String> names = anyOf.stream().sorted().map(Permission::label).toList();
            out.add(new Denied(endpoint, n[0], lastDate.get(endpoint), names, holds));
        });
        return out;
    }

    /**
     * The one held permission a call is credited to, and the permission of {@code anyOf} it stood
     * for: the held permission itself where the endpoint accepts it, else a Read-Write one standing
     * for its Read-Only one, else Access API; among equals, the first in catalog order. Crediting
     * only the narrowest leaves a broader permission that no call needed reported unused, and the
     * same calls give the same report on every run.
     */
    private static Optional<Map.Entry<Permission, Permission>> narrowest(Set<Permission> held, Set<Permission> anyOf) {
        Map.Entry<Permission, Permission> best = null;
        int bestRank = Integer.MAX_VALUE;
        List<Permission> catalog = List.of(Permission.values());
        for (Permission needed : catalog.stream().filter(anyOf::contains).toList()) {
            for (Permission h : catalog.stream().filter(held::contains).toList()) {
                int rank = h == needed ? 0 : h == Permission.ACCESS_API ? 2 : 1;
                if (h.satisfies(needed) && rank < bestRank) {
                    best = Map.entry(h, needed);
                    bestRank = rank;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The user's permissions, in catalog order, each with the roles and workspaces granting it. */
    private Map<Permission, List<Grant>> grants(long instance, Users.User user) {
        Map<Long, List<Permission>> byRole = new java.util.HashMap<>();
        roles.list(instance).forEach(r -> byRole.put(r.id(), r.permissions()));
        Map<Permission, List<Grant>> out = new EnumMap<>(Permission.class);
        for (Users.Assignment a : user.roles()) {
            for (Permission p : byRole.getOrDefault(a.roleId(), List.of())) {
                out.computeIfAbsent(p, k -> new ArrayList<>()).add(new Grant(a.roleName(), a.workspaceName()));
            }
        }
        return out;
    }

    /** What an endpoint key ("GET /rest/v1/leads.json") needs; empty when it is not a policy endpoint. */
    static Optional<Set<Permission>> required(String endpointKey) {
        int space = endpointKey == null ? -1 : endpointKey.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        return EndpointPolicy.ruleFor(endpointKey.substring(0, space).toUpperCase(Locale.ROOT), endpointKey.substring(space + 1))
                .map(EndpointPolicy.Rule::anyOf);
    }
}
