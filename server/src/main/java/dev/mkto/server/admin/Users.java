package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import dev.mkto.server.store.RowLock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Users of an instance. API-only users own custom services and scope their access through their
 * roles, one or more per workspace; they are active from creation. Other users are invitations
 * that stay pending (nobody logs in to this server).
 */
public final class Users {

    /** A role held in a workspace. */
    public record Assignment(long roleId, String roleName, long workspaceId, String workspaceName) {
    }

    /** A user. {@code expiresAt} null means access never expires. */
    public record User(long id, String email, String firstName, String lastName, boolean apiOnly, boolean active,
                       boolean invited, Instant expiresAt, List<Assignment> roles, Instant createdAt, Instant updatedAt) {
        public User {
            roles = List.copyOf(roles);
        }

        /** Whether its services may get and use tokens at {@code now}. */
        public boolean usableAt(Instant now) {
            return apiOnly && active && !invited && (expiresAt == null || now.isBefore(expiresAt));
        }

        public String status(Instant now) {
            if (invited) {
                return "invited";
            }
            if (!active) {
                return "deactivated";
            }
            return expiresAt != null && !now.isBefore(expiresAt) ? "expired" : "active";
        }
    }

    /** A role and workspace, each by id or by name. */
    public record RoleRef(Long roleId, String role, Long workspaceId, String workspace) {
        public static RoleRef byName(String role, String workspace) {
            return new RoleRef(null, role, null, workspace);
        }

        public static RoleRef byId(long roleId, long workspaceId) {
            return new RoleRef(roleId, null, workspaceId, null);
        }
    }

    /**
     * What to create or change; a null field keeps the current value (or takes the default on
     * create). {@code expiresAt}: null unchanged, empty never expires.
     */
    public record Draft(String email, String firstName, String lastName, Boolean apiOnly, Boolean active,
                        Optional<Instant> expiresAt, List<RoleRef> roles) {
    }

    private static final String COLUMNS = "id, email, first_name, last_name, api_only, active, invited, expires_at, created_at, updated_at";
    private static final String LIST = "SELECT " + COLUMNS + " FROM app_user WHERE instance_id = :instance ORDER BY id";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM app_user WHERE instance_id = :instance AND id = :id";
    private static final String ID_BY_EMAIL = "SELECT id FROM app_user WHERE instance_id = :instance AND email_lc = :email";
    private static final String ROLES_SELECT = "SELECT ur.user_id, ur.role_id, r.name AS role_name, ur.workspace_id, w.name AS workspace_name "
            + "FROM user_role ur JOIN role r ON r.id = ur.role_id JOIN workspace w ON w.id = ur.workspace_id WHERE r.instance_id = :instance";
    private static final String ROLES = ROLES_SELECT + " ORDER BY ur.workspace_id, ur.role_id";
    private static final String ROLES_OF_USER = ROLES_SELECT + " AND ur.user_id = :user ORDER BY ur.workspace_id, ur.role_id";
    private static final String INSERT = "INSERT INTO app_user (instance_id, email, email_lc, first_name, last_name, api_only, active, "
            + "invited, expires_at, created_at, updated_at) VALUES (:instance, :email, :emailLc, :firstName, :lastName, :apiOnly, "
            + ":active, :invited, :expiresAt, :now, :now)";
    private static final String UPDATE = "UPDATE app_user SET email = :email, email_lc = :emailLc, first_name = :firstName, "
            + "last_name = :lastName, api_only = :apiOnly, active = :active, invited = :invited, expires_at = :expiresAt, "
            + "updated_at = :now "
            + "WHERE instance_id = :instance AND id = :id";
    private static final String CLEAR_ROLES = "DELETE FROM user_role WHERE user_id = :id";
    private static final String ADD_ROLE = "INSERT INTO user_role (user_id, role_id, workspace_id) VALUES (:id, :role, :workspace)";
    private static final String DELETE = "DELETE FROM app_user WHERE instance_id = :instance AND id = :id";
    private static final Instant EARLIEST_EXPIRY = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59.999Z");
    private static final String SERVICES_OF = "SELECT id, name FROM custom_service WHERE user_id = :id ORDER BY id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes events;
    private final Roles roles;
    private final Workspaces workspaces;

