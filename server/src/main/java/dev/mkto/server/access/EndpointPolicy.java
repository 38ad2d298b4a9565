package dev.mkto.server.access;

import static dev.mkto.server.access.Permission.ACCESS_USER_MANAGEMENT_API;
import static dev.mkto.server.access.Permission.READ_ONLY_LEAD;
import static dev.mkto.server.access.Permission.READ_WRITE_LEAD;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table that says which permission each API endpoint needs. Holding any permission that
 * satisfies one in the rule (see {@link Permission#satisfies}) in any workspace admits the call;
 * what the call may then touch is scoped by workspace in the handler. No handler checks a
 * permission by hand. Tests hold this table against Adobe's endpoint list and the swagger files.
 */
public final class EndpointPolicy {

    /** {@code anyOf} empty means no permission is needed (usage statistics). */
    public record Rule(String method, String template, Set<Permission> anyOf) {
        public Rule {
            anyOf = Set.copyOf(anyOf);
        }

        public PermissionSet required() {
            return PermissionSet.anyOf(anyOf);
        }
    }

    private static final String USERS = "/userservice/management/v1/users";

    public static final List<Rule> RULES = List.of(
            // Leads
            rule("GET", "/rest/v1/lead/{id}.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/leads.json", READ_ONLY_LEAD),
            rule("POST", "/rest/v1/leads.json", READ_WRITE_LEAD),
            rule("POST", "/rest/v1/leads/delete.json", READ_WRITE_LEAD),
            rule("GET", "/rest/v1/leads/describe.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/leads/describe2.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/leads/partitions.json", READ_ONLY_LEAD),
            rule("POST", "/rest/v1/leads/partitions.json", READ_WRITE_LEAD),
            // Usage statistics: no permission needed
            rule("GET", "/rest/v1/stats/usage.json"),
            rule("GET", "/rest/v1/stats/usage/last7days.json"),
            rule("GET", "/rest/v1/stats/errors.json"),
            rule("GET", "/rest/v1/stats/errors/last7days.json"),
            // User Management
            rule("GET", USERS + "/allusers.json", ACCESS_USER_MANAGEMENT_API),
            rule("POST", USERS + "/invite.json", ACCESS_USER_MANAGEMENT_API),
            rule("GET", USERS + "/roles.json", ACCESS_USER_MANAGEMENT_API),
            rule("GET", USERS + "/workspaces.json", ACCESS_USER_MANAGEMENT_API),
            rule("POST", USERS + "/{userid}/delete.json", ACCESS_USER_MANAGEMENT_API),
            rule("POST", USERS + "/{userid}/invite/delete.json", ACCESS_USER_MANAGEMENT_API),
            rule("POST", USERS + "/{userid}/update.json", ACCESS_USER_MANAGEMENT_API),
            rule("GET", USERS + "/{userid}/roles.json", ACCESS_USER_MANAGEMENT_API),
            rule("POST", USERS + "/{userid}/roles/create.json", ACCESS_USER_MANAGEMENT_API),
            rule("POST", USERS + "/{userid}/roles/delete.json", ACCESS_USER_MANAGEMENT_API),
            rule("GET", USERS + "/{userid}/user.json", ACCESS_USER_MANAGEMENT_API),
            rule("GET", USERS + "/{userid}/invite.json", ACCESS_USER_MANAGEMENT_API));

    private static final Map<String, Rule> BY_KEY = new HashMap<>();

    static {
        for (Rule r : RULES) {
            if (BY_KEY.put(key(r.method(), r.template()), r) != null) {
                throw new AssertionError("duplicate rule " + r.method() + " " + r.template());
            }
        }
    }

    private EndpointPolicy() {
    }

    /** The rule for a route, by method and path template exactly as registered. */
    public static Optional<Rule> ruleFor(String method, String template) {
        return Optional.ofNullable(BY_KEY.get(key(method, template)));
    }

    private static String key(String method, String template) {
        return method + " " + template;
    }

    private static Rule rule(String method, String template) {
        return new Rule(method, template, EnumSet.noneOf(Permission.class));
    }

    private static Rule rule(String method, String template, Permission first, Permission... more) {
        return new Rule(method, template, EnumSet.of(first, more));
    }
}
