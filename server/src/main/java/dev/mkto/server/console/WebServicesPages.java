package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.IpCheck;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Redirect;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.console.Exchange.Resp;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.Router;
import dev.mkto.server.limits.Limits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Web Services: the REST endpoint and identity URLs to copy, the IP restrictions editor with a dry
 * run, and the limit settings with what is in use. Saving changes the instance settings like
 * {@code PATCH /admin/api/v1/instance}; the dry run is {@code POST /admin/api/v1/instance/ip-check}.
 */
final class WebServicesPages implements Exchange.Pages {

    /** In this order: an entry's message also says "address". */
    private static final Map<String, List<String>> IP_FIELDS = new LinkedHashMap<>();

    static {
        IP_FIELDS.put("entries", List.of("entries"));
        IP_FIELDS.put("trustedProxies", List.of("trustedproxies"));
        IP_FIELDS.put("address", List.of("address"));
    }

    /** The IP restrictions form as typed (or as stored), and a dry run's outcome. */
    private record IpForm(boolean enabled, String entries, boolean applyToIdentity, String trustedProxies, String address,
                          String forwardedFor) {
    }

    private final Instances instances;
    private final Limits limits;
    private final IpCheck ipCheck;

    WebServicesPages(Instances instances, Limits limits, IpCheck ipCheck) {
        this.instances = instances;
        this.limits = limits;
        this.ipCheck = ipCheck;
    }

    @Override
    public void routes(Router<Handler> router) {
        router.add("GET", "/admin/web-services", r -> page(r, stored(), null, Ui.Errors.NONE, limitsForm(), Ui.Errors.NONE))
                .add("POST", "/admin/web-services/allowlist", this::saveAllowlist)
                .add("POST", "/admin/web-services/ip-check", this::check)
                .add("POST", "/admin/web-services/limits", this::saveLimits);
    }

    private IpForm stored() {
        InstanceSettings.IpAllowlist a = instances.current().settings().ipAllowlist();
        return new IpForm(a.enabled(), String.join("\n", a.entries()), a.applyToIdentity(), String.join("\n", a.trustedProxies()), "", "");
    }

    private static IpForm typed(Req r) {
        return new IpForm(r.checked("enabled"), nz(r.field("entries")), r.checked("applyToIdentity"), nz(r.field("trustedProxies")),
                nz(r.field("address")), nz(r.field("forwardedFor")));
    }

    private Resp saveAllowlist(Req r) {
        IpForm f = typed(r);
        ObjectNode patch = Json.MAPPER.createObjectNode();
        ObjectNode a = patch.putObject("ipAllowlist");
        a.put("enabled", f.enabled());
        a.put("applyToIdentity", f.applyToIdentity());
        ArrayNode entries = a.putArray("entries");
        lines(f.entries()).forEach(entries::add);
        ArrayNode proxies = a.putArray("trustedProxies");
        lines(f.trustedProxies()).forEach(proxies::add);
        try {
            instances.update(instances.defaultId(), patch);
        } catch (AdminException e) {
            return page(r, f, null, Ui.errors(e, IP_FIELDS), limitsForm(), Ui.Errors.NONE);
        }
        return new Redirect("/admin/web-services#ip-h", f.enabled() ? "IP restrictions saved and enforced." : "IP restrictions saved (not enforced).");
    }

    private Resp check(Req r) {
        IpForm f = typed(r);
        try {
            IpCheck.Result result = ipCheck.check(instances.current().settings().ipAllowlist(), f.address(), lines(f.entries()),
                    lines(f.trustedProxies()), lines(f.forwardedFor()));
            return page(r, f, result, Ui.Errors.NONE, limitsForm(), Ui.Errors.NONE);
        } catch (AdminException e) {
            return page(r, f, null, Ui.errors(e, IP_FIELDS), limitsForm(), Ui.Errors.NONE);
        }
    }

