package dev.mkto.server.lists;

import static dev.mkto.server.access.Permission.READ_ONLY_LEAD;
import static dev.mkto.server.access.Permission.READ_WRITE_LEAD;

import dev.mkto.server.access.Caller;
import dev.mkto.server.access.Grants;
import dev.mkto.server.access.Permission;
import dev.mkto.server.activities.ActivityLog;
import dev.mkto.server.activities.ActivityTypes;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.leads.LeadService;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Static lists: each belongs to a workspace, and a caller sees the lists of the workspaces where
 * it holds a lead permission (and changes members where it holds Read-Write Lead). Members are
 * leads; a caller sees and moves only the leads it can see. Adding and removing record the Add to
 * List and Remove from List activities.
 */
public final class ListService {

    public static final int MAX_BATCH = 300;

    /** A static list. */
    record StaticList(long id, String name, String description, long workspaceId, String workspaceName, long createdAt, long updatedAt) {
    }

    /** A page: rendered items and the token for the next page, if any. */
    public record Page(List<Map<String, Object>> items, String nextPageToken) {
    }

    private static final String LISTS = "SELECT l.id, l.name, l.description, l.workspace_id, w.name AS workspace_name, l.created_at, "
            + "l.updated_at FROM static_list l JOIN workspace w ON w.id = l.workspace_id WHERE l.instance_id = :instance";
    private static final String LEAD_PARTITIONS = "SELECT id, partition_id FROM lead WHERE instance_id = :instance AND id IN (<ids>)";
    private static final String MEMBERS_OF = "SELECT lead_id FROM list_member WHERE list_id = :list AND lead_id IN (<ids>)";
    private static final String ADD = "INSERT INTO list_member (list_id, lead_id, added_at) VALUES (:list, :lead, :now)";
    private static final String REMOVE = "DELETE FROM list_member WHERE list_id = :list AND lead_id = :lead";
    private static final String TOUCH = "UPDATE static_list SET updated_at = :now WHERE id = :list";
    private static final String LOCK_LIST = "SELECT id FROM static_list WHERE id = :list FOR UPDATE";
    private static final String MEMBER_PAGE = "SELECT m.lead_id FROM list_member m JOIN lead l ON l.id = m.lead_id WHERE m.list_id = :list "
            + "AND l.partition_id IN (<partitions>) AND m.lead_id > :after ORDER BY m.lead_id FETCH FIRST :n ROWS ONLY";
    private static final String MEMBERSHIP = "SELECT list_id FROM list_member WHERE lead_id = :lead";

    private final Jdbi jdbi;
    private final LeadService leads;
    private final ActivityLog log;
    private final InstantSource clock;

    public ListService(Jdbi jdbi, LeadService leads, ActivityLog log, InstantSource clock) {
        this.jdbi = jdbi;
        this.leads = leads;
        this.log = log;
        this.clock = clock;
    }

    /** Lists the caller can see, filtered by ids, names and workspace names, paged by id. */
    public Page lists(Caller caller, List<Long> ids, List<String> names, List<String> programNames, List<String> workspaceNames,
                      int batchSize, String token) {
        long after = decode(token, "list");
        List<StaticList> visible = visible(caller, READ_ONLY_LEAD).stream()
                .filter(l -> ids.isEmpty() || ids.contains(l.id()))
                .filter(l -> names.isEmpty() || names.contains(l.name()))
                .filter(l -> programNames.isEmpty()) // lists here belong to workspaces, never to programs
                .filter(l -> workspaceNames.isEmpty() || workspaceNames.contains(l.workspaceName()))
                .filter(l -> l.id() > after)
                .toList();
        List<StaticList> page = visible.stream().limit(batchSize).toList();
        String next = visible.size() > batchSize ? encode("list", page.getLast().id()) : null;
        return new Page(page.stream().map(ListService::view).toList(), next);
    }

    public Optional<Map<String, Object>> list(Caller caller, long id) {
        return visible(caller, READ_ONLY_LEAD).stream().filter(l -> l.id() == id).findFirst().map(ListService::view);
    }

    /** Adds leads (≤ 300): each added, or skipped 1004 (not found) or 1008 (the caller only reads it). */
    public List<Map<String, Object>> add(Caller caller, long listId, List<Long> leadIds, String requestId) {
        return change(caller, listId, leadIds, requestId, true);
    }

