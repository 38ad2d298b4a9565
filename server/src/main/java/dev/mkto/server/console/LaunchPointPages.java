package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.admin.CustomServices;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.Users;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Redirect;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.console.Exchange.Resp;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.ApiException;
import dev.mkto.server.http.Router;
import dev.mkto.server.identity.TokenService;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LaunchPoint: custom services — New Service (type Custom, owned by an active API-only user), the
 * list, View Details (client id, the secret on demand, the owner), Get Token, disable and delete.
 * Each calls {@link CustomServices} or {@link TokenService} like {@code /admin/api/v1/services}.
 */
final class LaunchPointPages implements Exchange.Pages {

    private static final Map<String, List<String>> FIELDS = fields();

    /** What View Details shows beyond the service: the secret, once asked for, or a token just issued. */
    private record Shown(String secret, TokenService.Grant token, String tokenError) {
        static final Shown NOTHING = new Shown(null, null, null);
    }

    private final Instances instances;
    private final CustomServices services;
    private final Users users;
    private final TokenService tokens;
    private final InstantSource clock;

    LaunchPointPages(Instances instances, CustomServices services, Users users, TokenService tokens, InstantSource clock) {
        this.instances = instances;
        this.services = services;
        this.users = users;
        this.tokens = tokens;
        this.clock = clock;
    }

    @Override
    public void routes(Router<Handler> router) {
        router.add("GET", "/admin/launchpoint", this::list)
                .add("GET", "/admin/launchpoint/new", r -> newService(r, "", "", "", Ui.Errors.NONE))
                .add("POST", "/admin/launchpoint", this::create)
                .add("GET", "/admin/launchpoint/{id}", r -> details(r, services.get(instance(), r.id("id")), Shown.NOTHING))
                .add("POST", "/admin/launchpoint/{id}/secret", r -> {
                    CustomServices.Details d = services.details(instance(), r.id("id"));
                    return details(r, d.service(), new Shown(d.clientSecret(), null, null));
                })
                .add("POST", "/admin/launchpoint/{id}/token", this::token)
                .add("POST", "/admin/launchpoint/{id}/enabled", r -> {
                    boolean on = "true".equals(r.field("enabled"));
                    CustomServices.Service s = services.update(instance(), r.id("id"), null, null, on, null);
                    return new Redirect("/admin/launchpoint/" + s.id(), "Service “" + s.name() + "” "
                            + (on ? "enabled." : "disabled: its tokens stopped working."));
                })
                .add("GET", "/admin/launchpoint/{id}/delete", r -> {
                    CustomServices.Service s = services.get(instance(), r.id("id"));
                    return Page.ok("Delete service", Ui.Section.LAUNCHPOINT, Ui.confirm("Delete service “" + s.name() + "”?",
                            "Its client id and secret stop working at once, and so do its tokens. This cannot be undone.",
                            "/admin/launchpoint/" + s.id() + "/delete", r.csrf(), "Delete service", "/admin/launchpoint/" + s.id()));
                })
                .add("POST", "/admin/launchpoint/{id}/delete", r -> {
                    CustomServices.Service s = services.get(instance(), r.id("id"));
                    services.delete(instance(), s.id());
                    return new Redirect("/admin/launchpoint", "Service “" + s.name() + "” deleted.");
                });
    }

    private long instance() {
        return instances.defaultId();
    }

    private Resp list(Req r) {
        List<List<Object>> rows = new ArrayList<>();
        for (CustomServices.Service s : services.list(instance())) {
            rows.add(List.of(s.name(), s.type(), s.userEmail(),
                    el("span", cls(s.enabled() ? "status status-active" : "status status-disabled"), s.enabled() ? "enabled" : "disabled"),
                    s.description() == null ? "" : s.description(),
                    Ui.link("/admin/launchpoint/" + s.id(), "View Details")));
        }
        return Page.ok("LaunchPoint", Ui.Section.LAUNCHPOINT,
                el("div", cls("toolbar"), el("h1", "LaunchPoint"),
                        el("a", cls("button primary"), attr("href", "/admin/launchpoint/new"), "New Service")),
                el("p", cls("lead"), "A custom service holds the client id and secret an integration trades for an access token. "
                        + "It acts with the permissions of its API-only user."),
                Ui.table("Installed services", List.of("Name", "Service", "API Only User", "Status", "Description", "Details"), rows,
                        "No services yet. Create one with New Service."));
    }

    private Page newService(Req r, String name, String description, String user, Ui.Errors errors) {
        Instant now = clock.instant();
        Map<String, String> options = new LinkedHashMap<>();
        options.put("", "Choose an API-only user");
        users.list(instance()).stream().filter(u -> u.apiOnly() && u.usableAt(now)).forEach(u -> options.put(u.email(), u.email()));
        boolean none = options.size() == 1;
        return Page.status(errors.any() ? 400 : 200, "New Service", Ui.Section.LAUNCHPOINT,
                Ui.backLink("/admin/launchpoint", "LaunchPoint"),
                el("h1", "New Service"),
                Ui.errorSummary(errors),
                none ? el("p", cls("problem"), attr("role", "alert"), "There is no active API-only user to own a service. ",
                        Ui.link("/admin/users/new", "Invite one with API Only checked"), " first.") : null,
                Ui.form("/admin/launchpoint", r.csrf(),
                        Ui.input("text", "name", "Display Name", name, null, errors, true),
                        Ui.select("service", "Service", Map.of("Custom", "Custom"), "Custom",
                                "Custom services issue a client id and secret for the REST API.", errors, true),
                        Ui.input("text", "description", "Description", description, null, errors, false),
                        Ui.select("user", "API Only User", options, user, "Only active API-only users are listed.", errors, true),
                        el("div", cls("actions"), Ui.submit("Create"),
                                el("a", cls("button secondary"), attr("href", "/admin/launchpoint"), "Cancel"))));
    }

