package dev.mkto.server.identity;

import dev.mkto.server.access.Caller;
import dev.mkto.server.access.Grants;
import dev.mkto.server.access.Permission;
import dev.mkto.server.access.PermissionSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Builds the {@link Caller} behind a service: its user, that user's roles per workspace, and what each workspace sees. */
final class CallerLoader {

    /** A caller and what decides, per request, whether it may still call. */
    record Loaded(Caller caller, boolean serviceEnabled, boolean userUsable, Long userExpiresAt) {
        boolean usableAt(long now) {
            return serviceEnabled && userUsable && (userExpiresAt == null || now < userExpiresAt);
        }
    }

    private static final String SERVICE = "SELECT s.instance_id, s.client_id, s.name, s.caps, s.enabled, u.id AS user_id, u.email, u.api_only, "
            + "u.active, u.invited, u.expires_at FROM custom_service s JOIN app_user u ON u.id = s.user_id WHERE s.id = :id";
    private static final String PERMISSIONS = "SELECT ur.workspace_id, rp.permission FROM user_role ur "
            + "JOIN role_permission rp ON rp.role_id = ur.role_id WHERE ur.user_id = :user";
    private static final String WORKSPACES = "SELECT w.id, w.name, w.primary_partition_id, wp.partition_id FROM workspace w "
            + "JOIN workspace_partition wp ON wp.workspace_id = w.id WHERE w.instance_id = :instance ORDER BY w.id, wp.partition_id";

    private final Jdbi jdbi;

    CallerLoader(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Optional<Loaded> load(long serviceId) {
        return jdbi.withHandle(h -> {
            var row = h.createQuery(SERVICE).bind("id", serviceId).mapToMap().findOne();
            if (row.isEmpty()) {
                return Optional.empty();
            }
            Map<String, Object> s = row.get();
            long instance = ((Number) s.get("instance_id")).longValue();
            long user = ((Number) s.get("user_id")).longValue();
            Map<Long, List<Permission>> held = new HashMap<>();
            h.createQuery(PERMISSIONS).bind("user", user)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                    .forEach(e -> Permission.parse(e.getValue()).ifPresent(p ->
                            held.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(p)));
            Map<Long, PermissionSet> byWorkspace = new HashMap<>();
            held.forEach((w, perms) -> byWorkspace.put(w, PermissionSet.granting(perms)));
            record Row(long workspace, String name, long primary, long partition) {
            }
            Map<Long, List<Row>> rows = new HashMap<>();
            h.createQuery(WORKSPACES).bind("instance", instance)
                    .map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
                    .forEach(r -> rows.computeIfAbsent(r.workspace(), k -> new ArrayList<>()).add(r));
            Map<Long, Grants.Workspace> workspaces = new HashMap<>();
            rows.forEach((w, list) -> workspaces.put(w, new Grants.Workspace(w, list.getFirst().name(), list.getFirst().primary(),
                    list.stream().mapToLong(Row::partition).toArray())));
            Caller caller = new Caller(instance, serviceId, (String) s.get("client_id"), (String) s.get("name"), user,
                    (String) s.get("email"), new Grants(byWorkspace, workspaces), dev.mkto.server.admin.CustomServices.caps((String) s.get("caps")));
            boolean usable = (Boolean) s.get("api_only") && (Boolean) s.get("active") && !(Boolean) s.get("invited");
            Object expires = s.get("expires_at");
            return Optional.of(new Loaded(caller, (Boolean) s.get("enabled"), usable,
                    expires == null ? null : ((Number) expires).longValue()));
        });
    }
}