    public Users(Jdbi jdbi, InstantSource clock, Changes events, Roles roles, Workspaces workspaces) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.roles = roles;
        this.workspaces = workspaces;
    }

    public List<User> list(long instance) {
        return jdbi.withHandle(h -> {
            Map<Long, List<Assignment>> assigned = assignments(h.createQuery(ROLES).bind("instance", instance));
            return h.createQuery(LIST).bind("instance", instance).map((rs, ctx) -> map(rs, assigned)).list();
        });
    }

    public User get(long instance, long id) {
        return find(instance, id).orElseThrow(() -> AdminException.notFound("no user with id " + id));
    }

    public Optional<User> find(long instance, long id) {
        return jdbi.withHandle(h -> find(h, instance, id));
    }

    /** One user with its own role assignments (never every user's: a lookup stays as cheap with 100,000 users). */
    private static Optional<User> find(Handle h, long instance, long id) {
        Map<Long, List<Assignment>> assigned = assignments(h.createQuery(ROLES_OF_USER).bind("instance", instance).bind("user", id));
        return h.createQuery(BY_ID).bind("instance", instance).bind("id", id).map((rs, ctx) -> map(rs, assigned)).findOne();
    }

    public Optional<User> byEmail(long instance, String email) {
        if (email.indexOf('\0') >= 0) {
            return Optional.empty(); // no address holds NUL, and PostgreSQL cannot bind it
        }
        return jdbi.withHandle(h -> h.createQuery(ID_BY_EMAIL).bind("instance", instance)
                .bind("email", email.strip().toLowerCase(Locale.ROOT)).mapTo(Long.class).findOne()
                .flatMap(id -> find(h, instance, id)));
    }

    /** A user by e-mail, or an error naming it. */
    public User require(long instance, String email) {
        return byEmail(instance, email).orElseThrow(() -> AdminException.invalid("no user with e-mail '" + Echo.of(email) + "'"));
    }

    public User create(long instance, Draft draft) {
        String email = Names.email(draft.email());
        boolean apiOnly = Boolean.TRUE.equals(draft.apiOnly());
        boolean active = draft.active() == null || draft.active();
        Long expires = epochMillis(draft.expiresAt() == null ? null : draft.expiresAt().orElse(null));
        return jdbi.inTransaction(h -> {
            if (byEmail(instance, email).isPresent()) {
                throw AdminException.conflict("a user with e-mail '" + email + "' already exists");
            }
            List<long[]> assignments = resolve(instance, draft.roles());
            long id = h.createUpdate(INSERT).bind("instance", instance).bind("email", email)
                    .bind("emailLc", email.toLowerCase(Locale.ROOT))
                    .bind("firstName", optionalName(draft.firstName(), "firstName"))
                    .bind("lastName", optionalName(draft.lastName(), "lastName"))
                    .bind("apiOnly", apiOnly).bind("active", active).bind("invited", !apiOnly)
                    .bind("expiresAt", expires)
                    .bind("now", clock.millis()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            writeRoles(h, id, assignments);
            return get(instance, id);
        });
    }

    /** Changes what the draft gives; a user that stops being usable loses its services' tokens. */
    public User update(long instance, long id, Draft draft) {
        List<Long> revoked = new ArrayList<>();
        User user = jdbi.inTransaction(h -> {
            RowLock.lock(h, "app_user", id);
            User current = get(instance, id);
            String email = draft.email() == null ? current.email() : Names.email(draft.email());
            byEmail(instance, email).filter(other -> other.id() != id).ifPresent(other -> {
                throw AdminException.conflict("a user with e-mail '" + email + "' already exists");
            });
            boolean apiOnly = draft.apiOnly() == null ? current.apiOnly() : draft.apiOnly();
            List<Long> services = servicesOf(h, id);
            if (!apiOnly && !services.isEmpty()) {
                throw AdminException.conflict("user '" + current.email() + "' owns custom service(s) " + serviceNames(h, id)
                        + ", which need an API-only user; delete them or give them another user first");
            }
            boolean active = draft.active() == null ? current.active() : draft.active();
            Instant expires = draft.expiresAt() == null ? current.expiresAt() : draft.expiresAt().orElse(null);
            h.createUpdate(UPDATE).bind("instance", instance).bind("id", id).bind("email", email)
                    .bind("emailLc", email.toLowerCase(Locale.ROOT))
                    .bind("firstName", draft.firstName() == null ? current.firstName() : optionalName(draft.firstName(), "firstName"))
                    .bind("lastName", draft.lastName() == null ? current.lastName() : optionalName(draft.lastName(), "lastName"))
                    .bind("apiOnly", apiOnly).bind("active", active).bind("invited", !apiOnly && current.invited())
                    .bind("expiresAt", epochMillis(expires))
                    .bind("now", clock.millis()).execute();
            if (draft.roles() != null) {
                writeRoles(h, id, resolve(instance, draft.roles()));
            }
            User updated = get(instance, id);
            if (current.usableAt(clock.instant()) && !updated.usableAt(clock.instant())) {
                revoked.addAll(services);
            }
            return updated;
        });
        events.revoke(revoked);
        return user;
    }

    /** Adds role assignments (User Management API); ones already held are kept once. */
    public User addRoles(long instance, long id, List<RoleRef> add) {
        return jdbi.inTransaction(h -> {
            RowLock.lock(h, "app_user", id);
            User current = get(instance, id);
            List<RoleRef> all = new ArrayList<>();
            current.roles().forEach(a -> all.add(RoleRef.byId(a.roleId(), a.workspaceId())));
            all.addAll(add);
            return update(instance, id, new Draft(null, null, null, null, null, null, all));
        });
    }

    /** Removes role assignments; a user keeps at least one role. */
    public User removeRoles(long instance, long id, List<RoleRef> remove) {
        return jdbi.inTransaction(h -> {
            RowLock.lock(h, "app_user", id);
            User current = get(instance, id);
            Set<String> gone = new LinkedHashSet<>();
            for (long[] pair : resolve(instance, remove)) {
                gone.add(pair[0] + "/" + pair[1]);
            }
            List<RoleRef> kept = current.roles().stream()
                    .filter(a -> !gone.contains(a.roleId() + "/" + a.workspaceId()))
                    .map(a -> RoleRef.byId(a.roleId(), a.workspaceId()))
                    .toList();
            return update(instance, id, new Draft(null, null, null, null, null, null, kept));
        });
    }

    /** Deletes a user that owns no custom service. */
    public void delete(long instance, long id) {
        jdbi.useTransaction(h -> {
            User u = get(instance, id);
            if (!servicesOf(h, id).isEmpty()) {
                throw AdminException.inUse("user '" + u.email() + "' owns custom service(s) " + serviceNames(h, id)
                        + "; delete them or give them another user first");
            }
            h.createUpdate(DELETE).bind("instance", instance).bind("id", id).execute();
        });
        events.changed();
    }

    private List<long[]> resolve(long instance, List<RoleRef> refs) {
        if (refs == null || refs.isEmpty()) {
            throw AdminException.invalid("a user needs at least one role in a workspace (roles: [{\"role\": …, \"workspace\": …}])");
        }
        Map<String, long[]> unique = new java.util.LinkedHashMap<>();
        for (RoleRef ref : refs) {
            long roleId;
            if (ref.roleId() != null) {
                roleId = roles.find(instance, ref.roleId()).orElseThrow(() -> AdminException.invalid("no role with id " + ref.roleId())).id();
            } else if (ref.role() != null) {
                roleId = roles.require(instance, ref.role()).id();
            } else {
                throw AdminException.invalid("each role assignment needs a role");
            }
            long workspaceId;
            if (ref.workspaceId() != null) {
                workspaceId = workspaces.find(instance, ref.workspaceId())
                        .orElseThrow(() -> AdminException.invalid("no workspace with id " + ref.workspaceId())).id();
            } else if (ref.workspace() != null) {
                workspaceId = workspaces.require(instance, ref.workspace()).id();
            } else {
                workspaceId = workspaces.list(instance).getFirst().id();
            }
            unique.put(roleId + "/" + workspaceId, new long[] {roleId, workspaceId});
        }
        return new ArrayList<>(unique.values());
    }

    private static void writeRoles(Handle h, long id, List<long[]> assignments) {
        h.createUpdate(CLEAR_ROLES).bind("id", id).execute();
        var batch = h.prepareBatch(ADD_ROLE);
        for (long[] a : assignments) {
            batch.bind("id", id).bind("role", a[0]).bind("workspace", a[1]).add();
        }
        batch.execute();
    }

    private static List<Long> servicesOf(Handle h, long id) {
        return h.createQuery(SERVICES_OF).bind("id", id).map((rs, ctx) -> rs.getLong("id")).list();
    }

    private static String serviceNames(Handle h, long id) {
        return h.createQuery(SERVICES_OF).bind("id", id).map((rs, ctx) -> rs.getString("name")).list().stream()
                .map(n -> "'" + n + "'").collect(Collectors.joining(", "));
    }

    /** An expiry as stored; one outside the years 0001–9999 does not fit (nor mean anything) and is refused. */
    private static Long epochMillis(Instant expires) {
        if (expires == null) {
            return null;
        }
        if (expires.isBefore(EARLIEST_EXPIRY) || expires.isAfter(LATEST_EXPIRY)) {
            throw AdminException.invalid("expiresAt " + expires + " is out of range: use a datetime between the years 0001 and 9999");
        }
        return expires.toEpochMilli();
    }

    private static String optionalName(String value, String what) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return Names.name(value, what);
    }

    private static Map<Long, List<Assignment>> assignments(Query roles) {
        return roles
                .map((rs, ctx) -> Map.entry(rs.getLong("user_id"), new Assignment(rs.getLong("role_id"), rs.getString("role_name"),
                        rs.getLong("workspace_id"), rs.getString("workspace_name"))))
                .list().stream()
                .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    }

    private static User map(java.sql.ResultSet rs, Map<Long, List<Assignment>> assigned) throws java.sql.SQLException {
        long expires = rs.getLong("expires_at");
        Instant expiresAt = rs.wasNull() ? null : Instant.ofEpochMilli(expires);
        return new User(rs.getLong("id"), rs.getString("email"), rs.getString("first_name"), rs.getString("last_name"),
                rs.getBoolean("api_only"), rs.getBoolean("active"), rs.getBoolean("invited"), expiresAt,
                assigned.getOrDefault(rs.getLong("id"), List.of()),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
