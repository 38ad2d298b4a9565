package dev.mkto.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The Lead Database's lead calls. Calls taking many values or records split them into requests of
 * 300 (Marketo's limit) and follow paging tokens, so one call here may be several requests; the
 * result then covers them all (see {@link ApiResult}).
 */
public final class Leads {

    static final int BATCH = 300;

    /** How {@link #sync} treats records that match an existing lead. */
    public enum SyncAction {
        /** Update the lead matching the lookup field, or create one (Marketo's default). */
        CREATE_OR_UPDATE("createOrUpdate", true),
        /** Create only; records matching a lead are skipped (1005). */
        CREATE_ONLY("createOnly", false),
        /** Update only; records matching no lead are skipped (1004). The only action that accepts {@code id}. */
        UPDATE_ONLY("updateOnly", true),
        /** Always create, even when the lookup field matches. */
        CREATE_DUPLICATE("createDuplicate", false);

        private final String wire;
        private final boolean repeatable;

        SyncAction(String wire, boolean repeatable) {
            this.wire = wire;
            this.repeatable = repeatable;
        }

        /** Marketo's name, e.g. {@code createOrUpdate}. */
        public String wireName() {
            return wire;
        }
    }

    /** A lead field as {@link #describe()} reports it. */
    public record Field(String name, String displayName, String dataType, Optional<Integer> length, boolean readOnly) {
    }

    /** A lead partition the API user can read. */
    public record Partition(long id, String name, String description) {
    }

    private final Runner runner;

    Leads(Runner runner) {
        this.runner = runner;
    }

    /** The lead with this id, with Marketo's default fields; empty when there is none (or the API user cannot see it). */
    public ApiResult<Optional<Lead>> get(long id) {
        return get(id, List.of());
    }

    /** The lead with this id, with {@code fields}. */
    public ApiResult<Optional<Lead>> get(long id, List<String> fields) {
        Call call = Call.get("/rest/v1/lead/" + id + ".json").param("fields", fields.isEmpty() ? null : fields);
        return Results.single(runner.run(call), e -> e.result().isEmpty() ? Optional.empty() : Optional.of(lead(e.result().get(0))));
    }

    /** Leads whose {@code filterType} field holds one of {@code values}, with Marketo's default fields. */
    public ApiResult<List<Lead>> query(String filterType, Collection<?> values) {
        return query(filterType, values, List.of());
    }

    /**
     * Leads whose {@code filterType} field ({@code email}, {@code id}, a custom string field, …)
     * holds one of {@code values}: the values go in requests of 300, each followed through its
     * pages. A lead matching values of two requests is listed once. Long queries are sent as POST
     * with {@code _method=GET}, so they never meet Marketo's 8 KB URI limit. A value holding a comma
     * cannot be asked for (Marketo would split it into several values) and is refused with an
     * {@link IllegalArgumentException} before any request.
     */
    public ApiResult<List<Lead>> query(String filterType, Collection<?> values, List<String> fields) {
        requireName(filterType, "filterType");
        List<String> distinct = List.copyOf(new LinkedHashSet<>(values.stream().map(String::valueOf).toList()));
        Batches.require(distinct, "values");
        for (String value : distinct) {
            // Marketo splits filterValues at commas and has no escape: "Acme, Inc." would find the leads of "Acme" and "Inc."
            if (value.indexOf(',') >= 0) {
                throw new IllegalArgumentException("values must not hold a comma (Marketo reads filterValues as a comma-separated list): "
                        + value);
            }
        }
        Results results = new Results();
        Map<Long, Lead> found = new LinkedHashMap<>();
        List<Lead> page = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += BATCH) {
            List<String> batch = distinct.subList(from, Math.min(from + BATCH, distinct.size()));
            boolean ok = Pages.collect(runner, results, page, token -> Call.get("/rest/v1/leads.json")
                    .param("filterType", filterType)
                    .param("filterValues", batch)
                    .param("fields", fields.isEmpty() ? null : fields)
                    .param("nextPageToken", token), Leads::lead);
            page.forEach(l -> found.putIfAbsent(l.id(), l));
            page.clear();
            if (!ok) {
                break;
            }
        }
        return results.finish(List.copyOf(found.values()));
    }

    /** Creates or updates leads by email ({@link SyncAction#CREATE_OR_UPDATE}). */
    public ApiResult<List<RecordResult>> sync(List<? extends Map<String, ?>> records) {
        return sync(records, SyncAction.CREATE_OR_UPDATE, null, null);
    }

    /** Syncs leads with {@code action}, looked up by email. */
    public ApiResult<List<RecordResult>> sync(List<? extends Map<String, ?>> records, SyncAction action) {
        return sync(records, action, null, null);
    }

    /**
     * Syncs leads in requests of 300 (fewer when their body would pass Marketo's 1 MB); one
     * {@link RecordResult} per record, in input order. A request Marketo refuses as a whole stops the
     * call: its records are {@code failed}, later ones {@code notSent}, earlier ones keep their
     * results; a request after the first that gets no answer leaves its records {@code unknown}
     * (error {@code no_answer}) instead of throwing. Syncs that create records
     * ({@code createOnly}, {@code createDuplicate}) are not repeated after an ambiguous failure, so a
     * retry never creates a lead twice.
     *
     * @param lookupField   the field matching records to leads (Marketo's default: {@code email}); null for the default
     * @param partitionName the partition new leads go to; null for the API user's default
     */
    public ApiResult<List<RecordResult>> sync(List<? extends Map<String, ?>> records, SyncAction action,
                                              @Nullable String lookupField, @Nullable String partitionName) {
        List<? extends Map<String, ?>> input = Batches.require(records, "records");
        return Batches.run(runner, input, BATCH, batch -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("action", action.wire);
            if (lookupField != null) {
                body.put("lookupField", lookupField);
            }
            if (partitionName != null) {
                body.put("partitionName", partitionName);
            }
            body.put("input", batch);
            return Call.post("/rest/v1/leads.json", body, action.repeatable);
        });
    }

    /** Deletes leads by id, in requests of 300; {@code deleted} or {@code skipped} (1004) per id. */
    public ApiResult<List<RecordResult>> delete(Collection<Long> ids) {
        List<Long> input = Batches.require(ids, "ids");
        return Batches.runIds(runner, input, BATCH,
                batch -> Call.post("/rest/v1/leads/delete.json", Map.of("input", Batches.ids(batch)), true));
    }

    /** Every lead field: REST name, display name, data type, length, whether it is read-only. */
    public ApiResult<List<Field>> describe() {
        return Results.single(runner.run(Call.get("/rest/v1/leads/describe.json")), e -> {
            List<Field> out = new ArrayList<>();
            for (JsonNode f : e.result()) {
                JsonNode rest = f.path("rest");
                Long length = Json.number(f, "length");
                out.add(new Field(Json.text(rest, "name", Json.text(f, "name", "")), Json.text(f, "displayName", ""),
                        Json.text(f, "dataType", ""), Optional.ofNullable(length == null ? null : length.intValue()),
                        Json.bool(rest, "readOnly", false)));
            }
            return List.copyOf(out);
        });
    }

    /** The lead partitions the API user can read. */
    public ApiResult<List<Partition>> partitions() {
        return Results.single(runner.run(Call.get("/rest/v1/leads/partitions.json")), e -> {
            List<Partition> out = new ArrayList<>();
            for (JsonNode p : e.result()) {
                out.add(new Partition(Json.number(p, "id", 0), Json.text(p, "name", ""), Json.text(p, "description", "")));
            }
            return List.copyOf(out);
        });
    }

    static Lead lead(JsonNode node) {
        return new Lead(Json.object(node));
    }

    static void requireName(String value, String what) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
