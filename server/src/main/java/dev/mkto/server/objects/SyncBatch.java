package dev.mkto.server.objects;

import dev.mkto.server.access.Caller;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.objects.ObjectField.Missing;
import dev.mkto.server.objects.ObjectKind.Action;
import dev.mkto.server.objects.ObjectRepository.Row;
import dev.mkto.server.objects.ObjectRepository.Target;
import dev.mkto.server.objects.Records.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One sync call: its records are parsed, looked up and checked together, then decided in input
 * order, each on its own. A record repeating the key of an earlier one in the same call is 1036.
 */
final class SyncBatch {

    /** A record as parsed: its values (null clears a field), where to look it up, or why it is skipped. */
    private static final class Parsed {
        final Map<String, Object> values = new LinkedHashMap<>();
        Reason error;
        Target target;
        String key;
    }

    private final ObjectService service;
    private final ObjectRepository repository;
    private final Caller caller;
    private final ObjectKind kind;
    private final Action action;
    private final boolean byIdField;
    private final List<Map<String, JsonNode>> input;
    private final long now;
    /** Dedupe keys that records of this call are created with or renamed to, and by which record (0: a new one). */
    private final Map<String, Long> claimed = new HashMap<>();

    SyncBatch(ObjectService service, ObjectRepository repository, Caller caller, ObjectKind kind, Action action, boolean byIdField,
              List<Map<String, JsonNode>> input, long now) {
        this.service = service;
        this.repository = repository;
        this.caller = caller;
        this.kind = kind;
        this.action = action;
        this.byIdField = byIdField;
        this.input = input;
        this.now = now;
    }

