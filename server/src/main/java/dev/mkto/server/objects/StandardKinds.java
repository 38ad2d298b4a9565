package dev.mkto.server.objects;

import static dev.mkto.server.leads.FieldType.BOOLEAN;
import static dev.mkto.server.leads.FieldType.CURRENCY;
import static dev.mkto.server.leads.FieldType.DATE;
import static dev.mkto.server.leads.FieldType.DATETIME;
import static dev.mkto.server.leads.FieldType.INTEGER;
import static dev.mkto.server.leads.FieldType.PHONE;
import static dev.mkto.server.leads.FieldType.STRING;
import static dev.mkto.server.leads.FieldType.URL;
import static dev.mkto.server.objects.ObjectField.of;

import dev.mkto.server.access.Permission;
import dev.mkto.server.objects.ObjectField.Missing;
import dev.mkto.server.objects.ObjectKind.Action;
import dev.mkto.server.objects.ObjectKind.DefaultFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Marketo's standard Lead Database objects besides leads, as Adobe's guides describe them:
 * their id and dedupe fields, searchable fields and field catalog.
 */
final class StandardKinds {

    static final String LEAD = "lead";

    private static final List<Action> ALL_ACTIONS = List.of(Action.CREATE_OR_UPDATE, Action.CREATE_ONLY, Action.UPDATE_ONLY);

    static final ObjectKind SALES_PERSON = new ObjectKind("salesPerson", "salesPerson", "SalesPerson", "Sales Person",
            "Sales Persons", "Sales person object", "/rest/v1/salespersons", true, "id", List.of("externalSalesPersonId"),
            List.of(List.of("email"), List.of("id"), List.of("externalSalesPersonId")),
            List.of(of("id", "Marketo Id", INTEGER, null).serverSet(),
                    of("externalSalesPersonId", "External Sales Person Id", STRING, 255).createOnly(),
                    of("email", "Email", STRING, 255),
                    of("firstName", "First Name", STRING, 255),
                    of("lastName", "Last Name", STRING, 255),
                    of("title", "Title", STRING, 255),
                    of("phone", "Phone", PHONE, 255),
                    of("mobilePhone", "Mobile Phone", PHONE, 255),
                    of("fax", "Fax", PHONE, 255),
                    of("createdAt", "Created At", DATETIME, null).serverSet(),
                    of("updatedAt", "Updated At", DATETIME, null).serverSet()),
            DefaultFields.ALL, ALL_ACTIONS, Permission.READ_ONLY_SALES_PERSON, Permission.READ_WRITE_SALES_PERSON, null, null);

    static final ObjectKind COMPANY = new ObjectKind("company", "company", "Company", "Company", "Companies", "Company object",
            "/rest/v1/companies", true, "id", List.of("externalCompanyId"),
            List.of(List.of("externalCompanyId"), List.of("id"), List.of("company")),
            List.of(of("id", "Id", INTEGER, null).serverSet(),
                    of("externalCompanyId", "External Company Id", STRING, 100).createOnly(),
                    of("company", "Company Name", STRING, 255),
                    of("site", "Site", STRING, 255),
                    of("billingStreet", "Billing Address", STRING, 512),
                    of("billingCity", "Billing City", STRING, 255),
                    of("billingState", "Billing State", STRING, 255),
                    of("billingCountry", "Billing Country", STRING, 255),
                    of("billingPostalCode", "Billing Postal Code", STRING, 255),
                    of("website", "Website", URL, 255),
                    of("mainPhone", "Main Phone", PHONE, 255),
                    of("annualRevenue", "Annual Revenue", CURRENCY, null),
                    of("numberOfEmployees", "Num Employees", INTEGER, null),
                    of("industry", "Industry", STRING, 255),
                    of("sicCode", "SIC Code", STRING, 40),
                    of("externalSalesPersonId", "External Sales Person Id", STRING, 255)
                            .linkedTo(SALES_PERSON.name(), "externalSalesPersonId", Missing.IGNORE, true),
                    of("createdAt", "Created At", DATETIME, null).serverSet(),
                    of("updatedAt", "Updated At", DATETIME, null).serverSet()),
            DefaultFields.KEYS, ALL_ACTIONS, Permission.READ_ONLY_COMPANY, Permission.READ_WRITE_COMPANY, null, null);

