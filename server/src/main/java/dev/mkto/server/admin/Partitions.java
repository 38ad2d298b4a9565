package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import dev.mkto.server.store.RowLock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Lead partitions of an instance: separate lead databases that workspaces are given access to. */
public final class Partitions {

    /** A lead partition. */
    public record Partition(long id, String name, String description, Instant createdAt, Instant updatedAt) {
    }

    private static final String COLUMNS = "id, name, description, created_at, updated_at";
    private static final String LIST = "SELECT " + COLUMNS + " FROM lead_partition WHERE instance_id = :instance ORDER BY id";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM lead_partition WHERE instance_id = :instance AND id = :id";
    private static final String BY_NAME = "SELECT " + COLUMNS + " FROM lead_partition WHERE instance_id = :instance AND name = :name";
    private static final String INSERT = "INSERT INTO lead_partition (instance_id, name, description, created_at, updated_at) "
            + "VALUES (:instance, :name, :description, :now, :now)";
    private static final String UPDATE = "UPDATE lead_partition SET name = :name, description = :description, updated_at = :now "
            + "WHERE instance_id = :instance AND id = :id";
    private static final String DELETE = "DELETE FROM lead_partition WHERE instance_id = :instance AND id = :id";
    private static final String WORKSPACES_USING = "SELECT w.name FROM workspace w JOIN workspace_partition wp ON wp.workspace_id = w.id "
            + "WHERE wp.partition_id = :id UNION SELECT name FROM workspace WHERE primary_partition_id = :id ORDER BY 1";
    private static final String LEAD_COUNT = "SELECT COUNT(*) FROM lead WHERE partition_id = :id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes events;

    public Partitions(Jdbi jdbi, InstantSource clock, Changes events) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
    }

    public List<Partition> list(long instance) {
        return jdbi.withHandle(h -> h.createQuery(LIST).bind("instance", instance).map(Partitions::map).list());
    }

    public Partition get(long instance, long id) {
        return find(instance, id).orElseThrow(() -> AdminException.notFound("no partition with id " + id));
    }

    public Optional<Partition> find(long instance, long id) {
        return jdbi.withHandle(h -> h.createQuery(BY_ID).bind("instance", instance).bind("id", id).map(Partitions::map).findOne());
    }

    public Optional<Partition> byName(long instance, String name) {
        if (name.indexOf('\0') >= 0) {
            return Optional.empty(); // no name holds NUL, and PostgreSQL cannot bind it
        }
        return jdbi.withHandle(h -> h.createQuery(BY_NAME).bind("instance", instance).bind("name", name.strip())
                .map(Partitions::map).findOne());
    }

    /** A partition by name, or an error naming the missing one and the ones that exist. */
    public Partition require(long instance, String name) {
        return byName(instance, name).orElseThrow(() -> AdminException.invalid("no partition named '" + Echo.of(name)
                + "' (partitions: " + String.join(", ", list(instance).stream().map(Partition::name).toList()) + ")"));
    }

    public Partition create(long instance, String name, String description) {
        String n = Names.name(name, "partition name");
        String d = Names.description(description, "partition description");
        return jdbi.inTransaction(h -> {
            if (byName(instance, n).isPresent()) {
                throw AdminException.conflict("a partition named '" + n + "' already exists");
            }
            long id = h.createUpdate(INSERT).bind("instance", instance).bind("name", n).bind("description", d)
                    .bind("now", clock.millis()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return get(instance, id);
        });
    }

    public Partition update(long instance, long id, String name, String description) {
        return jdbi.inTransaction(h -> {
            RowLock.lock(h, "lead_partition", id);
            Partition current = get(instance, id);
            String n = name == null ? current.name() : Names.name(name, "partition name");
            String d = description == null ? current.description() : Names.description(description, "partition description");
            byName(instance, n).filter(other -> other.id() != id).ifPresent(other -> {
                throw AdminException.conflict("a partition named '" + n + "' already exists");
            });
            h.createUpdate(UPDATE).bind("instance", instance).bind("id", id).bind("name", n).bind("description", d)
                    .bind("now", clock.millis()).execute();
            return get(instance, id);
        });
    }

    /** Deletes an unused partition; one that holds leads or belongs to a workspace is refused. */
    public void delete(long instance, long id) {
        jdbi.useTransaction(h -> {
            Partition p = get(instance, id);
            List<String> workspaces = h.createQuery(WORKSPACES_USING).bind("id", id).mapTo(String.class).list();
            if (!workspaces.isEmpty()) {
                throw AdminException.inUse("partition '" + p.name() + "' belongs to workspace(s) " + String.join(", ", workspaces)
                        + "; remove it from them first");
            }
            long leads = h.createQuery(LEAD_COUNT).bind("id", id).mapTo(Long.class).one();
            if (leads > 0) {
                throw AdminException.inUse("partition '" + p.name() + "' holds " + leads + " lead(s); move or delete them first");
            }
            h.createUpdate(DELETE).bind("instance", instance).bind("id", id).execute();
        });
        events.changed();
    }

    private static Partition map(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws java.sql.SQLException {
        return new Partition(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
