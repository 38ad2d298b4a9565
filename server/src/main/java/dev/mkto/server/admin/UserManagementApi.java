package dev.mkto.server.admin;

import dev.mkto.server.access.Permission;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.ApiCall;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.Reply;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Marketo's User Management API over the same users, roles and workspaces as the admin API.
 * Bare JSON bodies, HTTP status codes for errors, datetimes as {@code yyyyMMdd'T'HH:mm:ss.SSS't'+0000}.
 * Users are addressed by their user id, which is their e-mail address.
 *
 * <p>Changes reach only the workspaces where the caller holds "Access User Management Api" (Marketo
 * gives that power with an admin role held in every workspace): a role assignment added or removed
 * must be in one of them, and a user updated or deleted must hold roles in no other. A caller never
 * changes its own roles or account. Reads list every user, role and workspace, as Marketo's do.
 */
public final class UserManagementApi implements ApiRoutes.Feature {

    private static final String BASE = "/userservice/management/v1/users";
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm:ss.SSS't'xx").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FORMAT_IN = DateTimeFormatter.ofPattern("[yyyyMMdd][yyyy-MM-dd]'T'HH:mm:ss[.SSS][.SS][.S]'t'xx");

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private final Instances instances;
    private final Users users;
    private final Roles roles;
    private final Workspaces workspaces;

    public UserManagementApi(Instances instances, Users users, Roles roles, Workspaces workspaces) {
        this.instances = instances;
        this.users = users;
        this.roles = roles;
        this.workspaces = workspaces;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get(BASE + "/allusers.json", this::allUsers)
                .post(BASE + "/invite.json", this::invite)
                .get(BASE + "/roles.json", this::roles)
                .get(BASE + "/workspaces.json", this::workspaces)
                .post(BASE + "/{userid}/delete.json", this::delete)
                .post(BASE + "/{userid}/invite/delete.json", this::deleteInvite)
                .post(BASE + "/{userid}/update.json", this::update)
                .get(BASE + "/{userid}/roles.json", call -> Reply.Body.ok(roleList(accepted(call))))
                .post(BASE + "/{userid}/roles/create.json", this::addRoles)
                .post(BASE + "/{userid}/roles/delete.json", this::removeRoles)
                .get(BASE + "/{userid}/user.json", call -> Reply.Body.ok(user(accepted(call))))
                .get(BASE + "/{userid}/invite.json", this::invited);
    }