    static final ObjectKind OPPORTUNITY = new ObjectKind("opportunity", "opportunity", "opportunity", "Opportunity",
            "Opportunities", "Opportunity object", "/rest/v1/opportunities", true, "marketoGUID", List.of("externalOpportunityId"),
            List.of(List.of("externalOpportunityId"), List.of("marketoGUID")),
            List.of(of("marketoGUID", "Marketo GUID", STRING, 36).serverSet(),
                    of("externalOpportunityId", "External Opportunity Id", STRING, 50).createOnly(),
                    of("name", "Name", STRING, 255).mandatory(),
                    of("description", "Description", STRING, 2000),
                    of("type", "Type", STRING, 255),
                    of("stage", "Stage", STRING, 255),
                    of("source", "Source", STRING, 255),
                    of("leadSource", "Lead Source", STRING, 255),
                    of("amount", "Amount", CURRENCY, null),
                    of("expectedRevenue", "Expected Revenue", CURRENCY, null),
                    of("probability", "Probability", INTEGER, null),
                    of("closeDate", "Close Date", DATE, null),
                    of("isClosed", "Closed", BOOLEAN, null),
                    of("isWon", "Won", BOOLEAN, null),
                    of("fiscalQuarter", "Fiscal Quarter", INTEGER, null),
                    of("fiscalYear", "Fiscal Year", INTEGER, null),
                    of("forecastCategory", "Forecast Category", STRING, 255),
                    of("forecastCategoryName", "Forecast Category Name", STRING, 255),
                    of("nextStep", "Next Step", STRING, 255),
                    of("lastActivityDate", "Last Activity Date", DATE, null),
                    of("externalCompanyId", "External Company Id", STRING, 100),
                    of("externalSalesPersonId", "External Sales Person Id", STRING, 255)
                            .linkedTo(SALES_PERSON.name(), "externalSalesPersonId", Missing.FAIL_REQUEST, true),
                    of("externalCreatedDate", "External Created Date", DATETIME, null),
                    of("createdAt", "Created At", DATETIME, null).serverSet(),
                    of("updatedAt", "Updated At", DATETIME, null).serverSet()),
            DefaultFields.KEYS, ALL_ACTIONS, Permission.READ_ONLY_OPPORTUNITY, Permission.READ_WRITE_OPPORTUNITY, null, null);

    static final ObjectKind OPPORTUNITY_ROLE = new ObjectKind("opportunityRole", "opportunityRole", "opportunityRole",
            "Opportunity Role", "Opportunity Roles", "Opportunity role object", "/rest/v1/opportunities/roles", true, "marketoGUID",
            List.of("externalOpportunityId", "leadId", "role"),
            List.of(List.of("externalOpportunityId", "leadId", "role"), List.of("marketoGUID"), List.of("leadId"),
                    List.of("externalOpportunityId")),
            List.of(of("marketoGUID", "Marketo GUID", STRING, 36).serverSet(),
                    of("externalOpportunityId", "External Opportunity Id", STRING, 50).createOnly()
                            .linkedTo(OPPORTUNITY.name(), "externalOpportunityId", Missing.SKIP_RECORD, false),
                    of("leadId", "Lead Id", INTEGER, null).createOnly().linkedTo(LEAD, "id", Missing.SKIP_RECORD, false),
                    of("role", "Role", STRING, 50).createOnly(),
                    of("isPrimary", "Is Primary", BOOLEAN, null),
                    of("externalCreatedDate", "External Created Date", DATETIME, null),
                    of("createdAt", "Created At", DATETIME, null).serverSet(),
                    of("updatedAt", "Updated At", DATETIME, null).serverSet()),
            DefaultFields.KEYS, ALL_ACTIONS, Permission.READ_ONLY_OPPORTUNITY, Permission.READ_WRITE_OPPORTUNITY, null, null);

