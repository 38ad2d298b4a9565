package dev.mkto.server.activities;

import static dev.mkto.server.access.Permission.READ_ONLY_ACTIVITY;
import static dev.mkto.server.access.Permission.READ_WRITE_ACTIVITY;

import dev.mkto.server.access.Caller;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.leads.FieldType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import tools.jackson.databind.JsonNode;

/**
 * Reading the activity log — by type, lead, list or asset, from a paging token — and adding custom
 * activities. A caller sees the activities of leads in the partitions of the workspaces where it
 * holds an activity permission.
 */
public final class ActivityService {

    public static final int MAX_BATCH = 300;
    static final int MAX_TYPES = 10;
    static final int MAX_LEADS = 30;

    /** One page of activities: rows, the token to continue from, and whether more are waiting. */
    public record Page(List<Map<String, Object>> activities, String nextPageToken, boolean moreResult) {
    }

    /** What a query asks for. Empty lists mean "any". */
    public record Filter(List<Integer> typeIds, List<Long> leadIds, Long listId, List<Long> assetIds, List<String> changedFields) {
    }

    private record Row(long id, long leadId, long partitionId, int typeId, long date, Long campaignId, Long primaryId,
                       String primary, String attributes) {
    }

    private static final String COLUMNS = "id, lead_id, partition_id, activity_type_id, activity_date, campaign_id, primary_value_id, "
            + "primary_value, attributes";
    private static final String INSERT = "INSERT INTO activity (instance_id, lead_id, partition_id, activity_type_id, activity_date, "
            + "campaign_id, primary_value_id, primary_value, attributes) VALUES (:instance, :lead, :partition, :type, :date, NULL, NULL, "
            + ":primary, :attributes)";
    private static final String LEAD_PARTITIONS = "SELECT id, partition_id FROM lead WHERE instance_id = :instance AND id IN (<ids>)";

    private final Jdbi jdbi;
    private final ActivityTypes types;

    public ActivityService(Jdbi jdbi, ActivityTypes types) {
        this.jdbi = jdbi;
        this.types = types;
    }

    /** A paging token for activities at or after {@code sinceDatetime} (ISO-8601; 704 otherwise). */
    public String pagingToken(String sinceDatetime) {
        return new PagingToken(parseDate(sinceDatetime), 0).encode();
    }

