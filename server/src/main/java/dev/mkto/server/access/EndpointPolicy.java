package dev.mkto.server.access;

import static dev.mkto.server.access.Permission.ACCESS_USER_MANAGEMENT_API;
import static dev.mkto.server.access.Permission.EXECUTE_CAMPAIGN;
import static dev.mkto.server.access.Permission.READ_ONLY_ACTIVITY;
import static dev.mkto.server.access.Permission.READ_ONLY_ACTIVITY_METADATA;
import static dev.mkto.server.access.Permission.READ_ONLY_ASSETS;
import static dev.mkto.server.access.Permission.READ_ONLY_CAMPAIGN;
import static dev.mkto.server.access.Permission.READ_WRITE_ACTIVITY;
import static dev.mkto.server.access.Permission.READ_WRITE_ACTIVITY_METADATA;
import static dev.mkto.server.access.Permission.READ_WRITE_CAMPAIGN;
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
    private static final String ACTIVITY_TYPE = "/rest/v1/activities/external/type/{apiName}";

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
            // Activities
            rule("GET", "/rest/v1/activities/types.json", READ_ONLY_ACTIVITY),
            rule("GET", "/rest/v1/activities/pagingtoken.json", READ_ONLY_ACTIVITY),
            rule("GET", "/rest/v1/activities.json", READ_ONLY_ACTIVITY),
            rule("GET", "/rest/v1/activities/leadchanges.json", READ_ONLY_ACTIVITY),
            rule("GET", "/rest/v1/activities/deletedleads.json", READ_ONLY_ACTIVITY),
            rule("POST", "/rest/v1/activities/external.json", READ_WRITE_ACTIVITY),
            rule("GET", "/rest/v1/activities/external/types.json", READ_ONLY_ACTIVITY_METADATA),
            rule("POST", "/rest/v1/activities/external/type.json", READ_WRITE_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + ".json", READ_WRITE_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + "/approve.json", READ_WRITE_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + "/discardDraft.json", READ_WRITE_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + "/delete.json", READ_WRITE_ACTIVITY_METADATA),
            rule("GET", ACTIVITY_TYPE + "/describe.json", READ_ONLY_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + "/attributes/create.json", READ_WRITE_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + "/attributes/update.json", READ_WRITE_ACTIVITY_METADATA),
            rule("POST", ACTIVITY_TYPE + "/attributes/delete.json", READ_WRITE_ACTIVITY_METADATA),
            // Static lists
            rule("GET", "/rest/v1/lists.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/lists/{id}.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/lists/{listId}/leads.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/list/{listId}/leads.json", READ_ONLY_LEAD),
            rule("POST", "/rest/v1/lists/{listId}/leads.json", READ_WRITE_LEAD),
            rule("DELETE", "/rest/v1/lists/{listId}/leads.json", READ_WRITE_LEAD),
            rule("GET", "/rest/v1/lists/{listId}/leads/ismember.json", READ_ONLY_LEAD),
            rule("GET", "/rest/v1/leads/{leadId}/listMembership.json", READ_ONLY_ASSETS),
            // Campaigns (request and schedule: Execute Campaign, or Read-Write Campaign per Adobe's newer table)
            rule("GET", "/rest/v1/campaigns.json", READ_ONLY_CAMPAIGN),
            rule("GET", "/rest/v1/campaigns/{id}.json", READ_ONLY_CAMPAIGN),
            rule("POST", "/rest/v1/campaigns/{id}/trigger.json", EXECUTE_CAMPAIGN, READ_WRITE_CAMPAIGN),
            rule("POST", "/rest/v1/campaigns/{id}/schedule.json", EXECUTE_CAMPAIGN, READ_WRITE_CAMPAIGN),
            // Bulk extract
            rule("POST", "/bulk/v1/leads/export/create.json", READ_ONLY_LEAD),
            rule("POST", "/bulk/v1/leads/export/{exportId}/enqueue.json", READ_ONLY_LEAD),
            rule("GET", "/bulk/v1/leads/export/{exportId}/status.json", READ_ONLY_LEAD),
            rule("POST", "/bulk/v1/leads/export/{exportId}/cancel.json", READ_ONLY_LEAD),
            rule("GET", "/bulk/v1/leads/export/{exportId}/file.json", READ_ONLY_LEAD),
            rule("GET", "/bulk/v1/leads/export.json", READ_ONLY_LEAD),
            rule("POST", "/bulk/v1/activities/export/create.json", READ_ONLY_ACTIVITY),
            rule("POST", "/bulk/v1/activities/export/{exportId}/enqueue.json", READ_ONLY_ACTIVITY),
            rule("GET", "/bulk/v1/activities/export/{exportId}/status.json", READ_ONLY_ACTIVITY),
            rule("POST", "/bulk/v1/activities/export/{exportId}/cancel.json", READ_ONLY_ACTIVITY),
            rule("GET", "/bulk/v1/activities/export/{exportId}/file.json", READ_ONLY_ACTIVITY),
            rule("GET", "/bulk/v1/activities/export.json", READ_ONLY_ACTIVITY),
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
