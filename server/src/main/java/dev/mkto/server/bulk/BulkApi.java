package dev.mkto.server.bulk;

import static dev.mkto.server.access.Permission.READ_ONLY_LEAD;

import dev.mkto.server.activities.ActivityService;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import dev.mkto.server.leads.FieldType;
import dev.mkto.server.leads.LeadService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bulk extract of leads and activities ({@code /bulk/v1/leads/export/…}, {@code /bulk/v1/activities/export/…}):
 * create a job, enqueue it, poll its status, download its file (byte ranges too), cancel it, list
 * the calling API user's jobs. Jobs run in the background (see {@link ExportWorker}).
 */
public final class BulkApi implements ApiRoutes.Feature, AutoCloseable {

    static final Duration MAX_RANGE = Duration.ofDays(31);
    private static final Set<String> FORMATS = Set.of("CSV", "TSV", "SSV");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final ExportJobs jobs;
    private final ExportWorker worker;
    private final LeadService leads;
    private final Jdbi jdbi;

    public BulkApi(Jdbi jdbi, Instances instances, LeadService leads, ActivityService activities, InstantSource clock) {
        this.jdbi = jdbi;
        this.jobs = new ExportJobs(jdbi, instances, clock);
        this.worker = new ExportWorker(jobs, leads, activities);
        this.leads = leads;
    }

    /** Starts processing queued jobs in the background. */
    public void start() {
        worker.start();
    }

    @Override
    public void register(ApiRoutes routes) {
        for (String kind : List.of("leads", "activities")) {
            String base = "/bulk/v1/" + kind + "/export";
            routes.post(base + "/create.json", call -> one(create(call, kind)))
                    .post(base + "/{exportId}/enqueue.json", call -> one(jobs.enqueue(call.caller(), kind, call.pathVar("exportId"))))
                    .get(base + "/{exportId}/status.json", call -> one(jobs.get(call.caller(), kind, call.pathVar("exportId"))))
                    .post(base + "/{exportId}/cancel.json", call -> one(jobs.cancel(call.caller(), kind, call.pathVar("exportId"))))
                    .get(base + "/{exportId}/file.json", call -> file(call, kind))
                    .get(base + ".json", call -> list(call, kind));
        }
    }

