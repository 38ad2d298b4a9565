package dev.mkto.server.leads;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The lead fields of an instance: Marketo's standard fields (a fixed catalog, each in a column)
 * and the instance's custom fields. Names match case-insensitively and are written back in their
 * canonical form.
 */
public final class LeadSchema implements dev.mkto.server.admin.Changes.Listener {

    /** The fields of one instance, by lower-cased name, in describe order. */
    public record Fields(List<LeadField> all, Map<String, LeadField> byName) {
        public Optional<LeadField> find(String name) {
            return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    public static final List<LeadField> STANDARD;
    public static final List<String> DEFAULT_FIELDS = List.of("id", "updatedAt", "lastName", "email", "createdAt", "firstName");

    static {
        List<LeadField> f = new ArrayList<>();
        Object[][] catalog = {
            // name, display name, type, length, column, updateable, searchable
            {"id", "Id", FieldType.INTEGER, null, "id", false, true},
            {"email", "Email Address", FieldType.EMAIL, 255, "email", true, true},
            {"firstName", "First Name", FieldType.STRING, 255, "first_name", true, false},
            {"lastName", "Last Name", FieldType.STRING, 255, "last_name", true, false},
            {"middleName", "Middle Name", FieldType.STRING, 255, "middle_name", true, false},
            {"salutation", "Salutation", FieldType.STRING, 255, "salutation", true, false},
            {"title", "Job Title", FieldType.STRING, 255, "title", true, false},
            {"phone", "Phone Number", FieldType.PHONE, 255, "phone", true, false},
            {"mobilePhone", "Mobile Phone Number", FieldType.PHONE, 255, "mobile_phone", true, false},
            {"fax", "Fax Number", FieldType.PHONE, 255, "fax", true, false},
            {"company", "Company Name", FieldType.STRING, 255, "company", true, false},
            {"website", "Website", FieldType.URL, 255, "website", true, false},
            {"industry", "Industry", FieldType.STRING, 255, "industry", true, false},
            {"annualRevenue", "Annual Revenue", FieldType.CURRENCY, null, "annual_revenue", true, false},
            {"numberOfEmployees", "Num Employees", FieldType.INTEGER, null, "number_of_employees", true, false},
            {"address", "Address", FieldType.TEXT, 2000, "address", true, false},
            {"city", "City", FieldType.STRING, 255, "city", true, false},
            {"state", "State", FieldType.STRING, 255, "state", true, false},
            {"postalCode", "Postal Code", FieldType.STRING, 255, "postal_code", true, false},
            {"country", "Country", FieldType.STRING, 255, "country", true, false},
            {"leadSource", "Person Source", FieldType.STRING, 255, "lead_source", true, false},
            {"leadStatus", "Lead Status", FieldType.STRING, 255, "lead_status", true, false},
            {"leadScore", "Lead Score", FieldType.INTEGER, null, "lead_score", true, false},
            {"unsubscribed", "Unsubscribed", FieldType.BOOLEAN, null, "unsubscribed", true, false},
            {"unsubscribedReason", "Unsubscribed Reason", FieldType.TEXT, 2000, "unsubscribed_reason", true, false},
            {"emailInvalid", "Email Invalid", FieldType.BOOLEAN, null, "email_invalid", true, false},
            {"doNotCall", "Do Not Call", FieldType.BOOLEAN, null, "do_not_call", true, false},
            {"dateOfBirth", "Date of Birth", FieldType.DATE, null, "date_of_birth", true, false},
            {"facebookId", "Facebook Id", FieldType.STRING, 255, "facebook_id", true, true},
            {"linkedInId", "LinkedIn Id", FieldType.STRING, 255, "linked_in_id", true, true},
            {"twitterId", "Twitter Id", FieldType.STRING, 255, "twitter_id", true, true},
            {"sfdcAccountId", "SFDC Account Id", FieldType.STRING, 255, "sfdc_account_id", true, true},
            {"sfdcContactId", "SFDC Contact Id", FieldType.STRING, 255, "sfdc_contact_id", true, true},
            {"sfdcLeadId", "SFDC Lead Id", FieldType.STRING, 255, "sfdc_lead_id", true, true},
            {"sfdcLeadOwnerId", "SFDC Lead Owner Id", FieldType.STRING, 255, "sfdc_lead_owner_id", true, true},
            {"sfdcOpptyId", "SFDC Opportunity Id", FieldType.STRING, 255, "sfdc_oppty_id", true, true},
            {"leadPartitionId", "Lead Partition Id", FieldType.INTEGER, null, "partition_id", false, true},
            {"createdAt", "Created At", FieldType.DATETIME, null, "created_at", false, false},
            {"updatedAt", "Updated At", FieldType.DATETIME, null, "updated_at", false, false},
        };
        int id = 1;
        for (Object[] c : catalog) {
            f.add(new LeadField(id++, (String) c[0], (String) c[1], (FieldType) c[2], (Integer) c[3], (String) c[4],
                    null, (Boolean) c[5], (Boolean) c[6]));
        }
        STANDARD = Collections.unmodifiableList(f);
    }

    private static final int CUSTOM_ID_BASE = 10_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");

    private static final String LIST = "SELECT id, name, display_name, data_type, length FROM lead_field WHERE instance_id = :instance ORDER BY id";
    private static final String INSERT = "INSERT INTO lead_field (instance_id, name, display_name, data_type, length, created_at) "
            + "VALUES (:instance, :name, :displayName, :dataType, :length, :now)";
    private static final String DELETE = "DELETE FROM lead_field WHERE instance_id = :instance AND id = :id";
    private static final String VALUES_OF = "SELECT COUNT(*) FROM lead_value WHERE field_id = :id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final dev.mkto.server.admin.Changes changes;
    private final Map<Long, Fields> cache = new ConcurrentHashMap<>();

    public LeadSchema(Jdbi jdbi, InstantSource clock, dev.mkto.server.admin.Changes changes) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.changes = changes;
        changes.subscribe(this);
    }

