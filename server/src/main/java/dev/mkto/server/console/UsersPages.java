package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.flag;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.LeastPrivilege;
import dev.mkto.server.admin.Roles;
import dev.mkto.server.admin.Users;
import dev.mkto.server.admin.Workspaces;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Redirect;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.console.Exchange.Resp;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Router;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users &amp; Roles › Users: the list, "Invite New User" (with "API Only", roles per workspace and
 * an access expiry), editing, deactivation, deletion, and each API user's least-privilege report.
 * Changes call {@link Users} like {@code /admin/api/v1/users}.
 */
final class UsersPages implements Exchange.Pages {

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
    private static final Map<String, List<String>> FIELDS = fields();

    /** What the user form holds, as typed. */
    private record Form(String email, String firstName, String lastName, boolean apiOnly, String expiresAt, Set<String> roles) {
    }

    private final Instances instances;
    private final Users users;
    private final Roles roles;
    private final Workspaces workspaces;
    private final LeastPrivilege leastPrivilege;
    private final InstantSource clock;

    UsersPages(Instances instances, Users users, Roles roles, Workspaces workspaces, LeastPrivilege leastPrivilege, InstantSource clock) {
        this.instances = instances;
        this.users = users;
        this.roles = roles;
        this.workspaces = workspaces;
        this.leastPrivilege = leastPrivilege;
        this.clock = clock;
    }

    @Override
    public void routes(Router<Handler> router) {
        router.add("GET", "/admin/users", this::list)
                .add("GET", "/admin/users/new", r -> editor(r, null, new Form("", "", "", true, "", Set.of()), Ui.Errors.NONE))
                .add("POST", "/admin/users", this::create)
                .add("GET", "/admin/users/{id}", r -> {
                    Users.User u = users.get(instance(), r.id("id"));
                    return editor(r, u, formOf(u), Ui.Errors.NONE);
                })
                .add("POST", "/admin/users/{id}", this::update)
                .add("POST", "/admin/users/{id}/active", r -> {
                    Users.User u = users.get(instance(), r.id("id"));
                    String asked = r.field("active"); // the Deactivate button sends none
                    if (asked != null && !"true".equals(asked) && !"false".equals(asked)) {
                        return Page.status(400, "User " + u.email(), Ui.Section.USERS, el("p",
                                "The form asked neither to activate nor to deactivate the user; nothing changed. Go back and use its button."));
                    }
                    boolean active = "true".equals(asked);
                    users.update(instance(), u.id(), new Users.Draft(null, null, null, null, active, null, null));
                    return new Redirect("/admin/users/" + u.id(), "User " + u.email() + (active ? " activated." : " deactivated: its services' tokens stopped."));
                })
                .add("GET", "/admin/users/{id}/delete", r -> {
                    Users.User u = users.get(instance(), r.id("id"));
                    return Page.ok("Delete user", Ui.Section.USERS, Ui.confirm("Delete user " + u.email() + "?",
                            "The user and its role assignments are removed. A user that owns a LaunchPoint service cannot be deleted.",
                            "/admin/users/" + u.id() + "/delete", r.csrf(), "Delete user", "/admin/users/" + u.id()));
                })
                .add("POST", "/admin/users/{id}/delete", r -> {
                    Users.User u = users.get(instance(), r.id("id"));
                    try {
                        users.delete(instance(), u.id());
                    } catch (AdminException e) {
                        return Page.status(e.httpStatus(), "Delete user", Ui.Section.USERS, el("h1", "User " + u.email() + " was not deleted"),
                                el("p", cls("problem"), attr("role", "alert"), e.getMessage()), Ui.backLink("/admin/users/" + u.id(), u.email()));
                    }
                    return new Redirect("/admin/users", "User " + u.email() + " deleted.");
                })
                .add("GET", "/admin/users/{id}/least-privilege", r -> LeastPrivilegePage.render(
                        leastPrivilege.report(instance(), r.id("id"), 7)));
    }

    /** The Users / Roles tabs at the top of both pages. */
    static Html.Element tabs(String current) {
        return el("nav", cls("tabs"), attr("aria-label", "Users and roles"),
                el("a", attr("href", "/admin/users"), attr("aria-current", current.equals("users") ? "page" : null), "Users"),
                el("a", attr("href", "/admin/roles"), attr("aria-current", current.equals("roles") ? "page" : null), "Roles"));
    }

    private long instance() {
        return instances.defaultId();
    }