    private Map<String, String> limitsForm() {
        InstanceSettings s = instances.current().settings();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rateCalls", String.valueOf(s.limits().rateCalls()));
        m.put("rateWindowSeconds", String.valueOf(s.limits().rateWindowSeconds()));
        m.put("concurrent", String.valueOf(s.limits().concurrent()));
        m.put("dailyQuota", String.valueOf(s.limits().dailyQuota()));
        m.put("timeZone", s.limits().timeZone());
        m.put("tokenTtlSeconds", String.valueOf(s.tokenTtlSeconds()));
        return m;
    }

    private Resp saveLimits(Req r) {
        Map<String, String> typed = new LinkedHashMap<>();
        for (String k : limitsForm().keySet()) {
            typed.put(k, nz(r.field(k)).strip());
        }
        ObjectNode patch = Json.MAPPER.createObjectNode();
        ObjectNode l = patch.putObject("limits");
        try {
            for (String k : List.of("rateCalls", "rateWindowSeconds", "concurrent", "dailyQuota")) {
                l.put(k, number("limits." + k, typed.get(k)));
            }
            l.put("timeZone", typed.get("timeZone"));
            patch.put("tokenTtlSeconds", number("tokenTtlSeconds", typed.get("tokenTtlSeconds")));
            instances.update(instances.defaultId(), patch);
        } catch (AdminException e) {
            Map<String, List<String>> fields = new LinkedHashMap<>();
            typed.keySet().forEach(k -> fields.put(k, List.of("." + k, k + ":")));
            return page(r, stored(), null, Ui.Errors.NONE, typed, Ui.errors(e, fields));
        }
        return new Redirect("/admin/web-services#limits-h", "Limits saved; they apply from the next call.");
    }

    private Page page(Req r, IpForm ip, IpCheck.Result result, Ui.Errors ipErrors, Map<String, String> limitValues, Ui.Errors limitErrors) {
        String base = r.baseUrl();
        return Page.status(ipErrors.any() || limitErrors.any() ? 400 : 200, "Web Services", Ui.Section.WEB_SERVICES,
                el("h1", "Web Services"),
                endpoints(base),
                allowlist(r, ip, result, ipErrors),
                limits(r, limitValues, limitErrors),
                el("section", cls("panel"), attr("aria-labelledby", "usage-h"),
                        el("h2", id("usage-h"), "API Call Information"),
                        el("p", "Calls per day for the last 7 days, per API user, and errors per code: ",
                                Ui.link("/admin/usage", "API usage"), ".")));
    }

    private static Html.Element endpoints(String base) {
        return el("section", cls("panel"), attr("aria-labelledby", "rest-h"),
                el("h2", id("rest-h"), "REST API"),
                el("dl", cls("details"),
                        el("dt", "Endpoint"), el("dd", LaunchPointPages.copyable("rest-endpoint", "REST API Endpoint", base + "/rest")),
                        el("dt", "Identity"), el("dd", LaunchPointPages.copyable("identity-endpoint", "Identity URL", base + "/identity")),
                        el("dt", "Base URL"), el("dd", LaunchPointPages.copyable("base-url", "Base URL", base + "/"),
                                el("p", cls("hint"), "What integrations ask for as the REST API endpoint: the base URL without "
                                        + "“rest”, ending in /."))));
    }

