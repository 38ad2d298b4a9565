package dev.mkto.server.campaigns;

import static dev.mkto.server.access.Permission.EXECUTE_CAMPAIGN;
import static dev.mkto.server.access.Permission.READ_ONLY_CAMPAIGN;
import static dev.mkto.server.access.Permission.READ_WRITE_CAMPAIGN;

import dev.mkto.server.access.Caller;
import dev.mkto.server.activities.ActivityLog;
import dev.mkto.server.activities.ActivityTypes;
import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.Workspaces;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.store.RowLock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Smart campaigns as the Lead Database API exposes them: read them, request a trigger campaign
 * for leads (recording a Request Campaign activity for each), schedule a batch campaign. Campaigns
 * belong to workspaces; a caller reads those of workspaces where it holds a campaign permission,
 * and requests or schedules where it holds Execute Campaign (or Read-Write Campaign). The server
 * keeps the requests and schedules; it does not run campaign flows.
 */
public final class CampaignService {

    public static final int MAX_BATCH = 300;
    static final int MAX_LEADS = 100;
    static final int MAX_TOKENS = 100;
    static final int MAX_CLONES_PER_DAY = 20;
    private static final Pattern TOKEN_NAME = Pattern.compile("\\{\\{my\\.[^{}]+}}");

    /** A campaign. */
    record Campaign(long id, String name, String description, String type, boolean requestable, boolean active, long workspaceId,
                    String workspaceName, long createdAt, long updatedAt) {
        boolean triggerable() {
            return type.equals("trigger") && requestable && active;
        }
    }

    /** A page of campaigns. */
    public record Page(List<Map<String, Object>> items, String nextPageToken) {
    }

    private static final String CAMPAIGNS = "SELECT c.id, c.name, c.description, c.type, c.requestable, c.active, c.workspace_id, "
            + "w.name AS workspace_name, c.created_at, c.updated_at FROM campaign c JOIN workspace w ON w.id = c.workspace_id "
            + "WHERE c.instance_id = :instance ORDER BY c.id";
    private static final String LEAD_PARTITIONS = "SELECT id, partition_id FROM lead WHERE instance_id = :instance AND id IN (<ids>)";
    private static final String RUN = "INSERT INTO campaign_run (campaign_id, run_at, tokens, clone_to_program, requested_by, requested_at) "
            + "VALUES (:campaign, :runAt, :tokens, :clone, :service, :now)";
    private static final String CLONES_SINCE = "SELECT COUNT(*) FROM campaign_run r JOIN campaign c ON c.id = r.campaign_id "
            + "WHERE c.instance_id = :instance AND r.clone_to_program IS NOT NULL AND r.requested_at >= :since";

    private final Jdbi jdbi;
    private final Workspaces workspaces;
    private final Instances instances;
    private final ActivityLog log;
    private final InstantSource clock;

    public CampaignService(Jdbi jdbi, Workspaces workspaces, Instances instances, ActivityLog log, InstantSource clock) {
        this.jdbi = jdbi;
        this.workspaces = workspaces;
        this.instances = instances;
        this.log = log;
        this.clock = clock;
    }

    /** Campaigns the caller can see, filtered, paged by id. */
    public Page campaigns(Caller caller, List<Long> ids, List<String> names, List<String> programNames, List<String> workspaceNames,
                          Boolean triggerable, int batchSize, String token) {
        long after = decode(token);
        List<Campaign> matching = visible(caller, READ_ONLY_CAMPAIGN).stream()
                .filter(c -> ids.isEmpty() || ids.contains(c.id()))
                .filter(c -> names.isEmpty() || names.contains(c.name()))
                .filter(c -> programNames.isEmpty()) // campaigns here belong to workspaces, never to programs
                .filter(c -> workspaceNames.isEmpty() || workspaceNames.contains(c.workspaceName()))
                .filter(c -> triggerable == null || c.triggerable() == triggerable)
                .filter(c -> c.id() > after)
                .toList();
        List<Campaign> page = matching.stream().limit(batchSize).toList();
        return new Page(page.stream().map(CampaignService::view).toList(),
                matching.size() > batchSize ? encode(page.getLast().id()) : null);
    }

    public List<Map<String, Object>> campaign(Caller caller, long id) {
        return visible(caller, READ_ONLY_CAMPAIGN).stream().filter(c -> c.id() == id).map(CampaignService::view).toList();
    }