    private Resp create(Req r) {
        try {
            if (!"Custom".equals(r.field("service"))) {
                throw AdminException.invalid("service: only Custom services can be created");
            }
            CustomServices.Details d = services.create(instance(), new CustomServices.Draft(r.field("name"), r.field("description"),
                    r.nonBlank("user"), null, null));
            return new Redirect("/admin/launchpoint/" + d.service().id(), "Service “" + d.service().name() + "” created.");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                throw e;
            }
            return newService(r, nz(r.field("name")), nz(r.field("description")), nz(r.field("user")), Ui.errors(e, FIELDS));
        }
    }

    private Resp token(Req r) {
        CustomServices.Service s = services.get(instance(), r.id("id"));
        try {
            return details(r, s, new Shown(null, tokens.tokenFor(s.clientId()), null));
        } catch (ApiException e) {
            return details(r, s, new Shown(null, null, e.getMessage()));
        }
    }

    private Page details(Req r, CustomServices.Service s, Shown shown) {
        String base = "/admin/launchpoint/" + s.id();
        List<Object> rows = new ArrayList<>();
        rows.add(row("Name", s.name()));
        rows.add(row("Service", s.type()));
        rows.add(row("Description", s.description() == null ? "" : s.description()));
        rows.add(row("API Only User", s.userEmail()));
        rows.add(row("Status", el("span", cls(s.enabled() ? "status status-active" : "status status-disabled"),
                s.enabled() ? "enabled" : "disabled")));
        rows.add(row("Client Id", copyable("client-id", "Client Id", s.clientId())));
        rows.add(row("Client Secret", shown.secret() == null
                ? el("div", cls("inline-row"), el("span", cls("masked"), attr("aria-label", "hidden"), "••••••••••••••••"),
                        Ui.button(base + "/secret", r.csrf(), "Reveal secret", "secondary"))
                : copyable("client-secret", "Client Secret", shown.secret())));
        Object tokenPanel = null;
        if (shown.token() != null) {
            tokenPanel = el("section", cls("panel"), attr("aria-labelledby", "token-h"),
                    el("h2", id("token-h"), "Access token"),
                    copyable("access-token", "Access Token", shown.token().accessToken()),
                    el("p", id("token-expiry"), "Valid for " + shown.token().expiresIn() + " seconds (scope " + shown.token().scope()
                            + "). It is the token the identity service returns for this service: the same one until it expires."));
        } else if (shown.tokenError() != null) {
            tokenPanel = el("p", cls("problem"), attr("role", "alert"), "No token: " + shown.tokenError());
        }
        return Page.ok("View Details: " + s.name(), Ui.Section.LAUNCHPOINT,
                Ui.backLink("/admin/launchpoint", "LaunchPoint"),
                el("h1", "View Details: " + s.name()),
                el("dl", cls("details"), rows),
                el("div", cls("actions"),
                        Ui.button(base + "/token", r.csrf(), "Get Token", "primary"),
                        s.enabled() ? Ui.button(base + "/enabled", r.csrf(), "Disable", "secondary") : enable(r, base),
                        el("a", cls("button danger"), attr("href", base + "/delete"), "Delete")),
                tokenPanel);
    }

    private static Html.Element enable(Req r, String base) {
        return el("form", cls("inline"), attr("method", "post"), attr("action", base + "/enabled"), Ui.csrfField(r.csrf()),
                el("input", attr("type", "hidden"), attr("name", "enabled"), attr("value", "true")),
                el("button", attr("type", "submit"), cls("secondary"), "Enable"));
    }

    private static Object[] row(String term, Object value) {
        return new Object[] {el("dt", term), el("dd", value)};
    }

    /** A read-only value with a Copy button (the script copies it; without it, the text can be selected). */
    static Html.Element copyable(String fieldId, String label, String value) {
        return el("div", cls("copy-row"),
                el("input", attr("type", "text"), id(fieldId), attr("value", value), Html.flag("readonly", true),
                        attr("aria-label", label), attr("size", Math.max(20, Math.min(60, value.length() + 2)))),
                el("button", attr("type", "button"), cls("secondary copy"), attr("data-copy", fieldId), "Copy",
                        el("span", cls("sr-only"), " " + label)));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Map<String, List<String>> fields() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("name", List.of("service name", "custom service named"));
        m.put("description", List.of("service description"));
        m.put("service", List.of("service:"));
        m.put("user", List.of("user"));
        return m;
    }
}
