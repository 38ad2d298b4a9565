package dev.mkto.server.leads;

import static dev.mkto.server.access.Permission.READ_ONLY_LEAD;
import static dev.mkto.server.access.Permission.READ_WRITE_LEAD;

import dev.mkto.server.access.Caller;
import dev.mkto.server.access.Grants;
import dev.mkto.server.activities.ActivityLog;
import dev.mkto.server.activities.ActivityTypes;
import dev.mkto.server.admin.Partitions;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The Lead Database's lead operations, scoped by workspace: a caller reads the leads in the
 * partitions of the workspaces where it holds a lead permission, and writes only where it holds
 * Read-Write Lead. A lead outside those partitions behaves as if it did not exist.
 */
public final class LeadService {

    /** Marketo's batch limit for inputs, filter values and page sizes. */
    public static final int MAX_BATCH = 300;
    /** More matches than this for one filter is 1003. */
    static final int MAX_MATCHES = 1000;
    /**
     * A filterType the swagger lists beside the fields: leads by their Munchkin cookie. This server
     * tracks no web visits, so no lead has one and such a query finds nothing.
     */
    private static final String COOKIES = "cookies";

    /** Sync modes. */
    public enum Action {
        CREATE_ONLY("createOnly"), UPDATE_ONLY("updateOnly"), CREATE_OR_UPDATE("createOrUpdate"), CREATE_DUPLICATE("createDuplicate");

        private final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        public static Optional<Action> parse(String s) {
            for (Action a : values()) {
                if (a.wire.equals(s)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }

    /** What seeding a lead did. */
    public enum Seeded { CREATED, UPDATED, UNCHANGED }

    /** One page of a query. */
    public record Page(List<Map<String, Object>> leads, String nextPageToken) {
    }

    private final Jdbi jdbi;
    private final LeadRepository repository;
    private final LeadSchema schema;
    private final Partitions partitions;
    private final ActivityLog activities;
    private final InstantSource clock;

    /** With {@code exclusive} (no other process can use the database), leads read by id are kept in memory ({@link LeadImage}). */
    public LeadService(Jdbi jdbi, boolean exclusive, LeadSchema schema, Partitions partitions, ActivityLog activities, InstantSource clock) {
        this.jdbi = jdbi;
        this.repository = new LeadRepository(jdbi, exclusive);
        this.schema = schema;
        this.partitions = partitions;
        this.activities = activities;
        this.clock = clock;
    }

    /** A lead by id, if the caller can see it. */
    public Optional<Map<String, Object>> get(Caller caller, long id, List<String> fieldNames) {
        List<LeadField> fields = fields(caller, fieldNames);
        LeadRepository.Lead lead = repository.committed(caller.instanceId(), readable(caller), List.of(id), fields).get(id);
        return Optional.ofNullable(lead).map(l -> render(l, fields));
    }

    /** The leads among {@code ids} the caller can see, in that order, with {@code fieldNames} (default fields if empty). */
    public List<Map<String, Object>> render(Caller caller, List<Long> ids, List<String> fieldNames) {
        List<LeadField> fields = fields(caller, fieldNames);
        List<Map<String, Object>> out = new ArrayList<>();
        for (LeadRepository.Lead l : repository.committed(caller.instanceId(), readable(caller), ids, fields).values()) {
            out.add(render(l, fields));
        }
        return out;
    }

    /** What a bulk lead export selects: creation or update window (epoch millis, end exclusive), or a static list. */
    public record ExportFilter(Long createdFrom, Long createdTo, Long updatedFrom, Long updatedTo, Long listId) {
    }

    /** Canonical names of {@code names}, or 1006 naming the first unknown one. */
    public List<String> fieldNames(long instance, List<String> names) {
        LeadSchema.Fields all = schema.fields(instance);
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(all.find(n).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(n))).name());
        }
        return out;
    }