    private Resp list(Req r) {
        Instant now = clock.instant();
        List<List<Object>> rows = new ArrayList<>();
        for (Users.User u : users.list(instance())) {
            String status = u.status(now);
            rows.add(List.of(
                    Ui.link("/admin/users/" + u.id(), u.email()),
                    name(u),
                    u.apiOnly() ? "Yes" : "No",
                    el("span", cls("status status-" + status), status),
                    String.join(", ", u.roles().stream().map(a -> a.roleName() + " (" + a.workspaceName() + ")").toList()),
                    u.expiresAt() == null ? "never" : Ui.when(u.expiresAt()),
                    el("span", cls("row-actions"), Ui.link("/admin/users/" + u.id(), "Edit"), " ",
                            u.apiOnly() ? Ui.link("/admin/users/" + u.id() + "/least-privilege", "Least privilege") : null)));
        }
        return Page.ok("Users", Ui.Section.USERS,
                el("h1", "Users & Roles"),
                tabs("users"),
                el("div", cls("toolbar"), el("h2", "Users"), el("a", cls("button primary"), attr("href", "/admin/users/new"), "Invite New User")),
                el("p", cls("lead"), "API-only users own LaunchPoint services and hold roles per workspace. "
                        + "Give each integration its own user: usage and errors are tracked per user."),
                Ui.table("Users", List.of("E-mail", "Name", "API Only", "Status", "Roles (workspace)", "Access expires", "Actions"),
                        rows, "No users yet. Invite one with Invite New User."));
    }

    private Resp create(Req r) {
        Form f = formOf(r);
        try {
            Users.User u = users.create(instance(), new Users.Draft(f.email(), f.firstName(), f.lastName(), f.apiOnly(), null,
                    expiry(f.expiresAt()), refs(f.roles())));
            return new Redirect("/admin/users", "User " + u.email() + " created" + (u.apiOnly() ? "." : " as a pending invitation."));
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return editor(r, null, f, Ui.errors(e, FIELDS));
        }
    }

