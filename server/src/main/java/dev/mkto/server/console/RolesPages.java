package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.flag;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.access.Permission;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.Roles;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Redirect;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.console.Exchange.Resp;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Router;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users &amp; Roles › Roles: the list, and the role editor with Marketo's "Access API" permission
 * tree — the parent selects every permission, and a Read-Write permission shows the Read-Only one
 * it includes as held. Saves call {@link Roles} like {@code POST/PATCH /admin/api/v1/roles}.
 */
final class RolesPages implements Exchange.Pages {

    private static final Map<String, List<String>> FIELDS = fields();

    private final Instances instances;
    private final Roles roles;

    RolesPages(Instances instances, Roles roles) {
        this.instances = instances;
        this.roles = roles;
    }

    @Override
    public void routes(Router<Handler> router) {
        router.add("GET", "/admin/roles", this::list)
                .add("GET", "/admin/roles/new", r -> editor(r, null, null, null, List.of(), Ui.Errors.NONE))
                .add("POST", "/admin/roles", this::create)
                .add("GET", "/admin/roles/{id}", r -> {
                    Roles.Role role = roles.get(instance(), r.id("id"));
                    return editor(r, role, role.name(), role.description(), role.permissions(), Ui.Errors.NONE);
                })
                .add("POST", "/admin/roles/{id}", this::update)
                .add("GET", "/admin/roles/{id}/delete", r -> {
                    Roles.Role role = roles.get(instance(), r.id("id"));
                    return Page.ok("Delete role", Ui.Section.USERS, Ui.confirm("Delete role “" + role.name() + "”?",
                            "The role and its permissions are removed. A role that a user holds cannot be deleted.",
                            "/admin/roles/" + role.id() + "/delete", r.csrf(), "Delete role", "/admin/roles"));
                })
                .add("POST", "/admin/roles/{id}/delete", r -> {
                    Roles.Role role = roles.get(instance(), r.id("id"));
                    try {
                        roles.delete(instance(), role.id());
                    } catch (AdminException e) {
                        return Page.status(e.httpStatus(), "Delete role", Ui.Section.USERS, el("h1", "Role “" + role.name() + "” was not deleted"),
                                el("p", cls("problem"), attr("role", "alert"), e.getMessage()), Ui.backLink("/admin/roles", "Roles"));
                    }
                    return new Redirect("/admin/roles", "Role “" + role.name() + "” deleted.");
                });
    }

    private long instance() {
        return instances.defaultId();
    }

    private Resp list(Req r) {
        List<List<Object>> rows = new ArrayList<>();
        for (Roles.Role role : roles.list(instance())) {
            rows.add(List.of(
                    Ui.link("/admin/roles/" + role.id(), role.name()),
                    role.description() == null ? "" : role.description(),
                    role.permissions().isEmpty() ? "none" : String.join(", ", role.permissions().stream().map(Permission::label).toList()),
                    el("span", cls("row-actions"), Ui.link("/admin/roles/" + role.id(), "Edit"), " ",
                            Ui.link("/admin/roles/" + role.id() + "/delete", "Delete"))));
        }
        return Page.ok("Roles", Ui.Section.USERS,
                el("h1", "Users & Roles"),
                UsersPages.tabs("roles"),
                el("div", cls("toolbar"), el("h2", "Roles"), el("a", cls("button primary"), attr("href", "/admin/roles/new"), "New Role")),
                el("p", cls("lead"), "A role is a named set of API permissions, granted to API-only users per workspace. "
                        + "Give each integration only the permissions it needs."),
                Ui.table("Roles and their API permissions", List.of("Role", "Description", "Permissions", "Actions"), rows,
                        "No roles yet. Create one with New Role."));
    }