    /** One page of a bulk export (ids above {@code afterId}), each lead as the values of {@code fieldNames} as text, id first. */
    public List<List<String>> exportPage(long instance, long[] partitions, List<String> fieldNames, ExportFilter f, long afterId, int limit) {
        LeadSchema.Fields all = schema.fields(instance);
        List<LeadField> fields = new ArrayList<>();
        fields.add(LeadSchema.STANDARD.getFirst());
        for (String n : fieldNames) {
            LeadField field = all.find(n).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(n)));
            if (!fields.contains(field)) {
                fields.add(field);
            }
        }
        List<Long> ids = repository.exportIds(instance, partitions, f.createdFrom(), f.createdTo(), f.updatedFrom(), f.updatedTo(),
                f.listId(), afterId, limit);
        List<List<String>> rows = new ArrayList<>();
        for (LeadRepository.Lead l : repository.committed(instance, partitions, ids, fields).values()) {
            List<String> row = new ArrayList<>();
            row.add(Long.toString(l.id()));
            for (String n : fieldNames) {
                LeadField field = all.find(n).orElseThrow();
                Object v = l.values().get(field.name());
                row.add(v == null ? null : String.valueOf(field.type().toJson(v)));
            }
            rows.add(row);
        }
        return rows;
    }

    /** Leads whose {@code filterType} field holds one of {@code values}; 1003 beyond 1000 matches. */
    public Page query(Caller caller, String filterType, List<String> values, List<String> fieldNames, int batchSize, String pageToken) {
        LeadSchema.Fields all = schema.fields(caller.instanceId());
        Optional<LeadField> found = all.find(filterType);
        boolean cookies = found.isEmpty() && filterType.equalsIgnoreCase(COOKIES);
        LeadField filter = cookies ? null : found.orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_SUPPORTED, Echo.of(filterType)));
        if (filter != null && !filter.searchable()) {
            throw MarketoException.of(ErrorCode.FIELD_NOT_SUPPORTED, filter.name());
        }
        if (values.size() > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "filterValues holds " + values.size() + " values; at most " + MAX_BATCH + " are allowed");
        }
        List<LeadField> fields = fields(caller, fieldNames);
        long after = decodePageToken(pageToken);
        if (cookies) {
            return new Page(List.of(), null); // no lead here is associated with a Munchkin cookie
        }
        List<String> keys = new ArrayList<>();
        for (String v : values) {
            keys.add(LeadRepository.key(filter, v));
        }
        List<Long> ids = repository.idsMatching(caller.instanceId(), readable(caller), filter, keys, MAX_MATCHES + 1);
        if (ids.size() > MAX_MATCHES) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Too many results match the filter");
        }
        List<Long> page = ids.stream().filter(id -> id > after).limit(batchSize + 1L).toList();
        boolean more = page.size() > batchSize;
        if (more) {
            page = page.subList(0, batchSize);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (LeadRepository.Lead l : repository.committed(caller.instanceId(), readable(caller), page, fields).values()) {
            out.add(render(l, fields));
        }
        return new Page(out, more ? encodePageToken(page.getLast()) : null);
    }

    /** Creates and updates leads, record by record in input order, in one transaction. */
    public List<Map<String, Object>> sync(Caller caller, String requestId, Action action, String lookupFieldName, String partitionName,
                                          List<Map<String, tools.jackson.databind.JsonNode>> input) {
        LeadSchema.Fields all = schema.fields(caller.instanceId());
        LeadField lookup = all.find(lookupFieldName == null ? "email" : lookupFieldName)
                .orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(lookupFieldName)));
        if (!lookup.searchable()) {
            throw MarketoException.of(ErrorCode.FIELD_NOT_SUPPORTED, lookup.name());
        }
        if (lookup.name().equals("leadPartitionId")) {
            throw MarketoException.of(ErrorCode.FIELD_NOT_SUPPORTED, lookup.name());
        }
        if (lookup.name().equals("id") && action != Action.UPDATE_ONLY) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "lookupField 'id' is only allowed with action updateOnly");
        }
        ActivityLog.Actor actor = ActivityLog.Actor.of(caller, "syncLead", requestId);
        return jdbi.inTransaction(h -> new SyncBatch(caller, actor, action, lookup, partitionName, all, input).run());
    }

    /** Deletes leads by id; each answers deleted, or skipped with 1004 (not found) or 1008 (read-only partition). */
    public List<Map<String, Object>> delete(Caller caller, String requestId, List<Long> ids) {
        if (ids.size() > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "input holds " + ids.size() + " records; at most " + MAX_BATCH + " are allowed");
        }
        return jdbi.inTransaction(h -> {
            LeadSchema.Fields all = schema.fields(caller.instanceId());
            Map<Long, LeadRepository.Lead> found = repository.byIds(caller.instanceId(), readable(caller), ids,
                    List.of(LeadSchema.STANDARD.getFirst(), all.find("firstName").orElseThrow(), all.find("lastName").orElseThrow(),
                            all.find("email").orElseThrow()), true);
            Grants g = caller.grants();
            List<Long> deletable = new ArrayList<>();
            List<ActivityLog.Entry> deleted = new ArrayList<>();
            List<Map<String, Object>> out = new ArrayList<>();
            for (Long id : ids) {
                LeadRepository.Lead l = found.get(id);
                if (l == null) {
                    out.add(skipped(id, Reason.of("1004", "Lead not found")));
                } else if (!g.canSeePartition(READ_WRITE_LEAD, l.partitionId())) {
                    out.add(skipped(id, accessDenied(l.partitionId(), caller)));
                } else {
                    if (!deletable.contains(id)) {
                        deletable.add(id);
                        deleted.add(new ActivityLog.Entry(id, l.partitionId(), ActivityTypes.DELETE_LEAD, null, id, displayName(l),
                                ActivityLog.attributes("Remove from CRM", false)));
                    }
                    out.add(status(id, "deleted"));
                }
            }
            repository.delete(caller.instanceId(), deletable);
            activities.record(ActivityLog.Actor.of(caller, "deleteLead", requestId), clock.millis(), deleted);
            return out;
        });
    }

    /**
     * Which of {@code values} of the lead field {@code fieldName} some lead in {@code partitions}
     * holds, for records of other objects that link to leads. A field that cannot be looked up
     * matches nothing.
     */
    public java.util.Set<Object> existing(long instance, long[] partitions, String fieldName, java.util.Collection<?> values) {
        Optional<LeadField> field = schema.fields(instance).find(fieldName).filter(LeadField::searchable);
        if (field.isEmpty() || values.isEmpty() || partitions.length == 0) {
            return java.util.Set.of();
        }
        Map<String, List<Object>> byKey = new HashMap<>();
        for (Object v : values) {
            byKey.computeIfAbsent(LeadRepository.key(field.get(), v), k -> new ArrayList<>()).add(v);
        }
        java.util.Set<Object> out = new java.util.HashSet<>();
        for (LeadRepository.Match m : repository.lookup(instance, partitions, field.get(), new ArrayList<>(byKey.keySet()),
                Integer.MAX_VALUE)) {
            out.addAll(byKey.getOrDefault(m.key(), List.of()));
        }
        return out;
    }

    /** Moves leads to another partition; both partitions must be writable by the caller. */
    public List<Map<String, Object>> updatePartitions(Caller caller, String requestId, List<Map.Entry<Long, String>> moves) {
        if (moves.size() > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "input holds " + moves.size() + " records; at most " + MAX_BATCH + " are allowed");
        }
        return jdbi.inTransaction(h -> {
            List<Long> ids = moves.stream().map(Map.Entry::getKey).filter(java.util.Objects::nonNull).toList();
            Map<Long, LeadRepository.Lead> found = repository.byIds(caller.instanceId(), readable(caller), ids,
                    List.of(LeadSchema.STANDARD.getFirst()), true);
            Grants g = caller.grants();
            long now = clock.millis();
            List<Map<String, Object>> out = new ArrayList<>();
            Map<Long, Long> current = new HashMap<>(); // each lead's partition as this call's earlier moves left it
            found.forEach((id, lead) -> current.put(id, lead.partitionId()));
            for (Map.Entry<Long, String> m : moves) {
                Long id = m.getKey();
                LeadRepository.Lead l = id == null ? null : found.get(id);
                if (id == null) {
                    out.add(skipped(null, Reason.of("1002", "Missing value for the required parameter 'id'")));
                } else if (m.getValue() == null || m.getValue().isBlank()) {
                    out.add(skipped(id, Reason.of("1009", "Partition name must be specified")));
                } else if (l == null) {
                    out.add(skipped(id, Reason.of("1004", "Lead not found")));
                } else if (!g.canSeePartition(READ_WRITE_LEAD, l.partitionId())) {
                    out.add(skipped(id, accessDenied(l.partitionId(), caller)));
                } else {
                    Optional<Partitions.Partition> target = partitions.byName(caller.instanceId(), m.getValue())
                            .filter(p -> g.canSeePartition(READ_WRITE_LEAD, p.id()));
                    if (target.isEmpty()) {
                        out.add(skipped(id, Reason.of("1008", "Access denied to partition '" + Echo.of(m.getValue().strip()) + "'")));
                    } else if (target.get().id() == current.get(id)) {
                        out.add(status(id, "updated")); // already there: nothing changes, nothing is recorded (as a sync that changes nothing)
                    } else {
                        repository.move(id, target.get().id(), now);
                        activities.moved(caller.instanceId(), id, target.get().id());
                        activities.record(ActivityLog.Actor.of(caller, "updateLeadPartition", requestId), now, List.of(new ActivityLog.Entry(
                                id, target.get().id(), ActivityTypes.CHANGE_LEAD_PARTITION, null, target.get().id(), target.get().name(),
                                ActivityLog.attributes("New Partition ID", target.get().id(), "Old Partition ID", current.get(id),
                                        "Reason", "Web service API"))));
                        current.put(id, target.get().id());
                        out.add(status(id, "updated"));
                    }
                }
            }
            return out;
        });
    }

    /** The partitions the caller can read leads in. */
    public List<Map<String, Object>> partitions(Caller caller) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Partitions.Partition p : partitions.list(caller.instanceId())) {
            if (caller.grants().canSeePartition(READ_ONLY_LEAD, p.id())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", p.id());
                m.put("name", p.name());
                if (p.description() != null) {
                    m.put("description", p.description());
                }
                out.add(m);
            }
        }
        return out;
    }

    /** Describe Lead (v1): every field with its REST and SOAP names. */
    public List<Map<String, Object>> describe(Caller caller) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LeadField f : schema.fields(caller.instanceId()).all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id());
            m.put("displayName", f.displayName());
            m.put("dataType", f.type().marketoName());
            if (f.length() != null) {
                m.put("length", f.length());
            }
            m.put("rest", Map.of("name", f.name(), "readOnly", !f.updateable()));
            m.put("soap", Map.of("name", soapName(f.name()), "readOnly", !f.updateable()));
            out.add(m);
        }
        return out;
    }

    /** Describe Lead2: searchable fields and every field's type and updateability. */
    public List<Map<String, Object>> describe2(Caller caller) {
        List<List<String>> searchable = new ArrayList<>();
        List<Map<String, Object>> fields = new ArrayList<>();
        for (LeadField f : schema.fields(caller.instanceId()).all()) {
            if (f.searchable()) {
                searchable.add(List.of(f.name()));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.name());
            m.put("displayName", f.displayName());
            m.put("dataType", f.type().marketoName());
            if (f.length() != null) {
                m.put("length", f.length());
            }
            m.put("updateable", f.updateable());
            m.put("crmManaged", false);
            fields.add(m);
        }
        Map<String, Object> lead = new LinkedHashMap<>();
        lead.put("name", "API Lead");
        lead.put("searchableFields", searchable);
        lead.put("fields", fields);
        return List.of(lead);
    }

    // ---------------------------------------------------------------------------------------

    /** One sync call's records, processed in order against the database and each other. */
    private final class SyncBatch {
        private final Caller caller;
        private final ActivityLog.Actor actor;
        private final Action action;
        private final LeadField lookup;
        private final String partitionName;
        private final LeadSchema.Fields fields;
        private final List<Map<String, tools.jackson.databind.JsonNode>> input;
        private final long[] writable;

        /** A record's outcome; created leads get their id after the insert. */
        private final class Outcome {
            LeadRepository.Lead lead;
            String status;
            Reason reason;
            int createIndex = -1;
        }

        SyncBatch(Caller caller, ActivityLog.Actor actor, Action action, LeadField lookup, String partitionName, LeadSchema.Fields fields,
                  List<Map<String, tools.jackson.databind.JsonNode>> input) {
            this.caller = caller;
            this.actor = actor;
            this.action = action;
            this.lookup = lookup;
            this.partitionName = partitionName == null || partitionName.isBlank() ? null : partitionName.strip();
            this.fields = fields;
            this.input = input;
            this.writable = caller.grants().partitionsWith(READ_WRITE_LEAD);
        }

        List<Map<String, Object>> run() {
            long instance = caller.instanceId();
            long now = clock.millis();
            Reason targetError = null;
            long target = -1;
            if (partitionName != null) {
                Optional<Partitions.Partition> p = partitions.byName(instance, partitionName)
                        .filter(x -> caller.grants().canSeePartition(READ_WRITE_LEAD, x.id()));
                if (p.isEmpty()) {
                    targetError = Reason.of("1008", "Access denied to partition '" + Echo.of(partitionName) + "'");
                } else {
                    target = p.get().id();
                }
            } else {
                List<Long> primaries = caller.grants().primaryPartitionsWith(READ_WRITE_LEAD);
                if (primaries.size() == 1) {
                    target = primaries.getFirst();
                } else {
                    targetError = Reason.of("1009", "Partition name must be specified");
                }
            }
            long[] scope = target >= 0 && partitionName != null ? new long[] {target} : writable;

            // parse every record first, so the lookups can be batched
            List<Map<String, Object>> parsed = new ArrayList<>();
            List<Reason> parseErrors = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (Map<String, tools.jackson.databind.JsonNode> record : input) {
                Map<String, Object> values = new LinkedHashMap<>();
                Reason error = record == null ? Reason.of("1003", "Invalid data") : parse(record, values);
                parsed.add(values);
                parseErrors.add(error);
                LeadField by = lookupField(values);
                String key = error == null ? LeadRepository.key(by, lookupValue(values)) : null;
                keys.add(key == null ? null : by.name() + "\u0000" + key);
            }
            Map<String, List<LeadRepository.Match>> existing = new HashMap<>();
            if (action != Action.CREATE_DUPLICATE && !(partitionName != null && targetError != null)) {
                Map<String, List<String>> byField = new LinkedHashMap<>();
                for (String k : keys) {
                    if (k != null) {
                        int cut = k.indexOf('\u0000');
                        byField.computeIfAbsent(k.substring(0, cut), x -> new ArrayList<>()).add(k.substring(cut + 1));
                    }
                }
                for (Map.Entry<String, List<String>> e : byField.entrySet()) {
                    LeadField by = fields.find(e.getKey()).orElseThrow();
                    long[] lookupScope = by.name().equals("id") ? readable(caller) : scope;
                    for (LeadRepository.Match m : repository.lookup(instance, lookupScope, by, e.getValue().stream().distinct().toList(),
                            Integer.MAX_VALUE)) {
                        existing.computeIfAbsent(by.name() + "\u0000" + m.key(), k -> new ArrayList<>()).add(m);
                    }
                }
            }
            List<Long> toLoad = existing.values().stream().filter(l -> l.size() == 1).map(l -> l.getFirst().id()).distinct().toList();
            Map<Long, LeadRepository.Lead> current = new HashMap<>(repository.byIds(instance, readable(caller), toLoad, fields.all(), true));

            List<Outcome> outcomes = new ArrayList<>();
            List<ActivityLog.Entry> changes = new ArrayList<>();
            List<LeadRepository.Lead> creates = new ArrayList<>();
            Map<Long, LeadRepository.Lead> updates = new LinkedHashMap<>();
            Map<String, Outcome> createdInBatch = new HashMap<>();
            for (int i = 0; i < input.size(); i++) {
                Outcome o = new Outcome();
                outcomes.add(o);
                if (parseErrors.get(i) != null) {
                    o.reason = parseErrors.get(i);
                    continue;
                }
                Map<String, Object> values = parsed.get(i);
                String key = keys.get(i);
                if (key == null && (action == Action.UPDATE_ONLY || action == Action.CREATE_OR_UPDATE)) {
                    o.reason = Reason.of("1002", "Missing value for the required parameter '" + lookupField(values).name() + "'");
                    continue;
                }
                if (partitionName != null && targetError != null) {
                    // a named partition the caller cannot write (or that does not exist) is refused for updates as for creates
                    o.reason = targetError;
                    continue;
                }
                Outcome pending = key == null || action == Action.CREATE_DUPLICATE ? null : createdInBatch.get(key);
                List<LeadRepository.Match> matches = key == null || action == Action.CREATE_DUPLICATE
                        ? List.of() : existing.getOrDefault(key, List.of());
                if (pending != null) {
                    if (action == Action.CREATE_ONLY) {
                        o.reason = Reason.of("1005", "Lead already exists");
                    } else {
                        pending.lead.values().putAll(values);
                        o.createIndex = pending.createIndex;
                        o.status = "updated";
                    }
                    continue;
                }
                if (matches.size() > 1) {
                    o.reason = Reason.of("1007", "Multiple lead match lookup criteria");
                    continue;
                }
                if (matches.size() == 1) {
                    LeadRepository.Match m = matches.getFirst();
                    if (action == Action.CREATE_ONLY) {
                        o.reason = Reason.of("1005", "Lead already exists");
                        continue;
                    }
                    if (!caller.grants().canSeePartition(READ_WRITE_LEAD, m.partitionId())) {
                        o.reason = accessDenied(m.partitionId(), caller);
                        continue;
                    }
                    if (partitionName != null && target >= 0 && m.partitionId() != target) {
                        o.reason = Reason.of("1010", "Partition update not allowed");
                        continue;
                    }
                    LeadRepository.Lead lead = updates.computeIfAbsent(m.id(), id -> current.get(id));
                    if (lead == null) {
                        o.reason = Reason.of("1004", "Lead not found");
                        continue;
                    }
                    values.remove("id");
                    changes.addAll(changesOf(lead, values));
                    lead.values().putAll(values);
                    o.lead = lead;
                    o.status = "updated";
                    continue;
                }
                if (action == Action.UPDATE_ONLY) {
                    o.reason = Reason.of("1004", "Lead not found");
                    continue;
                }
                if (targetError != null) {
                    o.reason = targetError;
                    continue;
                }
                o.lead = new LeadRepository.Lead(0, target, values);
                o.createIndex = creates.size();
                o.status = "created";
                creates.add(o.lead);
                if (key != null) {
                    createdInBatch.put(key, o);
                }
            }
            List<LeadField> custom = fields.all().stream().filter(LeadField::custom).toList();
            List<Long> ids = repository.insert(instance, creates, custom, now);
            repository.update(new ArrayList<>(updates.values()), custom, now);
            List<ActivityLog.Entry> recorded = new ArrayList<>();
            for (int i = 0; i < creates.size(); i++) {
                recorded.add(newLead(ids.get(i), creates.get(i)));
            }
            recorded.addAll(changes);
            activities.record(actor, now, recorded);

            List<Map<String, Object>> out = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o.reason != null) {
                    out.add(skipped(null, o.reason));
                } else if (o.createIndex >= 0) {
                    out.add(status(ids.get(o.createIndex), o.status));
                } else {
                    out.add(status(o.lead.id(), o.status));
                }
            }
            return out;
        }

        /** A Change Data Value activity for every field whose value {@code values} changes. */
        private List<ActivityLog.Entry> changesOf(LeadRepository.Lead lead, Map<String, Object> values) {
            List<ActivityLog.Entry> out = new ArrayList<>();
            for (Map.Entry<String, Object> e : values.entrySet()) {
                Object old = lead.values().get(e.getKey());
                if (!java.util.Objects.equals(old, e.getValue())) {
                    LeadField f = fields.find(e.getKey()).orElseThrow();
                    out.add(new ActivityLog.Entry(lead.id(), lead.partitionId(), ActivityTypes.CHANGE_DATA_VALUE, null, (long) f.id(), f.name(),
                            ActivityLog.attributes("New Value", text(f, e.getValue()), "Old Value", text(f, old),
                                    "Reason", "Web service API", "Source", "Web service API")));
                }
            }
            return out;
        }

        /** The field a record is looked up by: its {@code id} under updateOnly, else the lookup field. */
        private LeadField lookupField(Map<String, Object> values) {
            if (action == Action.UPDATE_ONLY && (lookup.name().equals("id") || (values != null && values.containsKey("id")))) {
                return LeadSchema.STANDARD.getFirst();
            }
            return lookup;
        }

        private Object lookupValue(Map<String, Object> values) {
            return values.get(lookupField(values).name());
        }

        private Reason parse(Map<String, tools.jackson.databind.JsonNode> record, Map<String, Object> values) {
            return parseRecord(fields, action, record, values);
        }
    }

    private static ActivityLog.Entry newLead(long id, LeadRepository.Lead lead) {
        return new ActivityLog.Entry(id, lead.partitionId(), ActivityTypes.NEW_LEAD, null, id, null,
                ActivityLog.attributes("Source Type", "Web service API", "Lead Source", lead.values().get("leadSource")));
    }

    private static String text(LeadField f, Object value) {
        return value == null ? null : String.valueOf(f.type().toJson(value));
    }

    /** Checks and converts a record's fields into {@code values}; returns the first problem, if any. */
    private static Reason parseRecord(LeadSchema.Fields fields, Action action, Map<String, tools.jackson.databind.JsonNode> record,
                                      Map<String, Object> values) {
        for (Map.Entry<String, tools.jackson.databind.JsonNode> e : record.entrySet()) {
            Optional<LeadField> f = fields.find(e.getKey());
            if (f.isEmpty()) {
                return Reason.of("1006", "Field '" + Echo.of(e.getKey()) + "' not found");
            }
            LeadField field = f.get();
            if (field.name().equals("id")) {
                if (action != Action.UPDATE_ONLY) {
                    return Reason.of("1003", "Field 'id' is only allowed with action updateOnly");
                }
            } else if (!field.updateable()) {
                return Reason.of("1003", "Field '" + field.name() + "' is not updateable");
            }
            if (values.containsKey(field.name())) { // "email" and "Email": which value was meant cannot be known
                return Reason.of("1003", "Field '" + field.name() + "' is given twice (as '" + Echo.of(e.getKey()) + "' too)");
            }
            try {
                values.put(field.name(), field.type().fromJson(e.getValue(), field.length()));
            } catch (FieldType.Invalid invalid) {
                return Reason.of("1001", "Invalid value '" + Echo.of(invalid.value()) + "'. Required of type '"
                        + field.type().marketoName() + "'");
            }
        }
        return null;
    }

    /**
     * Seeds a lead into a partition: creates it, or updates the lead with the same e-mail there
     * when a value differs. A bad record is refused naming {@code where}.
     */
    public Seeded seed(long instance, long partitionId, Map<String, tools.jackson.databind.JsonNode> record, String where) {
        LeadSchema.Fields all = schema.fields(instance);
        Map<String, Object> values = new LinkedHashMap<>();
        Reason problem = parseRecord(all, Action.CREATE_OR_UPDATE, record, values);
        if (problem != null) {
            throw dev.mkto.server.http.AdminException.invalid(where + ": " + problem.message());
        }
        if (values.get("email") == null) {
            throw dev.mkto.server.http.AdminException.invalid(where + ": a seeded lead needs an email (leads are matched by it)");
        }
        LeadField email = all.find("email").orElseThrow();
        long[] scope = {partitionId};
        List<LeadRepository.Match> matches = repository.lookup(instance, scope, email,
                List.of(LeadRepository.key(email, values.get("email"))), 2);
        List<LeadField> custom = all.all().stream().filter(LeadField::custom).toList();
        long now = clock.millis();
        ActivityLog.Actor actor = new ActivityLog.Actor(instance, "seed", "seed", null);
        if (matches.isEmpty()) {
            LeadRepository.Lead lead = new LeadRepository.Lead(0, partitionId, values);
            long id = repository.insert(instance, List.of(lead), custom, now).getFirst();
            activities.record(actor, now, List.of(newLead(id, lead)));
            return Seeded.CREATED;
        }
        if (matches.size() > 1) {
            throw dev.mkto.server.http.AdminException.invalid(where + ": several leads in the partition have this email");
        }
        LeadRepository.Lead current = repository.byIds(instance, scope, List.of(matches.getFirst().id()), all.all(), true)
                .get(matches.getFirst().id());
        boolean changed = values.entrySet().stream().anyMatch(e -> !java.util.Objects.equals(current.values().get(e.getKey()), e.getValue()));
        if (!changed) {
            return Seeded.UNCHANGED;
        }
        List<ActivityLog.Entry> changedFields = new ArrayList<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object old = current.values().get(e.getKey());
            if (!java.util.Objects.equals(old, e.getValue())) {
                LeadField f = all.find(e.getKey()).orElseThrow();
                changedFields.add(new ActivityLog.Entry(current.id(), partitionId, ActivityTypes.CHANGE_DATA_VALUE, null, (long) f.id(), f.name(),
                        ActivityLog.attributes("New Value", text(f, e.getValue()), "Old Value", text(f, old), "Reason", "Seed", "Source", "Seed")));
            }
        }
        current.values().putAll(values);
        repository.update(List.of(current), custom, now);
        activities.record(actor, now, changedFields);
        return Seeded.UPDATED;
    }

    // ---------------------------------------------------------------------------------------

    /** A record-level reason. */
    public record Reason(String code, String message) {
        static Reason of(String code, String message) {
            return new Reason(code, message);
        }
    }

    private Reason accessDenied(long partitionId, Caller caller) {
        String name = partitions.find(caller.instanceId(), partitionId).map(Partitions.Partition::name).orElse(String.valueOf(partitionId));
        return Reason.of("1008", "Access denied to partition '" + Echo.of(name) + "'");
    }

    private static Map<String, Object> status(Long id, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (id != null) {
            m.put("id", id);
        }
        m.put("status", status);
        return m;
    }

    private static Map<String, Object> skipped(Long id, Reason reason) {
        Map<String, Object> m = status(id, "skipped");
        m.put("reasons", List.of(reason));
        return m;
    }

    private static long[] readable(Caller caller) {
        return caller.grants().partitionsWith(READ_ONLY_LEAD);
    }

    private List<LeadField> fields(Caller caller, List<String> names) {
        LeadSchema.Fields all = schema.fields(caller.instanceId());
        List<LeadField> out = new ArrayList<>();
        out.add(LeadSchema.STANDARD.getFirst());
        for (String n : names.isEmpty() ? LeadSchema.DEFAULT_FIELDS : names) {
            LeadField f = all.find(n).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(n)));
            if (!out.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    private static Map<String, Object> render(LeadRepository.Lead lead, List<LeadField> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (LeadField f : fields) {
            Object v = lead.values().get(f.name());
            if (v != null) {
                m.put(f.name(), f.type().toJson(v));
            }
        }
        return m;
    }

    static String encodePageToken(long lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("lead:" + lastId).getBytes(StandardCharsets.US_ASCII));
    }

    static long decodePageToken(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.US_ASCII);
            if (s.startsWith("lead:")) {
                long id = Long.parseLong(s.substring(5));
                if (id >= 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid nextPageToken");
    }

    private static String displayName(LeadRepository.Lead l) {
        Object first = l.values().get("firstName");
        Object last = l.values().get("lastName");
        String name = ((first == null ? "" : first) + " " + (last == null ? "" : last)).strip();
        if (!name.isEmpty()) {
            return name;
        }
        Object email = l.values().get("email");
        return email == null ? "Lead " + l.id() : email.toString();
    }

    private static String soapName(String rest) {
        return rest.isEmpty() ? rest : Character.toUpperCase(rest.charAt(0)) + rest.substring(1);
    }

}
