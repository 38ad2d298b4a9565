package dev.mkto.server.lists;

import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The Static Lists endpoints. */
public final class ListApi implements ApiRoutes.Feature {

    private final ListService lists;

    public ListApi(ListService lists) {
        this.lists = lists;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get("/rest/v1/lists.json", call -> page(lists.lists(call.caller(), ids(call, "id"), call.listParam("name"),
                        call.listParam("programName"), call.listParam("workspaceName"), batchSize(call), call.param("nextPageToken").orElse(null))))
                .get("/rest/v1/lists/{id}.json", call -> Reply.Envelope.of(lists.list(call.caller(), call.pathId("id"))
                        .map(List::of).orElse(List.of())))
                .get("/rest/v1/lists/{listId}/leads.json", this::members)
                .get("/rest/v1/list/{listId}/leads.json", this::members)
                .post("/rest/v1/lists/{listId}/leads.json", call -> Reply.Envelope.of(lists.add(call.caller(), call.pathId("listId"),
                        leadIds(call), call.requestId())))
                .delete("/rest/v1/lists/{listId}/leads.json", call -> Reply.Envelope.of(lists.remove(call.caller(), call.pathId("listId"),
                        leadIds(call), call.requestId())))
                .get("/rest/v1/lists/{listId}/leads/ismember.json", call -> Reply.Envelope.of(lists.isMember(call.caller(),
                        call.pathId("listId"), leadIds(call))))
                .get("/rest/v1/leads/{leadId}/listMembership.json", call -> page(lists.membership(call.caller(), call.pathId("leadId"),
                        batchSize(call), call.param("nextPageToken").orElse(null))));
    }

    private Reply members(ApiCall call) {
        return page(lists.members(call.caller(), call.pathId("listId"), call.listParam("fields"), batchSize(call),
                call.param("nextPageToken").orElse(null)));
    }

    private static Reply page(ListService.Page p) {
        return new Reply.Envelope(p.items(), p.nextPageToken(), null, List.of(), Map.of());
    }

    private static int batchSize(ApiCall call) {
        return call.intParam("batchSize", ListService.MAX_BATCH, 1, ListService.MAX_BATCH);
    }

    /** Lead ids from {@code {"input": [{"id": …}]}} or, without a body, from {@code id=1,2,3}. */
    private static List<Long> leadIds(ApiCall call) {
        if (!call.hasBody()) {
            return ids(call, "id");
        }
        JsonNode body = call.json();
        JsonNode input = body.isObject() ? body.get("input") : null;
        if (input == null || input.isNull() || (input.isArray() && input.isEmpty())) {
            throw MarketoException.of(ErrorCode.BLANK, "input");
        }
        if (!input.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return Json.ids(input);
    }

    private static List<Long> ids(ApiCall call, String name) {
        List<Long> out = new ArrayList<>();
        for (String s : call.listParam(name)) {
            try {
                out.add(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new MarketoException(ErrorCode.INVALID_DATA, name + " must hold integers");
            }
        }
        return out;
    }
}