    private Resp update(Req r) {
        Users.User current = users.get(instance(), r.id("id"));
        Form f = formOf(r);
        try {
            Users.User u = users.update(instance(), current.id(), new Users.Draft(f.email(), f.firstName(), f.lastName(), f.apiOnly(), null,
                    expiry(f.expiresAt()), refs(f.roles())));
            return new Redirect("/admin/users", "User " + u.email() + " saved.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return editor(r, current, f, Ui.errors(e, FIELDS));
        }
    }

    private Page editor(Req r, Users.User user, Form f, Ui.Errors errors) {
        String title = user == null ? "Invite New User" : "Edit user " + user.email();
        String action = user == null ? "/admin/users" : "/admin/users/" + user.id();
        List<Object> main = new ArrayList<>();
        main.add(Ui.backLink("/admin/users", "Users"));
        main.add(el("h1", title));
        main.add(Ui.errorSummary(errors));
        if (user != null) {
            main.add(status(r, user));
        }
        main.add(Ui.form(action, r.csrf(),
                Ui.input("email", "email", "E-mail", f.email(), "The user id and the scope of its tokens; it need not be deliverable.",
                        errors, true),
                Ui.input("text", "firstName", "First name", f.firstName(), null, errors, false),
                Ui.input("text", "lastName", "Last name", f.lastName(), null, errors, false),
                Ui.checkbox("apiOnly", "true", "API Only", f.apiOnly(),
                        "API-only users own LaunchPoint services and cannot sign in; other users stay pending invitations."),
                roleGrid(f.roles(), errors),
                Ui.input("datetime-local", "expiresAt", "Access expires (UTC)", f.expiresAt(),
                        "Optional. At that moment its services' tokens stop working. Leave empty for no expiry.", errors, false),
                el("div", cls("actions"), Ui.submit(user == null ? "Send" : "Save"),
                        el("a", cls("button secondary"), attr("href", "/admin/users"), "Cancel"))));
        return Page.status(errors.any() ? 400 : 200, title, Ui.Section.USERS, main.toArray());
    }

    private Html.Element status(Req r, Users.User u) {
        String status = u.status(clock.instant());
        return el("section", cls("panel"), attr("aria-labelledby", "status-h"),
                el("h2", id("status-h"), "Status: ", el("span", cls("status status-" + status), status)),
                el("div", cls("actions"),
                        u.active() ? Ui.button("/admin/users/" + u.id() + "/active", r.csrf(), "Deactivate", "secondary")
                                : activate(r, u),
                        u.apiOnly() ? el("a", cls("button secondary"), attr("href", "/admin/users/" + u.id() + "/least-privilege"),
                                "Least-privilege report") : null,
                        el("a", cls("button danger"), attr("href", "/admin/users/" + u.id() + "/delete"), "Delete user")));
    }

    private static Html.Element activate(Req r, Users.User u) {
        return el("form", cls("inline"), attr("method", "post"), attr("action", "/admin/users/" + u.id() + "/active"),
                Ui.csrfField(r.csrf()), el("input", attr("type", "hidden"), attr("name", "active"), attr("value", "true")),
                el("button", attr("type", "submit"), cls("secondary"), "Activate"));
    }

    /** Roles × workspaces: a checkbox for each role in each workspace. */
    private Html.Element roleGrid(Set<String> selected, Ui.Errors errors) {
        List<Workspaces.Workspace> ws = workspaces.list(instance());
        List<Roles.Role> rs = roles.list(instance());
        String error = errors.of("roles");
        if (rs.isEmpty()) {
            return el("fieldset", id("roles"), el("legend", "Roles"),
                    el("p", cls("field-error"), id("roles-error"), "There are no roles yet. ", Ui.link("/admin/roles/new", "Create a role"),
                            " first."));
        }
        List<Object> head = new ArrayList<>();
        head.add(el("th", attr("scope", "col"), "Role"));
        ws.forEach(w -> head.add(el("th", attr("scope", "col"), w.name())));
        List<Object> body = new ArrayList<>();
        for (Roles.Role role : rs) {
            List<Object> cells = new ArrayList<>();
            cells.add(el("th", attr("scope", "row"), role.name()));
            for (Workspaces.Workspace w : ws) {
                String value = role.id() + ":" + w.id();
                String fid = "role-" + role.id() + "-" + w.id();
                cells.add(el("td", el("input", attr("type", "checkbox"), id(fid), attr("name", "role"), attr("value", value),
                                flag("checked", selected.contains(value))),
                        el("label", attr("for", fid), cls("sr-only"), role.name() + " in workspace " + w.name())));
            }
            body.add(el("tr", cells));
        }
        return el("fieldset", id("roles"), attr("aria-describedby", error == null ? "roles-hint" : "roles-hint roles-error"),
                el("legend", "Roles (per workspace)"),
                el("p", cls("hint"), id("roles-hint"), "At least one. The user gets each checked role's permissions in that workspace."),
                error == null ? null : el("p", cls("field-error"), id("roles-error"), error),
                el("table", cls("grid"), el("thead", el("tr", head)), el("tbody", body)));
    }

    private static Form formOf(Users.User u) {
        Set<String> roles = new HashSet<>();
        u.roles().forEach(a -> roles.add(a.roleId() + ":" + a.workspaceId()));
        String expires = u.expiresAt() == null ? "" : LOCAL.format(LocalDateTime.ofInstant(u.expiresAt().truncatedTo(ChronoUnit.MINUTES), ZoneOffset.UTC));
        return new Form(u.email(), nz(u.firstName()), nz(u.lastName()), u.apiOnly(), expires, roles);
    }

    private static Form formOf(Req r) {
        return new Form(nz(r.field("email")), nz(r.field("firstName")), nz(r.field("lastName")), r.checked("apiOnly"),
                nz(r.field("expiresAt")).strip(), new HashSet<>(r.fields("role")));
    }

    /** "" never expires; otherwise a UTC date and time from the form. */
    private static Optional<Instant> expiry(String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(value).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw AdminException.invalid("expiresAt: '" + value + "' is not a date and time such as 2030-12-31T23:59");
        }
    }

    private static List<Users.RoleRef> refs(Set<String> values) {
        List<Users.RoleRef> refs = new ArrayList<>();
        for (String v : values) {
            String[] parts = v.split(":");
            try {
                refs.add(Users.RoleRef.byId(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
            } catch (RuntimeException e) {
                throw AdminException.invalid("roles: '" + v + "' is not a role in a workspace");
            }
        }
        return refs;
    }

    private static String name(Users.User u) {
        return (nz(u.firstName()) + " " + nz(u.lastName())).strip();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Map<String, List<String>> fields() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("apiOnly", List.of("api-only", "custom service"));
        m.put("expiresAt", List.of("expiresat"));
        m.put("email", List.of("a user with e-mail", "email '", "email must"));
        m.put("firstName", List.of("firstname"));
        m.put("lastName", List.of("lastname"));
        m.put("roles", List.of("role", "workspace"));
        return m;
    }
}
