package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * The marketing assets the Lead Database API works with: static lists and smart campaigns. Both
 * belong to a workspace. Here they are created, changed and deleted (Marketo does this in its UI);
 * the REST API reads them, changes list members and requests campaigns.
 */
public final class Assets {

    /** A static list. */
    public record StaticList(long id, String name, String description, String workspace, long members, Instant createdAt, Instant updatedAt) {
    }

    /** A smart campaign: {@code type} batch or trigger; a trigger campaign can be requested when active and requestable. */
    public record Campaign(long id, String name, String description, String type, String workspace, boolean requestable, boolean active,
                           Instant createdAt, Instant updatedAt) {
    }

    private static final String LISTS = "SELECT l.id, l.name, l.description, w.name AS workspace, "
            + "(SELECT COUNT(*) FROM list_member m WHERE m.list_id = l.id) AS members, l.created_at, l.updated_at "
            + "FROM static_list l JOIN workspace w ON w.id = l.workspace_id WHERE l.instance_id = :instance ORDER BY l.id";
    private static final String CAMPAIGNS = "SELECT c.id, c.name, c.description, c.type, w.name AS workspace, c.requestable, c.active, "
            + "c.created_at, c.updated_at FROM campaign c JOIN workspace w ON w.id = c.workspace_id WHERE c.instance_id = :instance ORDER BY c.id";
    private static final String NAME_TAKEN = "SELECT COUNT(*) FROM <table> WHERE instance_id = :instance AND name = :name AND id <> :id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Workspaces workspaces;

    public Assets(Jdbi jdbi, InstantSource clock, Workspaces workspaces) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.workspaces = workspaces;
    }

    public List<StaticList> lists(long instance) {
        return jdbi.withHandle(h -> h.createQuery(LISTS).bind("instance", instance).map((rs, ctx) -> new StaticList(rs.getLong("id"),
                rs.getString("name"), rs.getString("description"), rs.getString("workspace"), rs.getLong("members"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")))).list());
    }

    public StaticList list(long instance, long id) {
        return lists(instance).stream().filter(l -> l.id() == id).findFirst()
                .orElseThrow(() -> AdminException.notFound("no static list with id " + id));
    }

    public StaticList createList(long instance, String name, String description, String workspace) {
        String n = Names.name(name, "list name");
        String d = Names.description(description, "list description");
        long ws = workspace(instance, workspace);
        long id = jdbi.inTransaction(h -> {
            unique(h, "static_list", instance, n, -1);
            return h.createUpdate("INSERT INTO static_list (instance_id, workspace_id, name, description, created_at, updated_at) "
                            + "VALUES (:instance, :ws, :name, :description, :now, :now)")
                    .bind("instance", instance).bind("ws", ws).bind("name", n).bind("description", d).bind("now", clock.millis())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        });
        return list(instance, id);
    }

    /** Deletes a list and its memberships (the leads stay). */
    public void deleteList(long instance, long id) {
        list(instance, id);
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM static_list WHERE instance_id = :instance AND id = :id")
                .bind("instance", instance).bind("id", id).execute());
    }

    public List<Campaign> campaigns(long instance) {
        return jdbi.withHandle(h -> h.createQuery(CAMPAIGNS).bind("instance", instance).map((rs, ctx) -> new Campaign(rs.getLong("id"),
                rs.getString("name"), rs.getString("description"), rs.getString("type"), rs.getString("workspace"), rs.getBoolean("requestable"),
                rs.getBoolean("active"), Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")))).list());
    }

    public Campaign campaign(long instance, long id) {
        return campaigns(instance).stream().filter(c -> c.id() == id).findFirst()
                .orElseThrow(() -> AdminException.notFound("no campaign with id " + id));
    }

    public Campaign createCampaign(long instance, String name, String description, String type, String workspace, Boolean requestable,
                                   Boolean active) {
        String n = Names.name(name, "campaign name");
        String d = Names.description(description, "campaign description");
        String t = type(type == null ? "batch" : type);
        long ws = workspace(instance, workspace);
        long id = jdbi.inTransaction(h -> {
            unique(h, "campaign", instance, n, -1);
            return h.createUpdate("INSERT INTO campaign (instance_id, workspace_id, name, description, type, requestable, active, created_at, "
                            + "updated_at) VALUES (:instance, :ws, :name, :description, :type, :requestable, :active, :now, :now)")
                    .bind("instance", instance).bind("ws", ws).bind("name", n).bind("description", d).bind("type", t)
                    .bind("requestable", Boolean.TRUE.equals(requestable)).bind("active", !Boolean.FALSE.equals(active))
                    .bind("now", clock.millis()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        });
        return campaign(instance, id);
    }

    /**
     * Changes what is given (null keeps the current value). Each value is set by itself in one
     * statement, so concurrent changes of different values all stay.
     */
    public Campaign updateCampaign(long instance, long id, String description, Boolean requestable, Boolean active) {
        campaign(instance, id);
        String d = description == null ? null : Names.description(description, "campaign description");
        jdbi.useHandle(h -> h.createUpdate("UPDATE campaign SET description = COALESCE(:description, description), "
                        + "requestable = COALESCE(:requestable, requestable), active = COALESCE(:active, active), "
                        + "updated_at = :now WHERE instance_id = :instance AND id = :id")
                .bind("instance", instance).bind("id", id).bind("description", d).bind("requestable", requestable)
                .bind("active", active).bind("now", clock.millis()).execute());
        return campaign(instance, id);
    }

    public void deleteCampaign(long instance, long id) {
        campaign(instance, id);
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM campaign WHERE instance_id = :instance AND id = :id")
                .bind("instance", instance).bind("id", id).execute());
    }

    static String type(String type) {
        String t = type.strip();
        if (!t.equals("batch") && !t.equals("trigger")) {
            throw AdminException.invalid("type must be batch or trigger");
        }
        return t;
    }

    private long workspace(long instance, String workspace) {
        return workspace == null ? workspaces.list(instance).getFirst().id() : workspaces.require(instance, workspace).id();
    }

    private static void unique(org.jdbi.v3.core.Handle h, String table, long instance, String name, long id) {
        if (h.createQuery(NAME_TAKEN).define("table", table).bind("instance", instance).bind("name", name).bind("id", id)
                .mapTo(Long.class).one() > 0) {
            throw AdminException.conflict("a " + (table.equals("campaign") ? "campaign" : "static list") + " named '" + name + "' already exists");
        }
    }
}
