package dev.mkto.server.access;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an API-only user may do, workspace by workspace: the permissions its roles give in each
 * workspace, and the partitions each workspace can see. Immutable; the answers a request needs
 * (may it call this endpoint at all, which partitions may it read or write) are computed once.
 */
public final class Grants {

    /** One workspace as access control sees it. */
    public record Workspace(long id, String name, long primaryPartitionId, long[] partitionIds) {
        public Workspace {
            partitionIds = partitionIds.clone();
        }
    }

    private final Map<Long, PermissionSet> byWorkspace;
    private final Map<Long, Workspace> workspaces;
    private final PermissionSet anywhere;
    private final long[][] partitionsByPermission = new long[Permission.values().length][];

    public Grants(Map<Long, PermissionSet> byWorkspace, Map<Long, Workspace> workspaces) {
        this.byWorkspace = Map.copyOf(byWorkspace);
        this.workspaces = Map.copyOf(workspaces);
        PermissionSet union = PermissionSet.EMPTY;
        for (PermissionSet set : byWorkspace.values()) {
            union = union.union(set);
        }
        this.anywhere = union;
        for (Permission p : Permission.values()) {
            partitionsByPermission[p.ordinal()] = computePartitions(p);
        }
    }

    public static Grants none() {
        return new Grants(Map.of(), Map.of());
    }

    /** The union over workspaces: what the endpoint check looks at. */
    public PermissionSet anywhere() {
        return anywhere;
    }

    /** What is held in one workspace, with what it implies (empty where nothing is). */
    public PermissionSet in(long workspaceId) {
        return byWorkspace.getOrDefault(workspaceId, PermissionSet.EMPTY);
    }

    /** Sorted ids of the partitions of every workspace where {@code p} is held. */
    public long[] partitionsWith(Permission p) {
        return partitionsByPermission[p.ordinal()];
    }

    public boolean canSeePartition(Permission p, long partitionId) {
        return Arrays.binarySearch(partitionsByPermission[p.ordinal()], partitionId) >= 0;
    }

    /** Primary partitions of the workspaces where {@code p} is held, in workspace id order. */
    public List<Long> primaryPartitionsWith(Permission p) {
        Set<Long> primaries = new LinkedHashSet<>();
        workspaces.values().stream()
                .filter(w -> byWorkspace.getOrDefault(w.id(), PermissionSet.EMPTY).contains(p))
                .sorted((a, b) -> Long.compare(a.id(), b.id()))
                .forEach(w -> primaries.add(w.primaryPartitionId()));
        return new ArrayList<>(primaries);
    }

    /** Workspaces where {@code p} is held. */
    public List<Workspace> workspacesWith(Permission p) {
        return workspaces.values().stream()
                .filter(w -> byWorkspace.getOrDefault(w.id(), PermissionSet.EMPTY).contains(p))
                .sorted((a, b) -> Long.compare(a.id(), b.id()))
                .toList();
    }

    private long[] computePartitions(Permission p) {
        return workspaces.values().stream()
                .filter(w -> byWorkspace.getOrDefault(w.id(), PermissionSet.EMPTY).contains(p))
                .flatMapToLong(w -> Arrays.stream(w.partitionIds()))
                .distinct()
                .sorted()
                .toArray();
    }
}