    private ExportJobs.Job create(ApiCall call, String kind) {
        JsonNode body = call.json();
        if (!body.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        String format = body.hasNonNull("format") ? text(body.get("format"), "format").toUpperCase(java.util.Locale.ROOT) : "CSV";
        if (!FORMATS.contains(format)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "format must be CSV, TSV or SSV");
        }
        JsonNode filter = body.get("filter");
        if (filter == null || filter.isNull()) {
            throw MarketoException.of(ErrorCode.BLANK, "filter");
        }
        if (!filter.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        ObjectNode stored = Json.MAPPER.createObjectNode();
        ObjectNode storedFilter = stored.putObject("filter");
        List<String> fields = strings(body.get("fields"), "fields");
        if (kind.equals("leads")) {
            if (fields.isEmpty()) {
                throw MarketoException.of(ErrorCode.BLANK, "fields");
            }
            fields = leads.fieldNames(call.caller().instanceId(), fields);
            leadFilter(call, filter, storedFilter);
        } else {
            fields = fields.isEmpty() ? ActivityService.EXPORT_FIELDS : fields;
            for (String f : fields) {
                if (!ActivityService.EXPORT_FIELDS.contains(f)) {
                    throw MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(f));
                }
            }
            activityFilter(filter, storedFilter);
        }
        stored.set("fields", Json.MAPPER.valueToTree(fields));
        JsonNode headers = body.get("columnHeaderNames");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
            for (String name : headers.propertyNames()) {
                text(headers.get(name), "columnHeaderNames." + Echo.of(name));
            }
            stored.set("columnHeaderNames", headers);
        }
        return jobs.create(call.caller(), kind, format, stored.toString());
    }

    private void leadFilter(ApiCall call, JsonNode filter, ObjectNode out) {
        Set<String> given = new HashSet<>();
        filter.propertyNames().forEach(given::add);
        given.removeIf(k -> filter.get(k).isNull());
        if (given.contains("smartListId") || given.contains("smartListName")) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Unsupported filter type: smart lists are not available on this server");
        }
        given.retainAll(Set.of("createdAt", "updatedAt", "staticListId", "staticListName"));
        if (given.isEmpty()) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "filter needs one of createdAt, updatedAt, staticListId, staticListName");
        }
        for (String range : List.of("createdAt", "updatedAt")) {
            if (filter.hasNonNull(range)) {
                range(filter.get(range), range, out.putObject(range));
            }
        }
        if (filter.hasNonNull("staticListId") || filter.hasNonNull("staticListName")) {
            Long id = filter.hasNonNull("staticListId") ? (filter.get("staticListId").canConvertToLong() && filter.get("staticListId").isIntegralNumber()
                    ? filter.get("staticListId").asLong() : badList()) : null;
            String name = filter.hasNonNull("staticListName") ? text(filter.get("staticListName"), "staticListName") : null;
            Set<Long> workspaces = new HashSet<>();
            call.caller().grants().workspacesWith(READ_ONLY_LEAD).forEach(w -> workspaces.add(w.id()));
            Long listId = jdbi.withHandle(h -> h.createQuery("SELECT id, workspace_id, name FROM static_list WHERE instance_id = :i")
                    .bind("i", call.caller().instanceId())
                    .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getString(3)}).list().stream()
                    .filter(r -> workspaces.contains((Long) r[1]))
                    .filter(r -> (id == null || id.equals(r[0])) && (name == null || name.equals(r[2])))
                    .map(r -> (Long) r[0]).findFirst().orElse(null));
            if (listId == null) {
                throw new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Static list not found");
            }
            out.put("staticListId", listId);
        }
    }

    private static Long badList() {
        throw new MarketoException(ErrorCode.INVALID_DATA, "staticListId must be an integer");
    }

    private static void activityFilter(JsonNode filter, ObjectNode out) {
        if (!filter.hasNonNull("createdAt")) {
            throw MarketoException.of(ErrorCode.BLANK, "createdAt");
        }
        range(filter.get("createdAt"), "createdAt", out.putObject("createdAt"));
        for (String list : List.of("activityTypeIds", "primaryAttributeValueIds")) {
            JsonNode v = filter.get(list);
            if (v != null && !v.isNull()) {
                if (!v.isArray()) {
                    throw MarketoException.of(ErrorCode.INVALID_JSON);
                }
                for (JsonNode n : v) {
                    if (!n.isIntegralNumber() || !(list.equals("activityTypeIds") ? n.canConvertToInt() : n.canConvertToLong())) {
                        throw new MarketoException(ErrorCode.INVALID_DATA, list + " must hold integers");
                    }
                }
                out.set(list, v);
            }
        }
        JsonNode values = filter.get("primaryAttributeValues");
        if (values != null && !values.isNull()) {
            strings(values, "primaryAttributeValues");
            out.set("primaryAttributeValues", values);
        }
    }

    /** A date range: both ends ISO-8601 (704 otherwise), start before end, at most 31 days (1003). */
    private static void range(JsonNode range, String name, ObjectNode out) {
        if (!range.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        Instant start = date(range.get("startAt"), name + ".startAt");
        Instant end = date(range.get("endAt"), name + ".endAt");
        if (!end.isAfter(start)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, name + ": endAt must be after startAt");
        }
        if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
            throw new MarketoException(ErrorCode.INVALID_DATA, name + ": the date range must not exceed 31 days");
        }
        out.put("startAt", start.toEpochMilli());
        out.put("endAt", end.toEpochMilli());
    }

    private static Instant date(JsonNode v, String name) {
        if (v == null || v.isNull()) {
            throw MarketoException.of(ErrorCode.BLANK, name);
        }
        if (!v.isString()) {
            throw MarketoException.of(ErrorCode.INVALID_DATE);
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(v.asString().strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw MarketoException.of(ErrorCode.INVALID_DATE);
        }
        if (!FieldType.datable(at)) {
            throw MarketoException.of(ErrorCode.INVALID_DATE);
        }
        return at;
    }

    private Reply file(ApiCall call, String kind) {
        ExportJobs.Job job = jobs.get(call.caller(), kind, call.pathVar("exportId"));
        if (!ExportJobs.readableBy(call.caller(), job)) {
            throw new MarketoException(ErrorCode.ACCESS_DENIED, "This job's file holds records of lead partitions you can no longer read;"
                    + " create and enqueue a new job");
        }
        if (!job.status().equals("Completed")) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Job is " + job.status() + "; its file is ready once it is Completed");
        }
        if (jobs.expired(job)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "The file of this job has expired (files are kept 7 days)");
        }
        long size = job.fileSize();
        String type = (job.format().equals("TSV") ? "text/tab-separated-values" : "text/csv") + ";charset=UTF-8";
        if (call.range().isEmpty() || size == 0) {
            return new Reply.File(200, type, Map.of("Accept-Ranges", "bytes"), jobs.read(job.id(), 0, size - 1));
        }
        Matcher m = RANGE.matcher(call.range().get().strip());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new Reply.File(416, "text/plain;charset=UTF-8", Map.of("Content-Range", "bytes */" + size),
                    "Range must look like bytes=0-999".getBytes(StandardCharsets.UTF_8));
        }
        long from;
        long to;
        if (m.group(1).isEmpty()) {
            from = Math.max(0, size - Math.min(size, position(m.group(2))));
            to = size - 1;
        } else {
            from = position(m.group(1));
            to = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, position(m.group(2)));
        }
        if (from >= size || from > to) {
            return new Reply.File(416, "text/plain;charset=UTF-8", Map.of("Content-Range", "bytes */" + size),
                    "Range not satisfiable".getBytes(StandardCharsets.UTF_8));
        }
        return new Reply.File(206, type, Map.of("Accept-Ranges", "bytes", "Content-Range", "bytes " + from + "-" + to + "/" + size),
                jobs.read(job.id(), from, to));
    }

    /** A byte position of a range: digits, however many (beyond a long is beyond any file). */
    private static long position(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** A job's statuses, as Marketo names them. */
    private static final List<String> STATUSES = List.of("Created", "Queued", "Processing", "Cancelled", "Completed", "Failed");

    private Reply list(ApiCall call, String kind) {
        List<String> statuses = call.listParam("status");
        for (String s : statuses) {
            if (STATUSES.stream().noneMatch(s::equalsIgnoreCase)) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid status '" + Echo.of(s) + "'; use " + String.join(", ", STATUSES));
            }
        }
        int batchSize = call.intParam("batchSize", 300, 1, 300);
        int offset = 0;
        if (call.param("nextPageToken").isPresent()) {
            try {
                String t = new String(Base64.getUrlDecoder().decode(call.param("nextPageToken").get()), StandardCharsets.US_ASCII);
                if (!t.startsWith("exports:")) {
                    throw new IllegalArgumentException(t);
                }
                offset = Integer.parseInt(t.substring(t.indexOf(':') + 1));
                if (offset < 0) {
                    throw new IllegalArgumentException(t);
                }
            } catch (RuntimeException e) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid nextPageToken");
            }
        }
        List<ExportJobs.Job> owned = jobs.owned(call.caller(), kind).stream()
                .filter(j -> statuses.isEmpty() || statuses.stream().anyMatch(s -> s.equalsIgnoreCase(j.status()))).toList();
        List<Map<String, Object>> page = owned.stream().skip(offset).limit(batchSize).map(ExportJobs::view).toList();
        String next = (long) offset + batchSize < owned.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(("exports:" + (offset + batchSize)).getBytes(StandardCharsets.US_ASCII))
                : null;
        return new Reply.Envelope(page, next, null, List.of(), Map.of());
    }

    private static Reply one(ExportJobs.Job job) {
        return Reply.Envelope.of(List.of(ExportJobs.view(job)));
    }

    private static String text(JsonNode v, String name) {
        if (v == null || !v.isString() || !FieldType.storable(v.asString())) {
            throw new MarketoException(ErrorCode.INVALID_DATA, name + " must be a string without the NUL character or half a surrogate pair");
        }
        return v.asString();
    }

    private static List<String> strings(JsonNode v, String name) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        for (JsonNode n : v) {
            out.add(text(n, name));
        }
        return out;
    }

    @Override
    public void close() {
        worker.close();
    }
}
