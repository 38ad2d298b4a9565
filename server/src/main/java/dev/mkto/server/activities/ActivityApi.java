package dev.mkto.server.activities;

import dev.mkto.server.access.Grants;
import dev.mkto.server.access.Permission;
import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import dev.mkto.server.leads.LeadField;
import dev.mkto.server.leads.LeadSchema;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/** The Activities endpoints: types, paging tokens, the activity log, lead changes, deleted leads, custom activities and types. */
public final class ActivityApi implements ApiRoutes.Feature {

    private static final String TYPE = "/rest/v1/activities/external/type/{apiName}";
    /** From this day Marketo refuses listId filters on lists of 10,000 leads or more (1003). */
    private static final Instant LARGE_LIST_CUTOFF = Instant.parse("2026-12-30T00:00:00Z");
    private static final int LARGE_LIST = 10_000;

    private final ActivityService activities;
    private final ActivityTypes types;
    private final LeadSchema leadSchema;
    private final Jdbi jdbi;
    private final InstantSource clock;

    public ActivityApi(ActivityService activities, ActivityTypes types, LeadSchema leadSchema, Jdbi jdbi, InstantSource clock) {
        this.activities = activities;
        this.types = types;
        this.leadSchema = leadSchema;
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get("/rest/v1/activities/types.json", call -> Reply.Envelope.of(types.all(call.caller().instanceId()).stream()
                        .map(ActivityApi::typeView).toList()))
                .get("/rest/v1/activities/pagingtoken.json", call -> new Reply.Envelope(null, null, null, List.of(), Map.of())
                        .withExtra("nextPageToken", activities.pagingToken(call.requiredParam("sinceDatetime"))))
                .get("/rest/v1/activities.json", this::activities)
                .get("/rest/v1/activities/leadchanges.json", this::leadChanges)
                .get("/rest/v1/activities/deletedleads.json", call -> page(activities.activities(call.caller(), token(call),
                        new ActivityService.Filter(List.of(ActivityTypes.DELETE_LEAD), List.of(), null, List.of(), List.of()), batchSize(call))))
                .post("/rest/v1/activities/external.json", call -> Reply.Envelope.of(activities.addCustom(call.caller(), Json.input(call.json()))))
                .get("/rest/v1/activities/external/types.json", call -> Reply.Envelope.of(types.customs(call.caller().instanceId()).stream()
                        .map(c -> ActivityTypes.view(c, c.current(), false)).toList()))
                .post("/rest/v1/activities/external/type.json", call -> described(types.create(call.caller().instanceId(), call.json())))
                .post(TYPE + ".json", call -> described(types.update(call.caller().instanceId(), call.pathVar("apiName"), call.json())))
                .post(TYPE + "/approve.json", call -> described(types.approve(call.caller().instanceId(), call.pathVar("apiName"))))
                .post(TYPE + "/discardDraft.json", call -> described(types.discardDraft(call.caller().instanceId(), call.pathVar("apiName"))))
                .post(TYPE + "/delete.json", call -> {
                    ActivityTypes.Custom c = types.delete(call.caller().instanceId(), call.pathVar("apiName"));
                    return Reply.Envelope.of(List.of(Map.of("id", c.id(), "apiName", c.apiName())));
                })
                .get(TYPE + "/describe.json", this::describe)
                .post(TYPE + "/attributes/create.json", call -> described(types.addAttributes(call.caller().instanceId(),
                        call.pathVar("apiName"), call.json())))
                .post(TYPE + "/attributes/update.json", call -> described(types.updateAttributes(call.caller().instanceId(),
                        call.pathVar("apiName"), call.json())))
                .post(TYPE + "/attributes/delete.json", call -> described(types.deleteAttributes(call.caller().instanceId(),
                        call.pathVar("apiName"), call.json())));
    }