    static final ObjectKind NAMED_ACCOUNT;

    static {
        List<ObjectField> fields = new ArrayList<>(List.of(
                of("marketoGUID", "Marketo GUID", STRING, 36).serverSet(),
                of("name", "Name", STRING, 255).createOnly(),
                of("domainName", "Domain Name", STRING, 255),
                of("industry", "Industry", STRING, 255),
                of("sicCode", "SIC Code", STRING, 40),
                of("annualRevenue", "Annual Revenue", CURRENCY, null),
                of("numberOfEmployees", "Number of Employees", INTEGER, null),
                of("city", "City", STRING, 255),
                of("state", "State", STRING, 255),
                of("country", "Country", STRING, 255),
                of("logoUrl", "Logo URL", URL, 255)));
        for (int i = 1; i <= 5; i++) {
            fields.add(of("score" + i, "Score " + i, INTEGER, null));
        }
        fields.addAll(List.of(
                of("membershipCount", "Membership Count", INTEGER, null).serverSet(),
                of("opptyAmount", "Opportunity Amount", CURRENCY, null).serverSet(),
                of("opptyCount", "Opportunity Count", INTEGER, null).serverSet(),
                of("createdAt", "Created At", DATETIME, null).serverSet(),
                of("updatedAt", "Updated At", DATETIME, null).serverSet()));
        List<List<String>> searchable = new ArrayList<>();
        for (String f : List.of("marketoGUID", "annualRevenue", "city", "country", "domainName", "industry", "logoUrl",
                "membershipCount", "name", "numberOfEmployees", "opptyAmount", "opptyCount", "score1", "score2", "score3", "score4",
                "score5", "sicCode", "state")) {
            searchable.add(List.of(f));
        }
        NAMED_ACCOUNT = new ObjectKind("namedAccount", "namedAccount", "Named Account", "Named Account", "Named Accounts",
                "Marketo standard account attribute map", "/rest/v1/namedaccounts", true, "marketoGUID", List.of("name"), searchable,
                fields, DefaultFields.KEYS, ALL_ACTIONS, Permission.READ_ONLY_NAMED_ACCOUNT, Permission.READ_WRITE_NAMED_ACCOUNT,
                null, null);
    }

    /** Lists of named accounts; only {@code name} can be written, and sync creates by default. */
    static final ObjectKind NAMED_ACCOUNT_LIST = new ObjectKind("namedAccountList", "namedAccountList", "Named Account List",
            "Named Account List", "Named Account Lists", "Named account list object", "/rest/v1/namedAccountLists", false,
            "marketoGUID", List.of("name"), List.of(List.of("name"), List.of("marketoGUID")),
            List.of(of("marketoGUID", "Marketo GUID", STRING, 36).serverSet(),
                    of("name", "Name", STRING, 255),
                    of("type", "Type", STRING, 255).serverSet("default"),
                    of("updateable", "Updateable", BOOLEAN, null).serverSet(Boolean.TRUE),
                    of("createdAt", "Created At", DATETIME, null).serverSet(),
                    of("updatedAt", "Updated At", DATETIME, null).serverSet()),
            DefaultFields.ALL, List.of(Action.CREATE_ONLY, Action.UPDATE_ONLY), Permission.READ_ONLY_NAMED_ACCOUNT_LIST,
            Permission.READ_WRITE_NAMED_ACCOUNT_LIST, null, null);

    static final List<ObjectKind> ALL = List.of(COMPANY, OPPORTUNITY, OPPORTUNITY_ROLE, NAMED_ACCOUNT, NAMED_ACCOUNT_LIST, SALES_PERSON);

    /** The kinds whose field metadata can be browsed ({@code …/schema/fields.json}). */
    static final List<ObjectKind> WITH_FIELD_SCHEMA = List.of(COMPANY, OPPORTUNITY, NAMED_ACCOUNT);

    private StandardKinds() {
    }

    static Optional<ObjectKind> byName(String name) {
        return ALL.stream().filter(k -> k.name().equalsIgnoreCase(name)).findFirst();
    }
}