    /**
     * Requests an active, requestable trigger campaign for up to 100 leads of its workspace's
     * partitions, with up to 100 My Tokens. All or nothing: any problem refuses the whole call.
     */
    public long request(Caller caller, long campaignId, List<Long> leadIds, List<Map<String, String>> tokens, String requestId) {
        Campaign c = executable(caller, campaignId);
        if (!c.type().equals("trigger")) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Campaign " + campaignId + " is a batch campaign; only trigger campaigns can be requested");
        }
        if (!c.active() || !c.requestable()) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Campaign " + campaignId + " is not an active trigger campaign with "
                    + "'Campaign is Requested' (Web Service API)");
        }
        if (leadIds.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "leads");
        }
        if (leadIds.size() > MAX_LEADS) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "leads holds " + leadIds.size() + " leads; at most " + MAX_LEADS + " are allowed");
        }
        checkTokens(tokens);
        long[] partitions = workspaces.get(caller.instanceId(), c.workspaceId()).partitionIds().stream().mapToLong(Long::longValue)
                .sorted().toArray();
        Map<Long, Long> partitionOf = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery(LEAD_PARTITIONS).bind("instance", caller.instanceId())
                .bindList("ids", leadIds.stream().distinct().toList())
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2))).forEach(e -> partitionOf.put(e.getKey(), e.getValue())));
        List<Long> missing = leadIds.stream().filter(id -> !partitionOf.containsKey(id)
                || Arrays.binarySearch(partitions, partitionOf.get(id)) < 0).distinct().toList();
        if (!missing.isEmpty()) {
            throw new MarketoException(ErrorCode.LEAD_NOT_FOUND, "Lead not found: " + missing.stream().limit(10).map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse("") + (missing.size() > 10 ? ", …" : ""));
        }
        long now = clock.millis();
        List<ActivityLog.Entry> entries = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (Long id : leadIds) {
            if (seen.add(id)) {
                entries.add(new ActivityLog.Entry(id, partitionOf.get(id), ActivityTypes.REQUEST_CAMPAIGN, c.id(), c.id(), c.name(),
                        ActivityLog.attributes("Source", "Web Service API")));
            }
        }
        jdbi.useTransaction(h -> log.record(ActivityLog.Actor.of(caller, "requestCampaign", requestId), now, entries));
        return c.id();
    }

    /**
     * Schedules a batch campaign: at {@code runAt} (at least five minutes from now; by default in
     * five minutes; at most two years ahead, else 1042), optionally cloning its program (at most 20
     * clones a day, else 1020).
     */
    public long schedule(Caller caller, long campaignId, Instant runAt, List<Map<String, String>> tokens, String cloneToProgramName) {
        Campaign c = executable(caller, campaignId);
        if (!c.type().equals("batch")) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Campaign " + campaignId + " is a trigger campaign; only batch campaigns can be scheduled");
        }
        checkTokens(tokens);
        Instant now = clock.instant();
        Instant earliest = now.plus(Duration.ofMinutes(5));
        Instant when = runAt == null || runAt.isBefore(earliest) ? earliest : runAt;
        if (when.isAfter(now.atZone(ZoneId.of("UTC")).plusYears(2).toInstant())) {
            throw new MarketoException(ErrorCode.INVALID_RUN_AT, "Invalid runAt date: at most two years from now");
        }
        return jdbi.inTransaction(h -> {
            if (cloneToProgramName != null) {
                RowLock.lock(h, "instance", caller.instanceId()); // clones scheduled at once take turns at the count
                InstanceSettings.Limits l = instances.get(caller.instanceId()).settings().limits();
                ZoneId zone = ZoneId.of(l.timeZone());
                long since = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant().toEpochMilli();
                long clones = h.createQuery(CLONES_SINCE).bind("instance", caller.instanceId()).bind("since", since).mapTo(Long.class).one();
                if (clones >= MAX_CLONES_PER_DAY) {
                    throw MarketoException.of(ErrorCode.TOO_MANY_CLONES);
                }
            }
            h.createUpdate(RUN).bind("campaign", c.id()).bind("runAt", when.toEpochMilli())
                    .bind("tokens", Json.MAPPER.writeValueAsString(tokens)).bind("clone", cloneToProgramName)
                    .bind("service", caller.serviceId()).bind("now", now.toEpochMilli()).execute();
            return c.id();
        });
    }

    private Campaign executable(Caller caller, long campaignId) {
        Set<Long> allowed = new HashSet<>();
        caller.grants().workspacesWith(EXECUTE_CAMPAIGN).forEach(w -> allowed.add(w.id()));
        caller.grants().workspacesWith(READ_WRITE_CAMPAIGN).forEach(w -> allowed.add(w.id()));
        return all(caller.instanceId()).stream().filter(c -> c.id() == campaignId && allowed.contains(c.workspaceId())).findFirst()
                .orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Campaign " + campaignId + " not found"));
    }

    private static void checkTokens(List<Map<String, String>> tokens) {
        if (tokens.size() > MAX_TOKENS) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "tokens holds " + tokens.size() + " tokens; at most " + MAX_TOKENS + " are allowed");
        }
        for (Map<String, String> t : tokens) {
            String name = t.get("name");
            if (name == null || !TOKEN_NAME.matcher(name).matches()) {
                throw new MarketoException(ErrorCode.INVALID_DATA, "Token name '" + Echo.of(name)
                        + "' must look like {{my.Token Name}}");
            }
        }
    }

    private List<Campaign> visible(Caller caller, dev.mkto.server.access.Permission p) {
        Set<Long> ws = new HashSet<>();
        caller.grants().workspacesWith(p).forEach(w -> ws.add(w.id()));
        return all(caller.instanceId()).stream().filter(c -> ws.contains(c.workspaceId())).toList();
    }

    private List<Campaign> all(long instance) {
        return jdbi.withHandle(h -> h.createQuery(CAMPAIGNS).bind("instance", instance).map((rs, ctx) -> new Campaign(rs.getLong("id"),
                rs.getString("name"), rs.getString("description"), rs.getString("type"), rs.getBoolean("requestable"), rs.getBoolean("active"),
                rs.getLong("workspace_id"), rs.getString("workspace_name"), rs.getLong("created_at"), rs.getLong("updated_at"))).list());
    }

    private static Map<String, Object> view(Campaign c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        if (c.description() != null) {
            m.put("description", c.description());
        }
        m.put("type", c.type());
        m.put("workspaceName", c.workspaceName());
        m.put("createdAt", Instant.ofEpochMilli(c.createdAt()).truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("updatedAt", Instant.ofEpochMilli(c.updatedAt()).truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("active", c.active());
        return m;
    }

    private static String encode(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("campaign:" + id).getBytes(StandardCharsets.US_ASCII));
    }

    private static long decode(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.US_ASCII);
            if (s.startsWith("campaign:")) {
                return Long.parseLong(s.substring(9));
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid nextPageToken");
    }
}