    private Reply activities(ApiCall call) {
        String token = token(call);
        List<Long> given = integers(call, "activityTypeIds");
        if (given.stream().anyMatch(t -> t != t.intValue())) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "activityTypeIds holds an id that is no activity type id");
        }
        List<Integer> typeIds = given.stream().map(Long::intValue).toList();
        if (typeIds.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "activityTypeIds");
        }
        if (typeIds.size() > ActivityService.MAX_TYPES) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "activityTypeIds holds " + typeIds.size() + " ids; at most "
                    + ActivityService.MAX_TYPES + " are allowed");
        }
        ActivityService.Filter filter = new ActivityService.Filter(typeIds, leadIds(call), listId(call), integers(call, "assetIds"), List.of());
        return page(activities.activities(call.caller(), token, filter, batchSize(call)));
    }

    private Reply leadChanges(ApiCall call) {
        String token = token(call);
        List<String> names = call.listParam("fields");
        if (names.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "fields");
        }
        LeadSchema.Fields fields = leadSchema.fields(call.caller().instanceId());
        List<String> canonical = new ArrayList<>();
        for (String n : names) {
            canonical.add(fields.find(n).map(LeadField::name).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND,
                    Echo.of(n))));
        }
        ActivityService.Filter filter = new ActivityService.Filter(List.of(ActivityTypes.NEW_LEAD, ActivityTypes.CHANGE_DATA_VALUE),
                leadIds(call), listId(call), List.of(), canonical);
        return page(activities.activities(call.caller(), token, filter, batchSize(call)));
    }

    private Reply describe(ApiCall call) {
        ActivityTypes.Custom c = types.custom(call.caller().instanceId(), call.pathVar("apiName"));
        boolean draft = call.param("draft").map(Boolean::parseBoolean).orElse(false);
        JsonNode doc = draft ? c.draft() : c.approved();
        if (doc == null) {
            throw new MarketoException(ErrorCode.OBJECT_NOT_FOUND, draft ? "Activity type '" + c.apiName() + "' has no draft"
                    : "Activity type '" + c.apiName() + "' has not been approved; ask with draft=true");
        }
        return Reply.Envelope.of(List.of(ActivityTypes.view(c, doc, true)));
    }

    private static Reply described(ActivityTypes.Custom c) {
        return Reply.Envelope.of(List.of(ActivityTypes.view(c, c.current(), true)));
    }

    private static Reply page(ActivityService.Page p) {
        return new Reply.Envelope(p.activities(), p.nextPageToken(), p.moreResult(), List.of(), Map.of());
    }

    private static String token(ApiCall call) {
        return call.requiredParam("nextPageToken");
    }

    private static int batchSize(ApiCall call) {
        return call.intParam("batchSize", ActivityService.MAX_BATCH, 1, ActivityService.MAX_BATCH);
    }

    private static List<Long> leadIds(ApiCall call) {
        List<Long> ids = integers(call, "leadIds");
        if (ids.size() > ActivityService.MAX_LEADS) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "leadIds holds " + ids.size() + " ids; at most " + ActivityService.MAX_LEADS
                    + " are allowed");
        }
        return ids;
    }

    /**
     * The static list filtering activities: one in a workspace where the caller reads activities. A
     * list of another workspace looks missing, as it does everywhere else in the API.
     */
    private Long listId(ApiCall call) {
        if (call.param("listId").isEmpty()) {
            return null;
        }
        List<Long> ids = integers(call, "listId");
        if (ids.size() != 1) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "listId must be one list id");
        }
        long id = ids.getFirst();
        List<Long> workspaces = call.caller().grants().workspacesWith(Permission.READ_ONLY_ACTIVITY).stream()
                .map(Grants.Workspace::id).toList();
        long members = jdbi.withHandle(h -> {
            boolean visible = !workspaces.isEmpty() && h.createQuery("SELECT COUNT(*) FROM static_list WHERE instance_id = :i AND id = :id "
                            + "AND workspace_id IN (<workspaces>)")
                    .bind("i", call.caller().instanceId()).bind("id", id).bindList("workspaces", workspaces).mapTo(Long.class).one() > 0;
            if (!visible) {
                throw new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Static list " + id + " not found");
            }
            return h.createQuery("SELECT COUNT(*) FROM list_member WHERE list_id = :id").bind("id", id).mapTo(Long.class).one();
        });
        if (!clock.instant().isBefore(LARGE_LIST_CUTOFF) && members >= LARGE_LIST) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "listId " + id + " holds " + LARGE_LIST
                    + " or more leads; lists that large cannot filter activities");
        }
        return id;
    }

    private static List<Long> integers(ApiCall call, String name) {
        List<Long> out = new ArrayList<>();
        for (String s : call.listParam(name)) {
            try {
                out.add(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new MarketoException(ErrorCode.INVALID_DATA, name + " must hold integers, got '" + Echo.of(s) + "'");
            }
        }
        return out;
    }

    private static Map<String, Object> typeView(ActivityTypes.Type t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        if (t.description() != null) {
            m.put("description", t.description());
        }
        if (t.primary() != null) {
            m.put("primaryAttribute", attribute(t.primary()));
        }
        m.put("attributes", t.attributes().stream().map(ActivityApi::attribute).toList());
        return m;
    }

    private static Map<String, Object> attribute(ActivityTypes.Attribute a) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (a.apiName() != null) {
            m.put("apiName", a.apiName());
        }
        m.put("name", a.name());
        m.put("dataType", a.dataType());
        return m;
    }
}