    private Reply allUsers(ApiCall call) {
        int offset = call.intParam("pageOffset", 0, 0, Integer.MAX_VALUE);
        int size = call.intParam("pageSize", 20, 1, 200);
        List<Map<String, Object>> out = new ArrayList<>();
        users.list(instance(call)).stream().filter(u -> !u.invited()).skip(offset).limit(size).forEach(u -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("userid", u.email());
            m.put("firstName", u.firstName());
            m.put("lastName", u.lastName());
            m.put("emailAddress", u.email());
            m.put("id", u.id());
            m.put("apiOnly", u.apiOnly());
            out.add(m);
        });
        return Reply.Body.ok(out);
    }

    private Reply invite(ApiCall call) {
        JsonNode body = call.json();
        if (!body.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        String email = required(body, "emailAddress");
        String userid = text(body, "userid");
        if (userid != null && !userid.equalsIgnoreCase(email)) {
            throw AdminException.invalid("userid must equal emailAddress on this server");
        }
        List<Users.RoleRef> refs = roleRefs(body.get("userRoleWorkspaces"));
        refs.forEach(r -> manages(call, r.workspaceId()));
        Users.User u = users.create(instance(call), new Users.Draft(email, required(body, "firstName"), required(body, "lastName"),
                Boolean.TRUE.equals(BodyFields.bool(body, "apiOnly")), null, expires(body), refs));
        return Reply.Body.ok(u != null);
    }

    private Reply roles(ApiCall call) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Roles.Role r : roles.list(instance(call))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("name", r.name());
            m.put("description", r.description() == null ? "" : r.description());
            m.put("type", "custom");
            m.put("isHidden", false);
            m.put("isOnlyAllZones", false);
            m.put("createdAt", FORMAT.format(r.createdAt()));
            m.put("updatedAt", FORMAT.format(r.updatedAt()));
            out.add(m);
        }
        return Reply.Body.ok(out);
    }

    private Reply workspaces(ApiCall call) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Workspaces.Workspace w : workspaces.list(instance(call))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", w.id());
            m.put("name", w.name());
            m.put("description", w.description() == null ? "" : w.description());
            m.put("globalViz", 0);
            m.put("status", "active");
            m.put("currencyInfo", "");
            m.put("createdAt", FORMAT.format(w.createdAt()));
            m.put("updatedAt", FORMAT.format(w.updatedAt()));
            out.add(m);
        }
        return Reply.Body.ok(out);
    }

    private Reply delete(ApiCall call) {
        users.delete(instance(call), managed(call, accepted(call)).id());
        return Reply.Body.ok(null);
    }

    private Reply deleteInvite(ApiCall call) {
        users.delete(instance(call), managed(call, pending(call)).id());
        return Reply.Body.ok(null);
    }

    private Reply update(ApiCall call) {
        Users.User u = managed(call, notSelf(call, accepted(call)));
        JsonNode body = call.json();
        if (!body.isObject()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        InstanceSettings.knownKeys(body, "body", java.util.Set.of("emailAddress", "firstName", "lastName", "expiresAt", "apiOnly"));
        Users.User updated = users.update(instance(call), u.id(), new Users.Draft(text(body, "emailAddress"),
                text(body, "firstName"), text(body, "lastName"), BodyFields.bool(body, "apiOnly"), null,
                body.has("expiresAt") ? expires(body) : null, null));
        return Reply.Body.ok(user(updated));
    }

    private Reply addRoles(ApiCall call) {
        Users.User u = notSelf(call, accepted(call));
        List<Users.RoleRef> refs = roleRefs(roleInput(call.json()));
        refs.forEach(r -> manages(call, r.workspaceId()));
        return Reply.Body.ok(roleList(users.addRoles(instance(call), u.id(), refs)));
    }

    private Reply removeRoles(ApiCall call) {
        Users.User u = notSelf(call, accepted(call));
        List<Users.RoleRef> refs = roleRefs(roleInput(call.json()));
        refs.forEach(r -> manages(call, r.workspaceId()));
        return Reply.Body.ok(roleList(users.removeRoles(instance(call), u.id(), refs)));
    }

    /**
     * 403 unless the caller holds Access User Management Api in the workspace. An unknown workspace
     * passes here, for the change itself to refuse it (400) as it does any unknown workspace.
     */
    private void manages(ApiCall call, long workspaceId) {
        if (!call.caller().grants().in(workspaceId).contains(Permission.ACCESS_USER_MANAGEMENT_API)) {
            workspaces.find(instance(call), workspaceId).ifPresent(w -> {
                throw new MarketoException(ErrorCode.ACCESS_DENIED, "Access denied: changing role assignments in workspace '"
                        + w.name() + "' needs Access User Management Api in that workspace");
            });
        }
    }

    /** The user, once the caller manages every workspace it holds a role in; 403 otherwise. */
    private Users.User managed(ApiCall call, Users.User u) {
        for (Users.Assignment a : u.roles()) {
            if (!call.caller().grants().in(a.workspaceId()).contains(Permission.ACCESS_USER_MANAGEMENT_API)) {
                throw new MarketoException(ErrorCode.ACCESS_DENIED, "Access denied: " + u.email() + " holds roles in workspace '"
                        + a.workspaceName() + "', where you lack Access User Management Api");
            }
        }
        return u;
    }

    private static Users.User notSelf(ApiCall call, Users.User u) {
        if (u.id() == call.caller().userId()) {
            throw new MarketoException(ErrorCode.ACCESS_DENIED, "Access denied: an API user cannot change its own roles or account;"
                    + " an admin can, in the admin console or API");
        }
        return u;
    }

    private Reply invited(ApiCall call) {
        Users.User u = pending(call);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("firstName", u.firstName());
        m.put("lastName", u.lastName());
        m.put("emailAddress", u.email());
        m.put("userid", u.email());
        m.put("subscriptionId", instances.get(instance(call)).munchkinId());
        m.put("status", "pending");
        m.put("expiresAt", FORMAT.format(u.createdAt().plus(java.time.Duration.ofDays(7))));
        m.put("createdAt", FORMAT.format(u.createdAt()));
        m.put("updatedAt", FORMAT.format(u.updatedAt()));
        return Reply.Body.ok(m);
    }

    private Map<String, Object> user(Users.User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userid", u.email());
        m.put("firstName", u.firstName());
        m.put("lastName", u.lastName());
        m.put("emailAddress", u.email());
        m.put("optedIn", false);
        m.put("failedLogins", 0);
        m.put("failedDeviceCode", 0);
        m.put("isLocked", !u.active());
        m.put("lockedReason", u.active() ? null : "deactivated");
        m.put("id", u.id());
        m.put("apiOnly", u.apiOnly());
        m.put("userRoleWorkspaces", roleList(u));
        m.put("expiresAt", u.expiresAt() == null ? null : FORMAT.format(u.expiresAt()));
        m.put("lastLoginAt", null);
        return m;
    }

    private static List<Map<String, Object>> roleList(Users.User u) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Users.Assignment a : u.roles()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("accessRoleId", a.roleId());
            m.put("accessRoleName", a.roleName());
            m.put("workspaceId", a.workspaceId());
            m.put("workspaceName", a.workspaceName());
            out.add(m);
        }
        return out;
    }

    private long instance(ApiCall call) {
        return call.caller().instanceId();
    }

    /** The user named in the path, if it has accepted its invitation; 404 otherwise. */
    private Users.User accepted(ApiCall call) {
        return lookup(call).filter(u -> !u.invited())
                .orElseThrow(() -> AdminException.notFound("no user with userid '" + Echo.of(call.pathVar("userid")) + "'"));
    }

    private Users.User pending(ApiCall call) {
        return lookup(call).filter(Users.User::invited)
                .orElseThrow(() -> AdminException.notFound("no pending invitation for userid '" + Echo.of(call.pathVar("userid")) + "'"));
    }

    private Optional<Users.User> lookup(ApiCall call) {
        String userid = call.pathVar("userid");
        return userid.indexOf('\0') >= 0 ? Optional.empty() : users.byEmail(instance(call), userid);
    }

    /** Role input: a bare array (as Adobe's guide shows) or {@code {"input": [...]}} (as the swagger declares). */
    private static JsonNode roleInput(JsonNode body) {
        JsonNode list = body.isObject() ? body.get("input") : body;
        if (list == null || !list.isArray()) {
            throw MarketoException.of(ErrorCode.INVALID_JSON);
        }
        return list;
    }

    private static List<Users.RoleRef> roleRefs(JsonNode list) {
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "userRoleWorkspaces");
        }
        List<Users.RoleRef> refs = new ArrayList<>();
        for (JsonNode item : list) {
            JsonNode role = item.get("accessRoleId");
            JsonNode workspace = item.get("workspaceId");
            if (role == null || !role.isIntegralNumber() || !role.canConvertToLong()
                    || workspace == null || !workspace.isIntegralNumber() || !workspace.canConvertToLong()) {
                throw AdminException.invalid("each role needs an integer accessRoleId and workspaceId");
            }
            refs.add(Users.RoleRef.byId(role.asLong(), workspace.asLong()));
        }
        return refs;
    }

    private Optional<Instant> expires(JsonNode body) {
        String s = text(body, "expiresAt");
        if (s == null) {
            return Optional.empty();
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                at = OffsetDateTime.parse(s, FORMAT_IN).toInstant();
            } catch (DateTimeParseException e2) {
                throw AdminException.invalid("expiresAt '" + Echo.of(s) + "' is not an ISO-8601 datetime such as 2030-12-31T23:59:59-05:00");
            }
        }
        // stored as epoch milliseconds: a year such as +999999999 does not fit
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw AdminException.invalid("expiresAt '" + Echo.of(s) + "' is outside the years 0001-9999");
        }
        return Optional.of(at);
    }

    private static String required(JsonNode body, String name) {
        String v = text(body, name);
        if (v == null) {
            throw MarketoException.of(ErrorCode.BLANK, name);
        }
        return v;
    }

    private static String text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw AdminException.invalid(name + " must be a string");
        }
        if (v.asString().indexOf('\0') >= 0) {
            throw AdminException.invalid(name + " must not contain the NUL character (\\u0000)");
        }
        return v.asString().isBlank() ? null : v.asString().strip();
    }
}