    /** A page of activities matching {@code filter}, continuing from {@code token}. */
    public Page activities(Caller caller, String token, Filter filter, int batchSize) {
        PagingToken from = PagingToken.decode(token);
        long[] partitions = caller.grants().partitionsWith(READ_ONLY_ACTIVITY);
        if (partitions.length == 0) {
            return new Page(List.of(), from.encode(), false);
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM activity WHERE instance_id = :instance AND id > :after "
                + "AND activity_date >= :since AND partition_id IN (<partitions>) AND activity_type_id IN (<types>)");
        if (!filter.leadIds().isEmpty()) {
            sql.append(" AND lead_id IN (<leads>)");
        }
        if (filter.listId() != null) {
            sql.append(" AND lead_id IN (SELECT lead_id FROM list_member WHERE list_id = :list)");
        }
        if (!filter.assetIds().isEmpty()) {
            sql.append(" AND primary_value_id IN (<assets>)");
        }
        if (!filter.changedFields().isEmpty()) {
            sql.append(" AND (activity_type_id <> ").append(ActivityTypes.CHANGE_DATA_VALUE).append(" OR primary_value IN (<fields>))");
        }
        sql.append(" ORDER BY id FETCH FIRST ").append(batchSize + 1).append(" ROWS ONLY");
        List<Row> rows = jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("instance", caller.instanceId()).bind("after", from.afterId())
                    .bind("since", from.since().toEpochMilli())
                    .bindList("partitions", Arrays.stream(partitions).boxed().toList())
                    .bindList("types", filter.typeIds());
            if (!filter.leadIds().isEmpty()) {
                q.bindList("leads", filter.leadIds());
            }
            if (filter.listId() != null) {
                q.bind("list", filter.listId());
            }
            if (!filter.assetIds().isEmpty()) {
                q.bindList("assets", filter.assetIds());
            }
            if (!filter.changedFields().isEmpty()) {
                q.bindList("fields", filter.changedFields());
            }
            return q.map((rs, ctx) -> new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getLong(5),
                    (Long) rs.getObject(6, Long.class), (Long) rs.getObject(7, Long.class), rs.getString(8), rs.getString(9))).list();
        });
        boolean more = rows.size() > batchSize;
        List<Row> page = more ? rows.subList(0, batchSize) : rows;
        long last = page.isEmpty() ? from.afterId() : page.getLast().id();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : page) {
            out.add(render(r, !filter.changedFields().isEmpty()));
        }
        return new Page(out, new PagingToken(from.since(), last).encode(), more);
    }

    /** The columns a bulk activity export can hold, in file order. */
    public static final List<String> EXPORT_FIELDS = List.of("marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
            "primaryAttributeValueId", "primaryAttributeValue", "attributes");

    /**
     * One page of a bulk activity export: activities (ids above {@code afterId}) recorded in
     * [{@code from}, {@code to}) in {@code partitions}, optionally of some types or primary values,
     * each as the text of {@code fields}, id first.
     */
    public List<List<String>> exportPage(long instance, long[] partitions, long from, long to, List<Integer> typeIds,
                                         List<Long> primaryIds, List<String> primaryValues, List<String> fields, long afterId, int limit) {
        if (partitions.length == 0) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM activity WHERE instance_id = :instance AND id > :after "
                + "AND activity_date >= :from AND activity_date < :to AND partition_id IN (<partitions>)");
        if (!typeIds.isEmpty()) {
            sql.append(" AND activity_type_id IN (<types>)");
        }
        if (!primaryIds.isEmpty()) {
            sql.append(" AND primary_value_id IN (<primaryIds>)");
        }
        if (!primaryValues.isEmpty()) {
            sql.append(" AND primary_value IN (<primaryValues>)");
        }
        sql.append(" ORDER BY id FETCH FIRST ").append(limit).append(" ROWS ONLY");
        List<Row> rows = jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("instance", instance).bind("after", afterId).bind("from", from).bind("to", to)
                    .bindList("partitions", Arrays.stream(partitions).boxed().toList());
            if (!typeIds.isEmpty()) {
                q.bindList("types", typeIds);
            }
            if (!primaryIds.isEmpty()) {
                q.bindList("primaryIds", primaryIds);
            }
            if (!primaryValues.isEmpty()) {
                q.bindList("primaryValues", primaryValues);
            }
            return q.map((rs, ctx) -> new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getLong(5),
                    (Long) rs.getObject(6, Long.class), (Long) rs.getObject(7, Long.class), rs.getString(8), rs.getString(9))).list();
        });
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            List<String> row = new ArrayList<>();
            row.add(Long.toString(r.id()));
            for (String f : fields) {
                row.add(switch (f) {
                    case "marketoGUID" -> Long.toString(r.id());
                    case "leadId" -> Long.toString(r.leadId());
                    case "activityDate" -> Instant.ofEpochMilli(r.date()).truncatedTo(ChronoUnit.SECONDS).toString();
                    case "activityTypeId" -> Integer.toString(r.typeId());
                    case "campaignId" -> r.campaignId() == null ? null : Long.toString(r.campaignId());
                    case "primaryAttributeValueId" -> r.primaryId() == null ? null : Long.toString(r.primaryId());
                    case "primaryAttributeValue" -> r.primary();
                    default -> attributesObject(r.attributes());
                });
            }
            out.add(row);
        }
        return out;
    }

    /** Attributes as one JSON object, name → value, as Marketo's activity export writes them. */
    private static String attributesObject(String attributes) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonNode a : Json.MAPPER.readTree(attributes)) {
            JsonNode v = a.get("value");
            m.put(a.path("name").asString(), v == null || v.isNull() ? null : v.isString() ? v.asString() : v);
        }
        return Json.MAPPER.writeValueAsString(m);
    }

    /** Adds custom activities (≤ 300), each answered added or skipped with {@code errors}. */
    public List<Map<String, Object>> addCustom(Caller caller, JsonNode input) {
        long instance = caller.instanceId();
        List<Long> leadIds = new ArrayList<>();
        for (JsonNode item : input) {
            if (item.path("leadId").canConvertToLong() && item.path("leadId").isIntegralNumber()) {
                leadIds.add(item.path("leadId").asLong());
            }
        }
        long[] writable = caller.grants().partitionsWith(READ_WRITE_ACTIVITY);
        Map<Long, Long> partitionOf = new HashMap<>();
        if (!leadIds.isEmpty()) {
            jdbi.useHandle(h -> h.createQuery(LEAD_PARTITIONS).bind("instance", instance).bindList("ids", leadIds.stream().distinct().toList())
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2))).forEach(e -> partitionOf.put(e.getKey(), e.getValue())));
        }
        return jdbi.inTransaction(h -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (JsonNode item : input) {
                String problem = null;
                String code = "1003";
                Long leadId = null;
                Long partition = null;
                Instant date = null;
                ActivityTypes.Custom type = null;
                Map<String, Object> attrs = new LinkedHashMap<>();
                if (!item.isObject()) {
                    problem = "Invalid data";
                } else if (item.path("leadId").isMissingNode() || item.path("leadId").isNull()) {
                    code = "1002";
                    problem = "Missing value for the required parameter 'leadId'";
                } else if (!item.path("leadId").isIntegralNumber() || !item.path("leadId").canConvertToLong()) {
                    code = "1001";
                    problem = "Invalid value '" + Echo.of(item.path("leadId").toString()) + "'. Required of type 'integer'";
                } else {
                    leadId = item.path("leadId").asLong();
                    partition = partitionOf.get(leadId);
                    if (partition == null || Arrays.binarySearch(writable, partition) < 0) {
                        code = "1004";
                        problem = "Lead not found";
                    }
                }
                if (problem == null) {
                    JsonNode typeId = item.get("activityTypeId");
                    type = typeId != null && typeId.isIntegralNumber() ? types.approvedCustom(instance, typeId.asInt()).orElse(null) : null;
                    if (type == null) {
                        problem = "Invalid activityTypeId; it must be the id of an approved custom activity type";
                    }
                }
                if (problem == null) {
                    try {
                        date = parseDate(item.path("activityDate").asString(""));
                    } catch (MarketoException e) {
                        code = "1001";
                        problem = "Invalid value '" + Echo.of(item.path("activityDate").toString()) + "'. Required of type 'datetime'";
                    }
                }
                if (problem == null) {
                    JsonNode primary = item.get("primaryAttributeValue");
                    if (primary == null || primary.isNull() || primary.isString() && primary.asString().isEmpty()) {
                        code = "1002";
                        problem = "Missing value for the required parameter 'primaryAttributeValue'";
                    } else if (primary.isContainer() || primary.isString() && !FieldType.storable(primary.asString())) {
                        code = "1001";
                        problem = "Invalid value '" + Echo.of(primary.toString()) + "'. Required of type 'string'";
                    } else {
                        problem = attributes(type.approved(), item.get("attributes"), attrs);
                        if (problem != null) {
                            code = problem.startsWith("Field") ? "1006" : "1001";
                        }
                    }
                }
                if (problem != null) {
                    Map<String, Object> skipped = new LinkedHashMap<>();
                    skipped.put("status", "skipped");
                    skipped.put("errors", List.of(Map.of("code", code, "message", problem)));
                    out.add(skipped);
                    continue;
                }
                JsonNode primary = item.get("primaryAttributeValue");
                List<Map<String, Object>> list = new ArrayList<>();
                attrs.forEach((n, v) -> list.add(Map.of("name", n, "value", v)));
                long id = h.createUpdate(INSERT).bind("instance", instance).bind("lead", leadId).bind("partition", partition)
                        .bind("type", type.id()).bind("date", date.toEpochMilli())
                        .bind("primary", primary.isString() ? primary.asString() : primary.toString())
                        .bind("attributes", Json.MAPPER.writeValueAsString(list))
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                Map<String, Object> added = new LinkedHashMap<>();
                added.put("id", id);
                added.put("marketoGUID", Long.toString(id));
                added.put("status", "added");
                out.add(added);
            }
            return out;
        });
    }

    /** Checks custom activity attributes against the type; returns a problem or fills {@code out} by display name. */
    private static String attributes(JsonNode type, JsonNode given, Map<String, Object> out) {
        if (given == null || given.isNull()) {
            return null;
        }
        if (!given.isArray()) {
            return "Invalid value '" + Echo.of(given.toString()) + "'. Required of type 'array'";
        }
        for (JsonNode a : given) {
            String key = a.hasNonNull("apiName") ? a.path("apiName").asString() : a.path("name").asString("");
            JsonNode def = null;
            for (JsonNode candidate : type.path("attributes")) {
                if (candidate.path("apiName").asString().equals(key) || candidate.path("name").asString().equals(key)) {
                    def = candidate;
                }
            }
            if (def == null) {
                return "Field '" + Echo.of(key) + "' not found";
            }
            FieldType t = FieldType.parse(def.path("dataType").asString("string").replace("link", "url")).orElse(FieldType.STRING);
            try {
                Object v = t.fromJson(a.get("value"), null);
                if (v != null) {
                    out.put(def.path("name").asString(), t.toJson(v));
                }
            } catch (FieldType.Invalid e) {
                return "Invalid value '" + Echo.of(e.value()) + "'. Required of type '" + t.marketoName() + "'";
            }
        }
        return null;
    }

    private Map<String, Object> render(Row r, boolean leadChanges) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("marketoGUID", Long.toString(r.id()));
        m.put("leadId", r.leadId());
        m.put("activityDate", Instant.ofEpochMilli(r.date()).truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("activityTypeId", r.typeId());
        if (r.campaignId() != null) {
            m.put("campaignId", r.campaignId());
        }
        JsonNode attributes = Json.MAPPER.readTree(r.attributes());
        if (leadChanges) {
            List<Map<String, Object>> fields = new ArrayList<>();
            if (r.typeId() == ActivityTypes.CHANGE_DATA_VALUE) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", r.primaryId());
                f.put("name", r.primary());
                f.put("newValue", value(attributes, "New Value"));
                f.put("oldValue", value(attributes, "Old Value"));
                fields.add(f);
            }
            m.put("fields", fields);
            List<JsonNode> rest = new ArrayList<>();
            Predicate<JsonNode> isValue = a -> a.path("name").asString().equals("New Value") || a.path("name").asString().equals("Old Value");
            attributes.forEach(a -> {
                if (!isValue.test(a)) {
                    rest.add(a);
                }
            });
            m.put("attributes", rest);
            return m;
        }
        if (r.primaryId() != null) {
            m.put("primaryAttributeValueId", r.primaryId());
        }
        if (r.primary() != null) {
            m.put("primaryAttributeValue", r.primary());
        }
        m.put("attributes", attributes);
        return m;
    }

    private static Object value(JsonNode attributes, String name) {
        for (JsonNode a : attributes) {
            if (a.path("name").asString().equals(name)) {
                JsonNode v = a.get("value");
                return v == null || v.isNull() ? null : v.isString() ? v.asString() : v;
            }
        }
        return null;
    }

    /** ISO-8601 with or without offset (UTC assumed), or a date alone, in the years 0001 to 9999; 704 otherwise. */
    static Instant parseDate(String text) {
        Instant at = parseIso(text);
        if (!FieldType.datable(at)) {
            throw MarketoException.of(ErrorCode.INVALID_DATE);
        }
        return at;
    }

    private static Instant parseIso(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw MarketoException.of(ErrorCode.INVALID_DATE);
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            // try the other forms
        }
        try {
            return OffsetDateTime.parse(s, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]xx")).toInstant();
        } catch (DateTimeParseException e) {
            // try the other forms
        }
        try {
            return java.time.LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // try the other forms
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw MarketoException.of(ErrorCode.INVALID_DATE);
        }
    }
}
