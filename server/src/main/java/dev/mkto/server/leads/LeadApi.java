package dev.mkto.server.leads;

import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The Leads endpoints of the Lead Database API: parse, call {@link LeadService}, answer. */
public final class LeadApi implements ApiRoutes.Feature {

    private final LeadService leads;

    public LeadApi(LeadService leads) {
        this.leads = leads;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get("/rest/v1/lead/{id}.json", this::getById)
                .get("/rest/v1/leads.json", this::query)
                .post("/rest/v1/leads.json", this::sync)
                .post("/rest/v1/leads/delete.json", this::delete)
                .get("/rest/v1/leads/describe.json", call -> Reply.Envelope.of(leads.describe(call.caller())))
                .get("/rest/v1/leads/describe2.json", call -> Reply.Envelope.of(leads.describe2(call.caller())))
                .get("/rest/v1/leads/partitions.json", call -> Reply.Envelope.of(leads.partitions(call.caller())))
                .post("/rest/v1/leads/partitions.json", this::updatePartitions);
    }

    private Reply getById(ApiCall call) {
        long id = call.pathId("id");
        return Reply.Envelope.of(leads.get(call.caller(), id, call.listParam("fields")).map(List::of).orElse(List.of()));
    }

    private Reply query(ApiCall call) {
        String filterType = call.requiredParam("filterType");
        List<String> values = call.listParam("filterValues");
        if (values.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "filterValues");
        }
        int batchSize = call.intParam("batchSize", LeadService.MAX_BATCH, 1, LeadService.MAX_BATCH);
        LeadService.Page page = leads.query(call.caller(), filterType, values, call.listParam("fields"), batchSize,
                call.param("nextPageToken").orElse(null));
        return new Reply.Envelope(page.leads(), page.nextPageToken(), null, List.of(), Map.of());
    }

    private Reply sync(ApiCall call) {
        JsonNode body = Json.object(call.json());
        LeadService.Action action = LeadService.Action.CREATE_OR_UPDATE;
        String actionName = text(body, "action");
        if (actionName != null) {
            action = LeadService.Action.parse(actionName).orElseThrow(() -> new MarketoException(ErrorCode.INVALID_DATA,
                    "Invalid action '" + Echo.of(actionName) + "'; use createOnly, updateOnly, createOrUpdate or createDuplicate"));
        }
        if (body.has("asyncProcessing") && !body.get("asyncProcessing").isBoolean() && !body.get("asyncProcessing").isNull()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        List<Map<String, JsonNode>> records = new ArrayList<>();
        for (JsonNode item : Json.input(body)) {
            if (!item.isObject()) {
                records.add(null);
                continue;
            }
            Map<String, JsonNode> record = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = item.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                record.put(e.getKey(), e.getValue());
            }
            records.add(record);
        }
        return Reply.Envelope.of(leads.sync(call.caller(), call.requestId(), action, text(body, "lookupField"), text(body, "partitionName"),
                records));
    }

    private Reply delete(ApiCall call) {
        List<Long> ids = new ArrayList<>();
        if (call.hasBody()) {
            ids.addAll(Json.ids(Json.input(call.json())));
        } else {
            List<String> raw = call.listParam("id");
            if (raw.isEmpty()) {
                throw MarketoException.of(ErrorCode.BLANK, "input");
            }
            for (String s : raw) {
                try {
                    ids.add(Long.parseLong(s));
                } catch (NumberFormatException e) {
                    throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid id '" + Echo.of(s) + "'");
                }
            }
        }
        return Reply.Envelope.of(leads.delete(call.caller(), call.requestId(), ids));
    }

    private Reply updatePartitions(ApiCall call) {
        List<Map.Entry<Long, String>> moves = new ArrayList<>();
        for (JsonNode item : Json.input(call.json())) {
            if (!item.isObject()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
            JsonNode id = item.get("id");
            JsonNode name = item.get("partitionName");
            Long leadId = id != null && id.isIntegralNumber() && id.canConvertToLong() ? id.asLong() : null;
            if (id != null && !id.isNull() && leadId == null) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "'id' must be an integer");
            }
            if (name != null && !name.isNull() && !name.isString()) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "'partitionName' must be a string");
            }
            moves.add(new java.util.AbstractMap.SimpleImmutableEntry<>(leadId, name == null || name.isNull() ? null : name.asString()));
        }
        return Reply.Envelope.of(leads.updatePartitions(call.caller(), call.requestId(), moves));
    }

    private static String text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return v.asString().isBlank() ? null : v.asString().strip();
    }
}