    /** Removes leads: each removed, or skipped 1004, 1008, or 1015 (not in the list). */
    public List<Map<String, Object>> remove(Caller caller, long listId, List<Long> leadIds, String requestId) {
        return change(caller, listId, leadIds, requestId, false);
    }

    /** Whether each lead is in the list: memberof, notmemberof, or skipped 1004. */
    public List<Map<String, Object>> isMember(Caller caller, long listId, List<Long> leadIds) {
        requireBatch(leadIds);
        StaticList list = require(caller, listId, READ_ONLY_LEAD);
        Map<Long, Long> partitions = partitions(caller.instanceId(), leadIds);
        Set<Long> members = members(list.id(), leadIds);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Long id : leadIds) {
            Long p = partitions.get(id);
            if (p == null || !caller.grants().canSeePartition(READ_ONLY_LEAD, p)) {
                out.add(skipped(id, "1004", "Lead not found"));
            } else {
                out.add(status(id, members.contains(id) ? "memberof" : "notmemberof"));
            }
        }
        return out;
    }

    /** A page of the list's members the caller can see, rendered with {@code fields}. */
    public Page members(Caller caller, long listId, List<String> fields, int batchSize, String token) {
        StaticList list = require(caller, listId, READ_ONLY_LEAD);
        long after = decode(token, "member");
        long[] readable = caller.grants().partitionsWith(READ_ONLY_LEAD);
        List<Long> ids = readable.length == 0 ? List.of() : jdbi.withHandle(h -> h.createQuery(MEMBER_PAGE).bind("list", list.id())
                .bindList("partitions", Arrays.stream(readable).boxed().toList()).bind("after", after).bind("n", batchSize + 1)
                .mapTo(Long.class).list());
        boolean more = ids.size() > batchSize;
        List<Long> page = more ? ids.subList(0, batchSize) : ids;
        return new Page(leads.render(caller, page, fields), more ? encode("member", page.getLast()) : null);
    }

    /** The lists a lead the caller can see belongs to, among the lists it can see. */
    public Page membership(Caller caller, long leadId, int batchSize, String token) {
        Long p = partitions(caller.instanceId(), List.of(leadId)).get(leadId);
        if (p == null || !caller.grants().canSeePartition(READ_ONLY_LEAD, p)) {
            throw new MarketoException(ErrorCode.LEAD_NOT_FOUND, "Lead " + leadId + " not found");
        }
        Set<Long> listIds = new HashSet<>(jdbi.withHandle(h -> h.createQuery(MEMBERSHIP).bind("lead", leadId).mapTo(Long.class).list()));
        long after = decode(token, "list");
        List<StaticList> in = visible(caller, Permission.READ_ONLY_ASSETS).stream().filter(l -> listIds.contains(l.id()) && l.id() > after).toList();
        List<StaticList> page = in.stream().limit(batchSize).toList();
        return new Page(page.stream().map(ListService::view).toList(), in.size() > batchSize ? encode("list", page.getLast().id()) : null);
    }

    private List<Map<String, Object>> change(Caller caller, long listId, List<Long> leadIds, String requestId, boolean adding) {
        requireBatch(leadIds);
        StaticList list = require(caller, listId, READ_WRITE_LEAD);
        return jdbi.inTransaction(h -> {
            // changes of one list take turns, so concurrent calls see each other's members: none adds a lead twice or removes it twice
            h.createQuery(LOCK_LIST).bind("list", list.id()).mapTo(Long.class).one();
            Map<Long, Long> partitions = partitions(caller.instanceId(), leadIds);
            Set<Long> members = members(list.id(), leadIds);
            Grants g = caller.grants();
            long now = clock.millis();
            List<Map<String, Object>> out = new ArrayList<>();
            List<ActivityLog.Entry> activities = new ArrayList<>();
            Set<Long> done = new HashSet<>();
            for (Long id : leadIds) {
                Long p = partitions.get(id);
                if (p == null || !g.canSeePartition(READ_ONLY_LEAD, p)) {
                    out.add(skipped(id, "1004", "Lead not found"));
                } else if (!g.canSeePartition(READ_WRITE_LEAD, p)) {
                    out.add(skipped(id, "1008", "Access denied to partition of lead " + id));
                } else if (adding) {
                    if (!members.contains(id) && done.add(id)) {
                        h.createUpdate(ADD).bind("list", list.id()).bind("lead", id).bind("now", now).execute();
                        activities.add(new ActivityLog.Entry(id, p, ActivityTypes.ADD_TO_LIST, null, list.id(), list.name(),
                                ActivityLog.attributes("Source", "Web service API")));
                    }
                    out.add(status(id, "added"));
                } else if (!members.contains(id) || !done.add(id)) {
                    out.add(skipped(id, "1015", "Lead not in list"));
                } else {
                    h.createUpdate(REMOVE).bind("list", list.id()).bind("lead", id).execute();
                    activities.add(new ActivityLog.Entry(id, p, ActivityTypes.REMOVE_FROM_LIST, null, list.id(), list.name(),
                            ActivityLog.attributes("Source", "Web service API")));
                    out.add(status(id, "removed"));
                }
            }
            if (!activities.isEmpty()) {
                h.createUpdate(TOUCH).bind("list", list.id()).bind("now", now).execute();
                log.record(ActivityLog.Actor.of(caller, adding ? "addLeadsToList" : "removeLeadsFromList", requestId), now, activities);
            }
            return out;
        });
    }

    private StaticList require(Caller caller, long listId, Permission needed) {
        return visible(caller, needed).stream().filter(l -> l.id() == listId).findFirst()
                .orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Static list " + listId + " not found"));
    }

    private List<StaticList> visible(Caller caller, Permission needed) {
        Set<Long> workspaces = new HashSet<>();
        caller.grants().workspacesWith(needed).forEach(w -> workspaces.add(w.id()));
        return all(caller.instanceId()).stream().filter(l -> workspaces.contains(l.workspaceId())).toList();
    }

    private List<StaticList> all(long instance) {
        return jdbi.withHandle(h -> h.createQuery(LISTS + " ORDER BY l.id").bind("instance", instance)
                .map((rs, ctx) -> new StaticList(rs.getLong("id"), rs.getString("name"), rs.getString("description"), rs.getLong("workspace_id"),
                        rs.getString("workspace_name"), rs.getLong("created_at"), rs.getLong("updated_at"))).list());
    }

    private Map<Long, Long> partitions(long instance, List<Long> ids) {
        Map<Long, Long> out = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbi.useHandle(h -> h.createQuery(LEAD_PARTITIONS).bind("instance", instance).bindList("ids", ids.stream().distinct().toList())
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2))).forEach(e -> out.put(e.getKey(), e.getValue())));
        }
        return out;
    }

    private Set<Long> members(long listId, List<Long> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbi.withHandle(h -> h.createQuery(MEMBERS_OF).bind("list", listId).bindList("ids", ids.stream().distinct().toList())
                .mapTo(Long.class).list()));
    }

    private static void requireBatch(List<Long> ids) {
        if (ids.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "input");
        }
        if (ids.size() > MAX_BATCH) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "input holds " + ids.size() + " records; at most " + MAX_BATCH + " are allowed");
        }
    }

    private static Map<String, Object> view(StaticList l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.id());
        m.put("name", l.name());
        if (l.description() != null) {
            m.put("description", l.description());
        }
        m.put("workspaceName", l.workspaceName());
        m.put("createdAt", Instant.ofEpochMilli(l.createdAt()).truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("updatedAt", Instant.ofEpochMilli(l.updatedAt()).truncatedTo(ChronoUnit.SECONDS).toString());
        return m;
    }

    private static Map<String, Object> status(long id, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("status", status);
        return m;
    }

    private static Map<String, Object> skipped(long id, String code, String message) {
        Map<String, Object> m = status(id, "skipped");
        m.put("reasons", List.of(Map.of("code", code, "message", message)));
        return m;
    }

    static String encode(String kind, long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    static long decode(String token, String kind) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.US_ASCII);
            if (s.startsWith(kind + ":")) {
                long id = Long.parseLong(s.substring(kind.length() + 1));
                if (id >= 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid nextPageToken");
    }
}
