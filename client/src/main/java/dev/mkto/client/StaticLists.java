package dev.mkto.client;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** Static lists: find them, read their members, add and remove leads, test membership. */
public final class StaticLists {

    /** A static list. Timestamps are ISO-8601 as Marketo wrote them. */
    public record StaticList(long id, String name, String description, String programName, String workspaceName,
                             String createdAt, String updatedAt) {
    }

    private final Runner runner;

    StaticLists(Runner runner) {
        this.runner = runner;
    }

    /** Every static list the API user can see, all pages. */
    public ApiResult<List<StaticList>> all() {
        return Pages.all(runner, token -> Call.get("/rest/v1/lists.json").param("nextPageToken", token), StaticLists::list);
    }

    /** The static list with this id, if there is one. */
    public ApiResult<Optional<StaticList>> byId(long listId) {
        return Results.single(runner.run(Call.get("/rest/v1/lists/" + listId + ".json")),
                e -> e.result().isEmpty() ? Optional.empty() : Optional.of(list(e.result().get(0))));
    }

    /** The list's members with Marketo's default fields, all pages. */
    public ApiResult<List<Lead>> members(long listId) {
        return members(listId, List.of());
    }

    /** The list's members with {@code fields}, all pages. */
    public ApiResult<List<Lead>> members(long listId, List<String> fields) {
        return Pages.all(runner, token -> Call.get("/rest/v1/lists/" + listId + "/leads.json")
                .param("fields", fields.isEmpty() ? null : fields)
                .param("nextPageToken", token), Leads::lead);
    }

    /** Adds leads to the list, in requests of 300; {@code added} or {@code skipped} per lead. */
    public ApiResult<List<RecordResult>> add(long listId, Collection<Long> leadIds) {
        return Batches.runIds(runner, Batches.require(leadIds, "leadIds"), Leads.BATCH,
                batch -> Call.post("/rest/v1/lists/" + listId + "/leads.json", java.util.Map.of("input", Batches.ids(batch)), true));
    }

    /** Removes leads from the list, in requests of 300; {@code removed} or {@code skipped} per lead. */
    public ApiResult<List<RecordResult>> remove(long listId, Collection<Long> leadIds) {
        return Batches.runIds(runner, Batches.require(leadIds, "leadIds"), Leads.BATCH,
                batch -> new Call("DELETE", "/rest/v1/lists/" + listId + "/leads.json", List.of(),
                        Json.write(java.util.Map.of("input", Batches.ids(batch))), true, null));
    }

    /** Whether each lead is in the list: {@code memberof} or {@code notmemberof} per lead. */
    public ApiResult<List<RecordResult>> contains(long listId, Collection<Long> leadIds) {
        return Batches.runIds(runner, Batches.require(leadIds, "leadIds"), Leads.BATCH,
                batch -> Call.get("/rest/v1/lists/" + listId + "/leads/ismember.json").param("id", batch));
    }

    static StaticList list(JsonNode l) {
        return new StaticList(Json.number(l, "id", 0), Json.text(l, "name", ""), Json.text(l, "description", ""),
                Json.text(l, "programName", ""), Json.text(l, "workspaceName", ""), Json.text(l, "createdAt", ""),
                Json.text(l, "updatedAt", ""));
    }
}