    List<Map<String, Object>> run() {
        long instance = caller.instanceId();
        List<Parsed> parsed = input.stream().map(this::parse).toList();
        Map<String, Row> byId = lookup(parsed, ObjectRepository.ById.class);
        Map<String, Row> byDedupe = lookup(parsed, ObjectRepository.ByDedupe.class);
        Map<String, Set<Object>> targets = linkTargets(parsed);

        Map<Long, Row> updates = new LinkedHashMap<>();
        List<Row> creates = new ArrayList<>();
        Map<Integer, Integer> createIndex = new HashMap<>();
        Set<String> seen = new HashSet<>();
        List<Object> outcomes = new ArrayList<>();
        for (int seq = 0; seq < parsed.size(); seq++) {
            Parsed p = parsed.get(seq);
            Object outcome = p.error;
            if (outcome == null) {
                String seenKey = (p.target instanceof ObjectRepository.ById ? "id:" : "dedupe:") + p.key;
                Row stored = p.target instanceof ObjectRepository.ById ? byId.get(p.key) : byDedupe.get(p.key);
                if (stored != null) {
                    stored = updates.getOrDefault(stored.id(), stored);
                    seenKey = "id:" + stored.id();
                }
                if (!seen.add(seenKey)) {
                    outcome = Reason.DUPLICATE;
                } else if (stored != null) {
                    outcome = update(p, stored, targets, updates);
                } else if (action == Action.UPDATE_ONLY || byIdField || p.target instanceof ObjectRepository.ById) {
                    outcome = Reason.NOT_FOUND;
                } else {
                    outcome = create(p, targets, creates, createIndex, seq);
                }
            }
            outcomes.add(outcome);
        }

        List<Row> created = repository.insert(kind, instance, creates, now);
        repository.update(kind, instance, updates.values(), now);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int seq = 0; seq < outcomes.size(); seq++) {
            Object o = outcomes.get(seq);
            if (o instanceof Reason r) {
                out.add(Records.skipped(seq, r));
            } else if (createIndex.containsKey(seq)) {
                out.add(Records.status(seq, kind, Records.id(kind, created.get(createIndex.get(seq))), "created"));
            } else {
                out.add(Records.status(seq, kind, Records.id(kind, (Row) o), "updated"));
            }
        }
        return out;
    }

    // ----- parsing ------------------------------------------------------------------------------

    private Parsed parse(Map<String, JsonNode> record) {
        Parsed p = new Parsed();
        if (record == null) {
            p.error = Reason.INVALID_DATA;
            return p;
        }
        Object id = null;
        for (Map.Entry<String, JsonNode> e : record.entrySet()) {
            if (e.getKey().equals("seq")) {
                continue; // present in records read back from a query; never written
            }
            ObjectField field = kind.field(e.getKey()).orElse(null);
            if (field == null) {
                p.error = Reason.unknownField(e.getKey());
                return p;
            }
            boolean isId = field.name().equals(kind.idField());
            if (isId && !byIdField && action != Action.UPDATE_ONLY) {
                p.error = Reason.invalid("Field '" + field.name() + "' is only allowed with action updateOnly or dedupeBy idField");
                return p;
            }
            if (!isId && field.system()) {
                p.error = Reason.invalid("Field '" + field.name() + "' is not updateable");
                return p;
            }
            Object value;
            try {
                value = ObjectService.parse(field, e.getValue());
            } catch (ObjectService.InvalidValue invalid) {
                p.error = Reason.invalidValue(invalid.value(), field.type().marketoName());
                return p;
            }
            if (isId) {
                id = value;
            } else {
                p.values.put(field.name(), value);
            }
        }
        if (byIdField) {
            keyById(p, id);
            return p;
        }
        String dedupe = ObjectRepository.setKey(kind.dedupe(), p.values);
        if (dedupe != null) {
            p.target = new ObjectRepository.ByDedupe();
            p.key = dedupe;
        } else if (id != null) {
            keyById(p, id);
        } else {
            String missing = kind.dedupe().stream().filter(f -> p.values.get(f.name()) == null).findFirst().orElseThrow().name();
            p.error = Reason.missing(missing);
        }
        return p;
    }

    private void keyById(Parsed p, Object id) {
        if (id == null) {
            p.error = Reason.missing(kind.idField());
            return;
        }
        p.target = new ObjectRepository.ById(kind.numericId());
        p.key = kind.idFieldDef().key(id);
    }

    private Map<String, Row> lookup(List<Parsed> parsed, Class<? extends Target> type) {
        List<String> keys = parsed.stream().filter(p -> p.error == null && type.isInstance(p.target)).map(p -> p.key).distinct().toList();
        if (keys.isEmpty()) {
            return Map.of();
        }
        Target target = type == ObjectRepository.ById.class ? new ObjectRepository.ById(kind.numericId()) : new ObjectRepository.ByDedupe();
        return repository.byKeys(kind, caller.instanceId(), target, keys, true);
    }

    // ----- links --------------------------------------------------------------------------------

    /** For each checked link field, the values among the records that point at something that exists. */
    private Map<String, Set<Object>> linkTargets(List<Parsed> parsed) {
        Map<String, Set<Object>> out = new HashMap<>();
        for (ObjectField f : kind.fields()) {
            if (f.link() == null || f.link().missing() == Missing.IGNORE) {
                continue;
            }
            Set<Object> values = new HashSet<>();
            parsed.stream().filter(p -> p.error == null).map(p -> p.values.get(f.name())).filter(Objects::nonNull).forEach(values::add);
            Set<Object> existing = service.existingTargets(caller, kind, f, values);
            if (f.link().missing() == Missing.FAIL_REQUEST && !existing.containsAll(values)) {
                throw MarketoException.of(ErrorCode.EXTERNAL_SALES_PERSON_NOT_FOUND);
            }
            out.put(f.name(), existing);
        }
        return out;
    }

    /** Why a record's links point at nothing, or null. Only the fields it gives are checked. */
    private Reason brokenLink(Parsed p, Map<String, Set<Object>> targets) {
        for (Map.Entry<String, Set<Object>> e : targets.entrySet()) {
            Object v = p.values.get(e.getKey());
            if (v != null && !e.getValue().contains(v)) {
                ObjectField f = kind.field(e.getKey()).orElseThrow();
                if (f.link().target().equals(StandardKinds.LEAD)) {
                    return Reason.LEAD_NOT_FOUND;
                }
                String target = service.kind(caller.instanceId(), f.link().target()).map(ObjectKind::displayName).orElse(f.link().target());
                return new Reason("1013", target + " not found");
            }
        }
        return null;
    }

    // ----- decisions ----------------------------------------------------------------------------

    private Object update(Parsed p, Row stored, Map<String, Set<Object>> targets, Map<Long, Row> updates) {
        if (action == Action.CREATE_ONLY) {
            return Reason.EXISTS;
        }
        for (Map.Entry<String, Object> e : p.values.entrySet()) {
            ObjectField f = kind.field(e.getKey()).orElseThrow();
            Object before = stored.values().get(f.name());
            String was = before == null ? null : f.key(before);
            String wanted = e.getValue() == null ? null : f.key(e.getValue());
            if (!f.updateable() && !Objects.equals(was, wanted)) {
                return Reason.invalid("Field '" + f.name() + "' is not updateable");
            }
        }
        Reason link = brokenLink(p, targets);
        if (link != null) {
            return link;
        }
        Map<String, Object> merged = new HashMap<>(stored.values());
        p.values.forEach((name, v) -> {
            if (v == null) {
                merged.remove(name);
            } else {
                merged.put(name, v);
            }
        });
        String dedupe = ObjectRepository.setKey(kind.dedupe(), merged);
        if (dedupe == null) {
            return Reason.missing(kind.dedupe().stream().filter(f -> merged.get(f.name()) == null).findFirst().orElseThrow().name());
        }
        if (!dedupe.equals(stored.dedupeKey())) {
            if (taken(dedupe, stored.id())) {
                return Reason.EXISTS;
            }
            claimed.put(dedupe, stored.id());
        }
        Row row = new Row(stored.id(), stored.guid(), dedupe, merged, stored.createdAt(), stored.updatedAt());
        updates.put(row.id(), row);
        return row;
    }

    /** Whether a record other than {@code self} has, or is given in this call, the dedupe key a record is renamed to. */
    private boolean taken(String dedupe, long self) {
        Long claimant = claimed.get(dedupe);
        if (claimant != null && claimant != self) {
            return true;
        }
        return repository.byKeys(kind, caller.instanceId(), new ObjectRepository.ByDedupe(), List.of(dedupe)).values().stream()
                .anyMatch(r -> r.id() != self);
    }

    private Object create(Parsed p, Map<String, Set<Object>> targets, List<Row> creates, Map<Integer, Integer> createIndex, int seq) {
        if (claimed.containsKey(p.key)) {
            return Reason.EXISTS;
        }
        for (ObjectField f : kind.fields()) {
            if (f.required() && p.values.get(f.name()) == null) {
                return Reason.missing(f.name());
            }
        }
        Reason link = brokenLink(p, targets);
        if (link != null) {
            return link;
        }
        Map<String, Object> values = new HashMap<>();
        p.values.forEach((name, v) -> {
            if (v != null) {
                values.put(name, v);
            }
        });
        for (ObjectField f : kind.fields()) {
            if (f.initial() != null) {
                values.put(f.name(), f.initial());
            }
        }
        claimed.put(p.key, 0L);
        createIndex.put(seq, creates.size());
        creates.add(new Row(0, null, p.key, values, null, null));
        return "created";
    }
}
