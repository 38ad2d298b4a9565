package dev.mkto.server.admin;

import dev.mkto.server.access.Permission;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import dev.mkto.server.store.RowLock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Roles: named sets of API permissions, granted to users per workspace. */
public final class Roles {

    /** A role and its permissions, canonical names in catalog order. */
    public record Role(long id, String name, String description, List<Permission> permissions,
                       Instant createdAt, Instant updatedAt) {
        public Role {
            permissions = List.copyOf(permissions);
        }
    }

    private static final String LIST = "SELECT id, name, description, created_at, updated_at FROM role "
            + "WHERE instance_id = :instance ORDER BY id";
    private static final String PERMISSIONS = "SELECT rp.role_id, rp.permission FROM role_permission rp "
            + "JOIN role r ON r.id = rp.role_id WHERE r.instance_id = :instance";
    private static final String INSERT = "INSERT INTO role (instance_id, name, description, created_at, updated_at) "
            + "VALUES (:instance, :name, :description, :now, :now)";
    private static final String UPDATE = "UPDATE role SET name = :name, description = :description, updated_at = :now "
            + "WHERE instance_id = :instance AND id = :id";
    private static final String CLEAR_PERMISSIONS = "DELETE FROM role_permission WHERE role_id = :id";
    private static final String ADD_PERMISSION = "INSERT INTO role_permission (role_id, permission) VALUES (:id, :permission)";
    private static final String DELETE = "DELETE FROM role WHERE instance_id = :instance AND id = :id";
    private static final String USERS_WITH = "SELECT DISTINCT u.email FROM user_role ur JOIN app_user u ON u.id = ur.user_id "
            + "WHERE ur.role_id = :id ORDER BY u.email";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes events;

    public Roles(Jdbi jdbi, InstantSource clock, Changes events) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
    }

    public List<Role> list(long instance) {
        return jdbi.withHandle(h -> {
            Map<Long, List<Permission>> perms = h.createQuery(PERMISSIONS).bind("instance", instance)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2))).list().stream()
                    .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(
                            e -> Permission.parse(e.getValue()).orElseThrow(), Collectors.toList())));
            return h.createQuery(LIST).bind("instance", instance).map((rs, ctx) -> {
                EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
                set.addAll(perms.getOrDefault(rs.getLong("id"), List.of()));
                return new Role(rs.getLong("id"), rs.getString("name"), rs.getString("description"), new ArrayList<>(set),
                        Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
            }).list();
        });
    }

    public Role get(long instance, long id) {
        return find(instance, id).orElseThrow(() -> AdminException.notFound("no role with id " + id));
    }

    public Optional<Role> find(long instance, long id) {
        return list(instance).stream().filter(r -> r.id() == id).findFirst();
    }

    public Optional<Role> byName(long instance, String name) {
        String n = name.strip();
        return list(instance).stream().filter(r -> r.name().equals(n)).findFirst();
    }

    /** A role by name, or an error naming the missing one and the ones that exist. */
    public Role require(long instance, String name) {
        return byName(instance, name).orElseThrow(() -> AdminException.invalid("no role named '" + Echo.of(name)
                + "' (roles: " + String.join(", ", list(instance).stream().map(Role::name).toList()) + ")"));
    }

    /** Parses permission names (canonical or alias); an unknown one is refused with the catalog. */
    public static EnumSet<Permission> parsePermissions(List<String> names) {
        EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
        for (String name : names) {
            if (name == null) {
                throw AdminException.invalid("permission names must be strings");
            }
            set.add(Permission.parse(name).orElseThrow(() -> AdminException.invalid("unknown permission '" + Echo.of(name)
                    + "'; permissions are: " + String.join(", ", Permission.labels()))));
        }
        return set;
    }

    public Role create(long instance, String name, String description, List<String> permissions) {
        String n = Names.name(name, "role name");
        String d = Names.description(description, "role description");
        EnumSet<Permission> perms = parsePermissions(permissions == null ? List.of() : permissions);
        return jdbi.inTransaction(h -> {
            if (byName(instance, n).isPresent()) {
                throw AdminException.conflict("a role named '" + n + "' already exists");
            }
            long id = h.createUpdate(INSERT).bind("instance", instance).bind("name", n).bind("description", d)
                    .bind("now", clock.millis()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            writePermissions(h, id, perms);
            return get(instance, id);
        });
    }

    public Role update(long instance, long id, String name, String description, List<String> permissions) {
        Role role = jdbi.inTransaction(h -> {
            RowLock.lock(h, "role", id);
            Role current = get(instance, id);
            String n = name == null ? current.name() : Names.name(name, "role name");
            String d = description == null ? current.description() : Names.description(description, "role description");
            byName(instance, n).filter(other -> other.id() != id).ifPresent(other -> {
                throw AdminException.conflict("a role named '" + n + "' already exists");
            });
            h.createUpdate(UPDATE).bind("instance", instance).bind("id", id).bind("name", n).bind("description", d)
                    .bind("now", clock.millis()).execute();
            if (permissions != null) {
                writePermissions(h, id, parsePermissions(permissions));
            }
            return get(instance, id);
        });
        events.changed();
        return role;
    }

    /** Deletes a role no user holds. */
    public void delete(long instance, long id) {
        jdbi.useTransaction(h -> {
            Role r = get(instance, id);
            List<String> users = h.createQuery(USERS_WITH).bind("id", id).mapTo(String.class).list();
            if (!users.isEmpty()) {
                throw AdminException.inUse("role '" + r.name() + "' is assigned to " + String.join(", ", users)
                        + "; remove it from them first");
            }
            h.createUpdate(DELETE).bind("instance", instance).bind("id", id).execute();
        });
        events.changed();
    }

    private static void writePermissions(Handle h, long id, EnumSet<Permission> perms) {
        h.createUpdate(CLEAR_PERMISSIONS).bind("id", id).execute();
        var batch = h.prepareBatch(ADD_PERMISSION);
        for (Permission p : perms) {
            batch.bind("id", id).bind("permission", p.label()).add();
        }
        if (!perms.isEmpty()) {
            batch.execute();
        }
    }
}