    public Fields fields(long instance) {
        return cache.computeIfAbsent(instance, this::load);
    }

    /** Adds a custom field; its name must be new (standard names included) and its type one of Marketo's. */
    public LeadField create(long instance, String name, String displayName, String dataType, Integer length) {
        if (name == null || !NAME.matcher(name.strip()).matches()) {
            throw AdminException.invalid("field name must start with a letter and hold only letters, digits and '_' (at most 100)");
        }
        String n = name.strip();
        FieldType type = dataType == null ? FieldType.STRING : FieldType.parse(dataType).orElseThrow(() -> AdminException.invalid(
                "unknown dataType '" + dataType + "'; use one of " + String.join(", ",
                        java.util.Arrays.stream(FieldType.values()).map(FieldType::marketoName).toList())));
        Integer len = null;
        if (type.textual()) {
            len = length == null ? (type == FieldType.TEXT ? 32000 : 255) : length;
            if (len < 1 || len > 32000) {
                throw AdminException.invalid("length must be from 1 to 32000");
            }
        } else if (length != null) {
            throw AdminException.invalid("length applies only to text fields, not " + type.marketoName());
        }
        String display = displayName == null || displayName.isBlank() ? n : displayName.strip();
        if (display.length() > 255) {
            throw AdminException.invalid("displayName must be at most 255 characters");
        }
        if (fields(instance).find(n).isPresent()) {
            throw AdminException.conflict("a lead field named '" + n + "' already exists");
        }
        Integer finalLen = len;
        jdbi.useHandle(h -> h.createUpdate(INSERT).bind("instance", instance).bind("name", n).bind("displayName", display)
                .bind("dataType", type.marketoName()).bind("length", finalLen).bind("now", clock.millis()).execute());
        changes.changed();
        return fields(instance).find(n).orElseThrow();
    }

    /** Deletes a custom field no lead has a value for. */
    public void delete(long instance, String name) {
        LeadField f = fields(instance).find(name).orElseThrow(() -> AdminException.notFound("no lead field named '" + Echo.of(name) + "'"));
        if (!f.custom()) {
            throw AdminException.invalid("'" + f.name() + "' is a standard field and cannot be deleted");
        }
        jdbi.useTransaction(h -> {
            long used = h.createQuery(VALUES_OF).bind("id", f.customFieldId()).mapTo(Long.class).one();
            if (used > 0) {
                throw AdminException.inUse("field '" + f.name() + "' has values on " + used + " lead(s); clear them first");
            }
            h.createUpdate(DELETE).bind("instance", instance).bind("id", f.customFieldId()).execute();
        });
        changes.changed();
    }

    @Override
    public void changed() {
        cache.clear();
    }

    private Fields load(long instance) {
        List<LeadField> all = new ArrayList<>(STANDARD);
        jdbi.useHandle(h -> h.createQuery(LIST).bind("instance", instance).map((rs, ctx) -> {
            FieldType type = FieldType.parse(rs.getString("data_type")).orElse(FieldType.STRING);
            int length = rs.getInt("length");
            Integer len = rs.wasNull() ? null : length;
            long id = rs.getLong("id");
            return new LeadField(CUSTOM_ID_BASE + (int) id, rs.getString("name"), rs.getString("display_name"), type, len,
                    null, id, true, type.searchable());
        }).forEach(all::add));
        Map<String, LeadField> byName = new LinkedHashMap<>();
        for (LeadField f : all) {
            byName.put(f.name().toLowerCase(Locale.ROOT), f);
        }
        return new Fields(List.copyOf(all), Map.copyOf(byName));
    }
}
