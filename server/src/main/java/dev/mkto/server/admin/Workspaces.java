package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import dev.mkto.server.store.RowLock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Workspaces of an instance. Each sees one or more lead partitions and names one of them primary
 * (where leads created in the workspace go); roles are granted per workspace.
 */
public final class Workspaces {

    /** A workspace and the partitions it sees. */
    public record Workspace(long id, String name, String description, long primaryPartitionId, List<Long> partitionIds,
                            Instant createdAt, Instant updatedAt) {
        public Workspace {
            partitionIds = List.copyOf(partitionIds);
        }
    }

    private static final String COLUMNS = "id, name, description, primary_partition_id, created_at, updated_at";
    private static final String LIST = "SELECT " + COLUMNS + " FROM workspace WHERE instance_id = :instance ORDER BY id";
    private static final String PARTITIONS_OF_INSTANCE = "SELECT wp.workspace_id, wp.partition_id FROM workspace_partition wp "
            + "JOIN workspace w ON w.id = wp.workspace_id WHERE w.instance_id = :instance ORDER BY wp.partition_id";
    private static final String INSERT = "INSERT INTO workspace (instance_id, name, description, primary_partition_id, created_at, updated_at) "
            + "VALUES (:instance, :name, :description, :primary, :now, :now)";
    private static final String UPDATE = "UPDATE workspace SET name = :name, description = :description, primary_partition_id = :primary, "
            + "updated_at = :now WHERE instance_id = :instance AND id = :id";
    private static final String CLEAR_PARTITIONS = "DELETE FROM workspace_partition WHERE workspace_id = :id";
    private static final String ADD_PARTITION = "INSERT INTO workspace_partition (workspace_id, partition_id) VALUES (:id, :partition)";
    private static final String DELETE = "DELETE FROM workspace WHERE instance_id = :instance AND id = :id";
    private static final String USERS_IN = "SELECT DISTINCT u.email FROM user_role ur JOIN app_user u ON u.id = ur.user_id "
            + "WHERE ur.workspace_id = :id ORDER BY u.email";
    private static final String LISTS_IN = "SELECT COUNT(*) FROM static_list WHERE workspace_id = :id";
    private static final String CAMPAIGNS_IN = "SELECT COUNT(*) FROM campaign WHERE workspace_id = :id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes events;
    private final Partitions partitions;

