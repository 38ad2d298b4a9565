package dev.mkto.server.campaigns;

import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import dev.mkto.server.leads.FieldType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The Campaigns endpoints: get, request (trigger), schedule. */
public final class CampaignApi implements ApiRoutes.Feature {

    private final CampaignService campaigns;

    public CampaignApi(CampaignService campaigns) {
        this.campaigns = campaigns;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get("/rest/v1/campaigns.json", this::list)
                .get("/rest/v1/campaigns/{id}.json", call -> Reply.Envelope.of(campaigns.campaign(call.caller(), call.pathId("id"))))
                .post("/rest/v1/campaigns/{id}/trigger.json", this::trigger)
                .post("/rest/v1/campaigns/{id}/schedule.json", this::schedule);
    }

    private Reply list(ApiCall call) {
        List<Long> ids = new ArrayList<>();
        for (String s : call.listParam("id")) {
            try {
                ids.add(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "id must hold integers");
            }
        }
        Boolean triggerable = call.param("isTriggerable").map(v -> switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new MarketoException(ErrorCode.INVALID_DATA, "isTriggerable must be true or false");
        }).orElse(null);
        CampaignService.Page page = campaigns.campaigns(call.caller(), ids, call.listParam("name"), call.listParam("programName"),
                call.listParam("workspaceName"), triggerable, call.intParam("batchSize", CampaignService.MAX_BATCH, 1, CampaignService.MAX_BATCH),
                call.param("nextPageToken").orElse(null));
        return new Reply.Envelope(page.items(), page.nextPageToken(), null, List.of(), Map.of());
    }

    private Reply trigger(ApiCall call) {
        JsonNode input = input(call, true);
        JsonNode leads = input.get("leads");
        List<Long> ids = new ArrayList<>();
        if (leads != null && !leads.isNull()) {
            if (!leads.isArray()) {
                throw MarketoException.of(ErrorCode.INVALID_JSON);
            }
            for (JsonNode l : leads) {
                JsonNode id = l.isObject() ? l.get("id") : null;
                if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()) {
                    throw new MarketoException(ErrorCode.INVALID_DATA, "Each lead needs a numeric 'id'");
                }
                ids.add(id.asLong());
            }
        }
        long id = campaigns.request(call.caller(), call.pathId("id"), ids, tokens(input), call.requestId());
        return Reply.Envelope.of(List.of(Map.of("id", id)));
    }

    private Reply schedule(ApiCall call) {
        JsonNode input = input(call, false);
        Instant runAt = null;
        JsonNode r = input.get("runAt");
        if (r != null && !r.isNull()) {
            if (!r.isString()) {
                throw MarketoException.of(ErrorCode.INVALID_DATE);
            }
            try {
                runAt = OffsetDateTime.parse(r.asString().strip()).toInstant();
            } catch (DateTimeParseException e) {
                throw MarketoException.of(ErrorCode.INVALID_DATE);
            }
            if (!FieldType.datable(runAt)) {
                throw MarketoException.of(ErrorCode.INVALID_DATE);
            }
        }
        JsonNode clone = input.get("cloneToProgramName");
        String cloneName = clone == null || clone.isNull() ? null : clone.isString() && !clone.asString().isBlank() ? clone.asString().strip()
                : null;
        if (clone != null && !clone.isNull() && (cloneName == null || !FieldType.storable(cloneName))) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "cloneToProgramName must be a non-empty string"
                    + " without the NUL character or half a surrogate pair");
        }
        long id = campaigns.schedule(call.caller(), call.pathId("id"), runAt, tokens(input), cloneName);
        return Reply.Envelope.of(List.of(Map.of("id", id)));
    }

    /** The {@code input} object; Schedule Campaign may be called without a body. */
    private static JsonNode input(ApiCall call, boolean required) {
        if (!call.hasBody() && !required) {
            return dev.mkto.server.http.Json.MAPPER.createObjectNode();
        }
        JsonNode body = call.json();
        if (!body.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            if (required) {
                throw MarketoException.of(ErrorCode.BLANK, "input");
            }
            return dev.mkto.server.http.Json.MAPPER.createObjectNode();
        }
        if (!input.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return input;
    }

    private static List<Map<String, String>> tokens(JsonNode input) {
        JsonNode tokens = input.get("tokens");
        List<Map<String, String>> out = new ArrayList<>();
        if (tokens == null || tokens.isNull()) {
            return out;
        }
        if (!tokens.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        for (JsonNode t : tokens) {
            if (!t.isObject() || !t.path("name").isString() || (t.has("value") && !t.get("value").isValueNode())) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "Each token needs a 'name' and a 'value'");
            }
            if (!FieldType.storable(t.path("name").asString()) || !FieldType.storable(t.path("value").asString(""))) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "A token's name and value must not hold the NUL character or half a surrogate pair");
            }
            Map<String, String> m = new LinkedHashMap<>();
            m.put("name", t.path("name").asString());
            m.put("value", t.path("value").isNull() ? "" : t.path("value").asString());
            out.add(m);
        }
        return out;
    }
}