    private Resp create(Req r) {
        try {
            Roles.Role role = roles.create(instance(), r.field("name"), r.field("description"), r.fields("permission"));
            return new Redirect("/admin/roles", "Role “" + role.name() + "” created.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return editor(r, null, r.field("name"), r.field("description"), parsed(r.fields("permission")), Ui.errors(e, FIELDS));
        }
    }

    private Resp update(Req r) {
        Roles.Role current = roles.get(instance(), r.id("id"));
        try {
            Roles.Role role = roles.update(instance(), current.id(), r.field("name"), r.field("description") == null ? "" : r.field("description"),
                    r.fields("permission"));
            return new Redirect("/admin/roles", "Role “" + role.name() + "” saved.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return editor(r, current, r.field("name"), r.field("description"), parsed(r.fields("permission")), Ui.errors(e, FIELDS));
        }
    }

    private Page editor(Req r, Roles.Role role, String name, String description, List<Permission> held, Ui.Errors errors) {
        String title = role == null ? "New Role" : "Edit role “" + role.name() + "”";
        String action = role == null ? "/admin/roles" : "/admin/roles/" + role.id();
        return Page.status(errors.any() ? 400 : 200, title, Ui.Section.USERS,
                Ui.backLink("/admin/roles", "Roles"),
                el("h1", title),
                Ui.errorSummary(errors),
                Ui.form(action, r.csrf(),
                        Ui.input("text", "name", "Role name", name, null, errors, true),
                        Ui.input("text", "description", "Description", description, "Optional: what the integration holding it does.",
                                errors, false),
                        tree(held, errors),
                        el("div", cls("actions"), Ui.submit(role == null ? "Create" : "Save"),
                                el("a", cls("button secondary"), attr("href", "/admin/roles"), "Cancel"))));
    }

    /** The "Access API" tree: a parent checkbox and its children; Read-Only shown as held under Read-Write. */
    static Html.Element tree(List<Permission> held, Ui.Errors errors) {
        Set<Permission> has = held.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(held);
        boolean parent = has.contains(Permission.ACCESS_API);
        List<Object> children = new ArrayList<>();
        for (Permission p : Permission.values()) {
            if (p == Permission.ACCESS_API) {
                continue;
            }
            Optional<Permission> includedIn = readWriteOf(p);
            boolean implied = includedIn.isPresent() && (has.contains(includedIn.get()) || parent);
            String fid = "perm-" + p.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            children.add(el("li", cls("check"),
                    el("input", attr("type", "checkbox"), id(fid), attr("name", "permission"), attr("value", p.label()),
                            flag("checked", parent || implied || has.contains(p)), flag("disabled", implied),
                            attr("data-included-in", includedIn.map(Permission::label).orElse(null)),
                            attr("aria-describedby", includedIn.isPresent() ? fid + "-note" : null)),
                    el("label", attr("for", fid), p.label()),
                    includedIn.isEmpty() ? null : el("span", cls(implied ? "note" : "note hidden"), id(fid + "-note"),
                            "included in " + includedIn.get().label())));
        }
        String error = errors.of("permission");
        return el("fieldset", cls("tree"), id("permission"), attr("aria-describedby", error == null ? "tree-hint" : "tree-hint permission-error"),
                el("legend", "API permissions"),
                el("p", cls("hint"), id("tree-hint"), "Only permissions under “Access API” apply to API-only users. "
                        + "Checking Access API selects every permission; a Read-Write permission includes the Read-Only one."),
                error == null ? null : el("p", cls("field-error"), id("permission-error"), error),
                el("div", cls("check parent"),
                        el("input", attr("type", "checkbox"), id("perm-access-api"), attr("name", "permission"), attr("value", "Access API"),
                                flag("checked", parent), attr("data-tree-parent", "")),
                        el("label", attr("for", "perm-access-api"), "Access API")),
                el("ul", cls("children"), attr("data-tree-children", ""), children));
    }

    /** The Read-Write permission that includes {@code p}, when {@code p} is a Read-Only one. */
    static Optional<Permission> readWriteOf(Permission p) {
        for (Permission q : Permission.values()) {
            if (q != p && q != Permission.ACCESS_API && q.satisfies(p)) {
                return Optional.of(q);
            }
        }
        return Optional.empty();
    }

    private static List<Permission> parsed(List<String> names) {
        return names.stream().map(Permission::parse).flatMap(Optional::stream).toList();
    }

    private static Map<String, List<String>> fields() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("name", List.of("role name", "a role named"));
        m.put("description", List.of("role description"));
        m.put("permission", List.of("permission"));
        return m;
    }
}