    public Workspaces(Jdbi jdbi, InstantSource clock, Changes events, Partitions partitions) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.partitions = partitions;
    }

    public List<Workspace> list(long instance) {
        return jdbi.withHandle(h -> {
            Map<Long, List<Long>> parts = partitionsByWorkspace(h, instance);
            return h.createQuery(LIST).bind("instance", instance)
                    .map((rs, ctx) -> map(rs, parts.getOrDefault(rs.getLong("id"), List.of()))).list();
        });
    }

    public Workspace get(long instance, long id) {
        return find(instance, id).orElseThrow(() -> AdminException.notFound("no workspace with id " + id));
    }

    public Optional<Workspace> find(long instance, long id) {
        return list(instance).stream().filter(w -> w.id() == id).findFirst();
    }

    public Optional<Workspace> byName(long instance, String name) {
        String n = name.strip();
        return list(instance).stream().filter(w -> w.name().equals(n)).findFirst();
    }

    /** A workspace by name, or an error naming the missing one and the ones that exist. */
    public Workspace require(long instance, String name) {
        return byName(instance, name).orElseThrow(() -> AdminException.invalid("no workspace named '" + Echo.of(name)
                + "' (workspaces: " + String.join(", ", list(instance).stream().map(Workspace::name).toList()) + ")"));
    }

    /**
     * Creates a workspace seeing {@code partitionNames} (default: the primary partition alone, or
     * the instance's first partition); {@code primary} defaults to the first partition given.
     */
    public Workspace create(long instance, String name, String description, List<String> partitionNames, String primary) {
        String n = Names.name(name, "workspace name");
        String d = Names.description(description, "workspace description");
        return jdbi.inTransaction(h -> {
            if (byName(instance, n).isPresent()) {
                throw AdminException.conflict("a workspace named '" + n + "' already exists");
            }
            Mapping m = mapping(instance, partitionNames, primary, null);
            long id = h.createUpdate(INSERT).bind("instance", instance).bind("name", n).bind("description", d)
                    .bind("primary", m.primary()).bind("now", clock.millis())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            writePartitions(h, id, m.partitionIds());
            return get(instance, id);
        });
    }

    /** Updates what is given (nulls keep the current value); the primary must stay among the partitions. */
    public Workspace update(long instance, long id, String name, String description, List<String> partitionNames, String primary) {
        Workspace w = jdbi.inTransaction(h -> {
            RowLock.lock(h, "workspace", id);
            Workspace current = get(instance, id);
            String n = name == null ? current.name() : Names.name(name, "workspace name");
            String d = description == null ? current.description() : Names.description(description, "workspace description");
            byName(instance, n).filter(other -> other.id() != id).ifPresent(other -> {
                throw AdminException.conflict("a workspace named '" + n + "' already exists");
            });
            Mapping m = mapping(instance, partitionNames, primary, current);
            h.createUpdate(UPDATE).bind("instance", instance).bind("id", id).bind("name", n).bind("description", d)
                    .bind("primary", m.primary()).bind("now", clock.millis()).execute();
            writePartitions(h, id, m.partitionIds());
            return get(instance, id);
        });
        events.changed();
        return w;
    }

    /** Deletes a workspace nobody holds a role in and that holds no lists or campaigns. */
    public void delete(long instance, long id) {
        jdbi.useTransaction(h -> {
            Workspace w = get(instance, id);
            List<String> users = h.createQuery(USERS_IN).bind("id", id).mapTo(String.class).list();
            if (!users.isEmpty()) {
                throw AdminException.inUse("workspace '" + w.name() + "' is used by the roles of " + String.join(", ", users)
                        + "; remove those role assignments first");
            }
            long lists = h.createQuery(LISTS_IN).bind("id", id).mapTo(Long.class).one();
            long campaigns = h.createQuery(CAMPAIGNS_IN).bind("id", id).mapTo(Long.class).one();
            if (lists + campaigns > 0) {
                throw AdminException.inUse("workspace '" + w.name() + "' holds " + lists + " list(s) and " + campaigns
                        + " campaign(s); delete them first");
            }
            h.createUpdate(DELETE).bind("instance", instance).bind("id", id).execute();
        });
        events.changed();
    }

    private record Mapping(long primary, List<Long> partitionIds) {
    }

    private Mapping mapping(long instance, List<String> partitionNames, String primary, Workspace current) {
        Set<Long> ids = new LinkedHashSet<>();
        if (partitionNames != null) {
            if (partitionNames.isEmpty()) {
                throw AdminException.invalid("a workspace must see at least one partition");
            }
            for (String p : partitionNames) {
                ids.add(partitions.require(instance, p).id());
            }
        } else if (current != null) {
            ids.addAll(current.partitionIds());
        }
        long primaryId;
        if (primary != null) {
            primaryId = partitions.require(instance, primary).id();
            if (partitionNames == null && current == null) {
                ids.add(primaryId);
            }
        } else if (current != null && ids.contains(current.primaryPartitionId())) {
            primaryId = current.primaryPartitionId();
        } else if (!ids.isEmpty()) {
            primaryId = ids.iterator().next();
        } else {
            primaryId = partitions.list(instance).stream().findFirst()
                    .orElseThrow(() -> AdminException.invalid("create a partition first: a workspace must see one")).id();
            ids.add(primaryId);
        }
        if (!ids.contains(primaryId)) {
            throw AdminException.invalid("the primary partition must be one of the workspace's partitions");
        }
        return new Mapping(primaryId, new ArrayList<>(ids));
    }

    private static void writePartitions(Handle h, long id, List<Long> partitionIds) {
        h.createUpdate(CLEAR_PARTITIONS).bind("id", id).execute();
        var batch = h.prepareBatch(ADD_PARTITION);
        for (long p : partitionIds) {
            batch.bind("id", id).bind("partition", p).add();
        }
        batch.execute();
    }

    private static Map<Long, List<Long>> partitionsByWorkspace(Handle h, long instance) {
        return h.createQuery(PARTITIONS_OF_INSTANCE).bind("instance", instance)
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).list().stream()
                .collect(Collectors.groupingBy(p -> p[0], Collectors.mapping(p -> p[1], Collectors.toList())));
    }

    private static Workspace map(java.sql.ResultSet rs, List<Long> partitionIds) throws java.sql.SQLException {
        return new Workspace(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                rs.getLong("primary_partition_id"), partitionIds,
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
