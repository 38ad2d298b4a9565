package dev.mkto.client;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Lead activities, read the way Marketo means them to be polled: a paging token marks a point in
 * time ({@link #pagingToken(Instant)}); {@link #poll(String, Collection)} reads every activity after it
 * and returns the token to continue from next time, so a poller never misses or repeats one.
 */
public final class Activities {

    /** Marketo accepts at most 10 activity type ids and 30 lead ids per request. */
    static final int MAX_TYPES = 10;
    static final int MAX_LEADS = 30;

    /**
     * One activity.
     *
     * @param marketoGuid    the activity's unique id (Marketo's {@code marketoGUID})
     * @param activityDate   when it happened, ISO-8601 as Marketo wrote it
     * @param attributes     its secondary attributes by name
     */
    public record Activity(String marketoGuid, long leadId, String activityDate, int activityTypeId, Optional<Long> campaignId,
                           Optional<Long> primaryAttributeValueId, Optional<String> primaryAttributeValue,
                           Map<String, @Nullable Object> attributes) {
    }

    /** An activity type: id, name, and its attributes' names and data types. */
    public record Type(int id, String name, String description, Optional<String> primaryAttribute, Map<String, String> attributes) {
    }

    /** The activities read, and the paging token to continue from. */
    public record Batch(List<Activity> activities, String nextPageToken) {
        public Batch {
            activities = List.copyOf(activities);
        }
    }

    private final Runner runner;

    Activities(Runner runner) {
        this.runner = runner;
    }

    /** A paging token for the moment {@code since}: activities after it are read with {@link #poll}. */
    public ApiResult<String> pagingToken(Instant since) {
        return Results.single(runner.run(tokenCall(since)), e -> e.nextPageToken() == null ? "" : e.nextPageToken());
    }

    private static Call tokenCall(Instant since) {
        return Call.get("/rest/v1/activities/pagingtoken.json")
                .param("sinceDatetime", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(since.atOffset(ZoneOffset.UTC)));
    }

    /** Every activity type of the instance. */
    public ApiResult<List<Type>> types() {
        return Results.single(runner.run(Call.get("/rest/v1/activities/types.json")), e -> {
            List<Type> out = new ArrayList<>();
            for (JsonNode t : e.result()) {
                Map<String, String> attributes = new LinkedHashMap<>();
                for (JsonNode a : t.path("attributes")) {
                    attributes.put(Json.text(a, "name", ""), Json.text(a, "dataType", ""));
                }
                JsonNode primary = t.path("primaryAttribute");
                out.add(new Type((int) Json.number(t, "id", 0), Json.text(t, "name", ""), Json.text(t, "description", ""),
                        Optional.ofNullable(primary.isObject() ? Json.text(primary, "name") : null), Map.copyOf(attributes)));
            }
            return List.copyOf(out);
        });
    }

    /** Activities of these types (at most 10) since {@code since}: a paging token, then every page. */
    public ApiResult<Batch> since(Instant since, Collection<Integer> activityTypeIds) {
        check("since", activityTypeIds, List.of());
        Results results = new Results();
        Runner.Exchange x = runner.run(tokenCall(since));
        if (!results.add(x)) {
            return results.finish(null);
        }
        String token = x.envelope().nextPageToken();
        if (token == null) {
            return results.finish(new Batch(List.of(), ""));
        }
        return read(results, token, activityTypeIds, List.of());
    }

    /** Every activity of these types after {@code pageToken}, and the token to poll from next time. */
    public ApiResult<Batch> poll(String pageToken, Collection<Integer> activityTypeIds) {
        return poll(pageToken, activityTypeIds, List.of());
    }

    /**
     * Every activity of these types (at most 10) after {@code pageToken}, of these leads only (at
     * most 30; none for all leads): pages are read while Marketo reports {@code moreResult}.
     */
    public ApiResult<Batch> poll(String pageToken, Collection<Integer> activityTypeIds, Collection<Long> leadIds) {
        check(pageToken, activityTypeIds, leadIds);
        return read(new Results(), pageToken, activityTypeIds, leadIds);
    }

    /** One page after {@code pageToken}; the result's {@link ApiResult#moreResult()} and {@link ApiResult#nextPageToken()} say how to go on. */
    public ApiResult<Batch> page(String pageToken, Collection<Integer> activityTypeIds, Collection<Long> leadIds) {
        check(pageToken, activityTypeIds, leadIds);
        return Results.single(runner.run(request(pageToken, activityTypeIds, leadIds)), e -> {
            List<Activity> out = new ArrayList<>();
            e.result().forEach(a -> out.add(activity(a)));
            return new Batch(out, e.nextPageToken() == null ? pageToken : e.nextPageToken());
        });
    }

    private ApiResult<Batch> read(Results results, String pageToken, Collection<Integer> activityTypeIds, Collection<Long> leadIds) {
        List<Activity> out = new ArrayList<>();
        String token = pageToken;
        Set<String> seen = new HashSet<>(Set.of(pageToken));
        while (true) {
            Runner.Exchange x = runner.run(request(token, activityTypeIds, leadIds));
            if (!results.add(x)) {
                return results.finish(new Batch(out, token));
            }
            for (JsonNode a : x.envelope().result()) {
                out.add(activity(a));
            }
            String next = x.envelope().nextPageToken();
            // a token seen before would read the same pages again, for ever
            boolean more = x.envelope().moreResult() && next != null && seen.add(next);
            if (next != null) {
                token = next;
            }
            if (!more) {
                return results.finish(new Batch(out, token));
            }
        }
    }

    private static Call request(String token, Collection<Integer> types, Collection<Long> leadIds) {
        return Call.get("/rest/v1/activities.json")
                .param("nextPageToken", token)
                .param("activityTypeIds", List.copyOf(types))
                .param("leadIds", leadIds.isEmpty() ? null : List.copyOf(leadIds));
    }

    private static void check(String token, Collection<Integer> types, Collection<Long> leadIds) {
        Leads.requireName(token, "pageToken");
        if (types.isEmpty() || types.size() > MAX_TYPES) {
            throw new IllegalArgumentException("activityTypeIds must hold 1 to " + MAX_TYPES + " ids, got " + types.size());
        }
        if (leadIds.size() > MAX_LEADS) {
            throw new IllegalArgumentException("leadIds may hold at most " + MAX_LEADS + " ids, got " + leadIds.size());
        }
    }

    static Activity activity(JsonNode a) {
        Map<String, @Nullable Object> attributes = new LinkedHashMap<>();
        for (JsonNode attr : a.path("attributes")) {
            attributes.put(Json.text(attr, "name", Json.text(attr, "apiName", "")), Json.plain(attr.get("value")));
        }
        String guid = Json.text(a, "marketoGUID");
        return new Activity(guid == null ? Json.text(a, "id", "") : guid, Json.number(a, "leadId", 0), Json.text(a, "activityDate", ""),
                (int) Json.number(a, "activityTypeId", 0), Optional.ofNullable(Json.number(a, "campaignId")),
                Optional.ofNullable(Json.number(a, "primaryAttributeValueId")), Optional.ofNullable(Json.text(a, "primaryAttributeValue")),
                java.util.Collections.unmodifiableMap(attributes));
    }
}