    private static Html.Element allowlist(Req r, IpForm f, IpCheck.Result result, Ui.Errors errors) {
        Object outcome = null;
        if (result != null) {
            String verdict = result.allowed()
                    ? "A call from " + result.client() + " would be allowed: it matches " + result.matchedEntry() + "."
                    : "A call from " + result.client() + " would be refused (603 Access denied): no entry matches it.";
            String note = result.allowlistEnabled() ? "" : " IP restrictions are not enforced now, so today it would pass either way.";
            outcome = el("p", cls(result.allowed() ? "verdict allowed" : "verdict refused"), attr("role", "status"), id("ip-verdict"),
                    verdict + note);
        }
        return el("section", cls("panel"), attr("aria-labelledby", "ip-h"),
                el("h2", id("ip-h"), "IP Restrictions"),
                el("p", cls("hint"), "When enforced, API calls from addresses not listed are answered 603 Access denied."),
                Ui.errorSummary(errors),
                Ui.form("/admin/web-services/allowlist", r.csrf(),
                        Ui.checkbox("enabled", "true", "Enforce IP restrictions", f.enabled(), null),
                        Ui.textarea("entries", "Allowed addresses", f.entries(),
                                "One per line: an address (203.0.113.7), a range (192.168.1.10-192.168.1.20), a wildcard (10.0.*.*) "
                                        + "or a CIDR block (10.20.0.0/16, 2001:db8::/32).", errors, 5),
                        Ui.checkbox("applyToIdentity", "true", "Also restrict the identity endpoint", f.applyToIdentity(), null),
                        Ui.textarea("trustedProxies", "Trusted proxies", f.trustedProxies(),
                                "Load balancers whose X-Forwarded-For header tells the client's address; one per line.", errors, 2),
                        el("div", cls("actions"), Ui.submit("Save IP Restrictions")),
                        el("fieldset", cls("dry-run"),
                                el("legend", "Try an address against the entries above (nothing is saved)"),
                                Ui.input("text", "address", "Client address", f.address(), null, errors, false),
                                Ui.input("text", "forwardedFor", "X-Forwarded-For (optional)", f.forwardedFor(),
                                        "Comma-separated, as a proxy would send it.", errors, false),
                                el("button", attr("type", "submit"), cls("secondary"), attr("formaction", "/admin/web-services/ip-check"),
                                        "Check address"),
                                outcome)));
    }

    private Html.Element limits(Req r, Map<String, String> v, Ui.Errors errors) {
        return el("section", cls("panel"), attr("aria-labelledby", "limits-h"),
                el("h2", id("limits-h"), "Limits"),
                el("p", id("limits-now"), inUse()),
                Ui.errorSummary(errors),
                Ui.form("/admin/web-services/limits", r.csrf(),
                        el("div", cls("grid-2"),
                                Ui.input("number", "rateCalls", "Calls per window", v.get("rateCalls"), "Over it: 606.", errors, true),
                                Ui.input("number", "rateWindowSeconds", "Window (seconds)", v.get("rateWindowSeconds"), null, errors, true),
                                Ui.input("number", "concurrent", "Calls in flight", v.get("concurrent"), "Over it: 615.", errors, true),
                                Ui.input("number", "dailyQuota", "Daily quota", v.get("dailyQuota"), "Over it: 607.", errors, true),
                                Ui.input("text", "timeZone", "Time zone of the daily reset", v.get("timeZone"), "An IANA name.", errors, true),
                                Ui.input("number", "tokenTtlSeconds", "Token lifetime (seconds)", v.get("tokenTtlSeconds"), "Marketo: 3600.",
                                        errors, true)),
                        el("div", cls("actions"), Ui.submit("Save Limits"))));
    }

    /** What is in use of the limits now ({@code GET /admin/api/v1/limits}); the settings stay editable if it cannot be read. */
    private String inUse() {
        Limits.Snapshot now;
        try {
            now = limits.snapshot(instances.defaultId(), null, null);
        } catch (RuntimeException e) {
            return "In use now: unknown (the limits store does not answer).";
        }
        return "In use now: " + now.callsInWindow() + " of " + now.rateCalls() + " calls in the last " + now.rateWindowSeconds() + " s, "
                + now.inFlight() + " of " + now.concurrent() + " in flight, " + now.quotaUsed() + " of " + now.dailyQuota()
                + " today (resets " + Ui.when(now.quotaResetsAt()) + ").";
    }

    private static long number(String what, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw AdminException.invalid(what + ": '" + value + "' is not a whole number");
        }
    }

    /** Non-blank lines of a textarea (commas also separate, as people paste lists). */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        Arrays.stream(text.split("[\\r\\n,]+")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
