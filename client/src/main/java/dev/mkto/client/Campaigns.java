package dev.mkto.client;

import java.time.Instant;
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
 * Smart campaigns: find them, request a trigger campaign for leads, schedule a batch campaign.
 * Requesting and scheduling are never repeated after an ambiguous failure (604, 608, 611, a lost
 * connection): doing it twice could send a campaign's emails twice.
 */
public final class Campaigns {

    /** Marketo accepts at most 100 leads and 100 tokens per request. */
    static final int MAX_LEADS = 100;
    static final int MAX_TOKENS = 100;

    /** A smart campaign; {@code type} is {@code batch} or {@code trigger}. Timestamps are ISO-8601 as Marketo wrote them. */
    public record Campaign(long id, String name, String description, String type, Optional<Long> programId, String programName,
                           String workspaceName, boolean active, String createdAt, String updatedAt) {
    }

    private final Runner runner;

    Campaigns(Runner runner) {
        this.runner = runner;
    }

    /** Every campaign the API user can see, all pages. */
    public ApiResult<List<Campaign>> all() {
        return Pages.all(runner, token -> Call.get("/rest/v1/campaigns.json").param("nextPageToken", token), Campaigns::campaign);
    }

    /** The campaign with this id, if there is one. */
    public ApiResult<Optional<Campaign>> byId(long campaignId) {
        return Results.single(runner.run(Call.get("/rest/v1/campaigns/" + campaignId + ".json")),
                e -> e.result().isEmpty() ? Optional.empty() : Optional.of(campaign(e.result().get(0))));
    }

    /** Requests an active trigger campaign ("Campaign is Requested") for these leads. */
    public ApiResult<Integer> request(long campaignId, Collection<Long> leadIds) {
        return request(campaignId, leadIds, Map.of());
    }

    /**
     * Requests an active trigger campaign for these leads, in requests of 100, with My Tokens
     * ({@code {{my.name}}} → value, at most 100). A lead id given twice is requested once; the value
     * is the number of leads requested. When a
     * request after the first gets no answer, the call ends with {@code no_answer} and the value counts
     * the leads of the answered requests only (the unanswered one may or may not have been requested).
     */
    public ApiResult<Integer> request(long campaignId, Collection<Long> leadIds, Map<String, String> tokens) {
        List<Long> leads = List.copyOf(new LinkedHashSet<>(Batches.require(leadIds, "leadIds")));
        List<Map<String, String>> tokenList = tokens(tokens);
        Results results = new Results();
        int requested = 0;
        for (int from = 0; from < leads.size(); from += MAX_LEADS) {
            List<Long> batch = leads.subList(from, Math.min(from + MAX_LEADS, leads.size()));
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("leads", Batches.ids(batch));
            if (!tokenList.isEmpty()) {
                input.put("tokens", tokenList);
            }
            Call call = Call.post("/rest/v1/campaigns/" + campaignId + "/trigger.json", Map.of("input", input), false);
            if (!results.add(Batches.exchange(runner, call, from > 0))) {
                break;
            }
            requested += batch.size();
        }
        return results.finish(requested);
    }

    /** Schedules a batch campaign to run at {@code runAt} (Marketo's default when null: five minutes from now). */
    public ApiResult<Long> schedule(long campaignId, @Nullable Instant runAt) {
        return schedule(campaignId, runAt, Map.of(), null);
    }

    /**
     * Schedules a batch campaign, with My Tokens, optionally cloning its program first
     * ({@code cloneToProgramName}; Marketo allows 20 such calls a day). The value is the campaign id.
     */
    public ApiResult<Long> schedule(long campaignId, @Nullable Instant runAt, Map<String, String> tokens, @Nullable String cloneToProgramName) {
        Map<String, Object> input = new LinkedHashMap<>();
        if (runAt != null) {
            input.put("runAt", runAt.toString());
        }
        List<Map<String, String>> tokenList = tokens(tokens);
        if (!tokenList.isEmpty()) {
            input.put("tokens", tokenList);
        }
        if (cloneToProgramName != null) {
            input.put("cloneToProgramName", cloneToProgramName);
        }
        Call call = Call.post("/rest/v1/campaigns/" + campaignId + "/schedule.json", Map.of("input", input), false);
        return Results.single(runner.run(call), e -> e.result().isEmpty() ? campaignId : Json.number(e.result().get(0), "id", campaignId));
    }

    private static List<Map<String, String>> tokens(Map<String, String> tokens) {
        if (tokens.size() > MAX_TOKENS) {
            throw new IllegalArgumentException("tokens may hold at most " + MAX_TOKENS + " entries, got " + tokens.size());
        }
        List<Map<String, String>> out = new ArrayList<>();
        tokens.forEach((name, value) -> {
            Map<String, String> token = new LinkedHashMap<>();
            token.put("name", name);
            token.put("value", value);
            out.add(token);
        });
        return out;
    }

    static Campaign campaign(JsonNode c) {
        return new Campaign(Json.number(c, "id", 0), Json.text(c, "name", ""), Json.text(c, "description", ""), Json.text(c, "type", ""),
                Optional.ofNullable(Json.number(c, "programId")), Json.text(c, "programName", ""), Json.text(c, "workspaceName", ""),
                Json.bool(c, "active", false), Json.text(c, "createdAt", ""), Json.text(c, "updatedAt", ""));
    }
}
