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
import static dev.mkto.server.access.Permission.READ_ONLY_COMPANY;
import static dev.mkto.server.access.Permission.READ_ONLY_CUSTOM_OBJECT;
import static dev.mkto.server.access.Permission.READ_ONLY_CUSTOM_OBJECT_TYPE;
import static dev.mkto.server.access.Permission.READ_ONLY_LEAD;
import static dev.mkto.server.access.Permission.READ_ONLY_NAMED_ACCOUNT;
import static dev.mkto.server.access.Permission.READ_ONLY_NAMED_ACCOUNT_LIST;
import static dev.mkto.server.access.Permission.READ_ONLY_OPPORTUNITY;
import static dev.mkto.server.access.Permission.READ_ONLY_SALES_PERSON;
import static dev.mkto.server.access.Permission.READ_WRITE_COMPANY;
import static dev.mkto.server.access.Permission.READ_WRITE_CUSTOM_OBJECT;
import static dev.mkto.server.access.Permission.READ_WRITE_CUSTOM_OBJECT_TYPE;
import static dev.mkto.server.access.Permission.READ_WRITE_LEAD;
import static dev.mkto.server.access.Permission.READ_WRITE_NAMED_ACCOUNT;
import static dev.mkto.server.access.Permission.READ_WRITE_NAMED_ACCOUNT_LIST;
import static dev.mkto.server.access.Permission.READ_WRITE_OPPORTUNITY;
import static dev.mkto.server.access.Permission.READ_WRITE_SALES_PERSON;
import static dev.mkto.server.access.Permission.READ_WRITE_SCHEMA_CUSTOM_FIELD;
import static dev.mkto.server.access.Permission.READ_WRITE_SCHEMA_STANDARD_FIELD;

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
    private static final String CUSTOM_OBJECTS = "/rest/v1/customobjects";
    private static final String SCHEMA = "/rest/v1/customobjects/schema";

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
            // Companies
            rule("GET", "/rest/v1/companies.json", READ_ONLY_COMPANY),
            rule("POST", "/rest/v1/companies.json", READ_WRITE_COMPANY),
            rule("POST", "/rest/v1/companies/delete.json", READ_WRITE_COMPANY),
            rule("GET", "/rest/v1/companies/describe.json", READ_ONLY_COMPANY),
            rule("GET", "/rest/v1/companies/schema/fields.json", READ_WRITE_SCHEMA_STANDARD_FIELD, READ_WRITE_SCHEMA_CUSTOM_FIELD),
            rule("GET", "/rest/v1/companies/schema/fields/{fieldApiName}.json", READ_WRITE_SCHEMA_STANDARD_FIELD,
                    READ_WRITE_SCHEMA_CUSTOM_FIELD),
            // Opportunities and opportunity roles (the swagger's "Read-Write Named Opportunity" is Read-Write Opportunity)
            rule("GET", "/rest/v1/opportunities.json", READ_ONLY_OPPORTUNITY),
            rule("POST", "/rest/v1/opportunities.json", READ_WRITE_OPPORTUNITY),
            rule("POST", "/rest/v1/opportunities/delete.json", READ_WRITE_OPPORTUNITY),
            rule("GET", "/rest/v1/opportunities/describe.json", READ_ONLY_OPPORTUNITY),
            rule("GET", "/rest/v1/opportunities/schema/fields.json", READ_WRITE_SCHEMA_STANDARD_FIELD, READ_WRITE_SCHEMA_CUSTOM_FIELD),
            rule("GET", "/rest/v1/opportunities/schema/fields/{fieldApiName}.json", READ_WRITE_SCHEMA_STANDARD_FIELD,
                    READ_WRITE_SCHEMA_CUSTOM_FIELD),
            rule("GET", "/rest/v1/opportunities/roles.json", READ_ONLY_OPPORTUNITY),
            rule("POST", "/rest/v1/opportunities/roles.json", READ_WRITE_OPPORTUNITY),
            rule("POST", "/rest/v1/opportunities/roles/delete.json", READ_WRITE_OPPORTUNITY),
            rule("GET", "/rest/v1/opportunities/roles/describe.json", READ_ONLY_OPPORTUNITY),
            // Named accounts
            rule("GET", "/rest/v1/namedaccounts.json", READ_ONLY_NAMED_ACCOUNT),
            rule("POST", "/rest/v1/namedaccounts.json", READ_WRITE_NAMED_ACCOUNT),
            rule("POST", "/rest/v1/namedaccounts/delete.json", READ_WRITE_NAMED_ACCOUNT),
            rule("GET", "/rest/v1/namedaccounts/describe.json", READ_ONLY_NAMED_ACCOUNT),
            rule("GET", "/rest/v1/namedaccounts/schema/fields.json", READ_WRITE_SCHEMA_STANDARD_FIELD, READ_WRITE_SCHEMA_CUSTOM_FIELD),
            rule("GET", "/rest/v1/namedaccounts/schema/fields/{fieldApiName}.json", READ_WRITE_SCHEMA_STANDARD_FIELD,
                    READ_WRITE_SCHEMA_CUSTOM_FIELD),
            // Named account lists; their membership needs the Named Account permissions
            rule("GET", "/rest/v1/namedAccountLists.json", READ_ONLY_NAMED_ACCOUNT_LIST),
            rule("POST", "/rest/v1/namedAccountLists.json", READ_WRITE_NAMED_ACCOUNT_LIST),
            rule("POST", "/rest/v1/namedAccountLists/delete.json", READ_WRITE_NAMED_ACCOUNT_LIST),
            rule("GET", "/rest/v1/namedAccountList/{id}/namedAccounts.json", READ_ONLY_NAMED_ACCOUNT),
            rule("POST", "/rest/v1/namedAccountList/{id}/namedAccounts.json", READ_WRITE_NAMED_ACCOUNT),
            rule("POST", "/rest/v1/namedAccountList/{id}/namedAccounts/remove.json", READ_WRITE_NAMED_ACCOUNT),
            // Sales persons
            rule("GET", "/rest/v1/salespersons.json", READ_ONLY_SALES_PERSON),
            rule("POST", "/rest/v1/salespersons.json", READ_WRITE_SALES_PERSON),
            rule("POST", "/rest/v1/salespersons/delete.json", READ_WRITE_SALES_PERSON),
            rule("GET", "/rest/v1/salespersons/describe.json", READ_ONLY_SALES_PERSON),
            // Custom objects: records
            rule("GET", CUSTOM_OBJECTS + ".json", READ_ONLY_CUSTOM_OBJECT),
            rule("GET", CUSTOM_OBJECTS + "/{customObjectName}.json", READ_ONLY_CUSTOM_OBJECT),
            rule("POST", CUSTOM_OBJECTS + "/{customObjectName}.json", READ_WRITE_CUSTOM_OBJECT),
            rule("POST", CUSTOM_OBJECTS + "/{customObjectName}/delete.json", READ_WRITE_CUSTOM_OBJECT),
            rule("GET", CUSTOM_OBJECTS + "/{customObjectName}/describe.json", READ_ONLY_CUSTOM_OBJECT),
            // Custom objects: types
            rule("GET", SCHEMA + ".json", READ_ONLY_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + ".json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("GET", SCHEMA + "/{apiName}/describe.json", READ_ONLY_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + "/{apiName}/addField.json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + "/{apiName}/deleteField.json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + "/{apiName}/{fieldApiName}/updateField.json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + "/{apiName}/approve.json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + "/{apiName}/discardDraft.json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("POST", SCHEMA + "/{apiName}/delete.json", READ_WRITE_CUSTOM_OBJECT_TYPE),
            rule("GET", SCHEMA + "/fieldDataTypes.json", READ_ONLY_CUSTOM_OBJECT_TYPE),
            rule("GET", SCHEMA + "/linkableObjects.json", READ_ONLY_CUSTOM_OBJECT_TYPE),
            rule("GET", SCHEMA + "/{apiName}/dependentAssets.json", READ_ONLY_CUSTOM_OBJECT_TYPE),
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
