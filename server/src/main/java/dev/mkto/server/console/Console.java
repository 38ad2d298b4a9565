package dev.mkto.server.console;

import static dev.mkto.server.console.Html.el;

import dev.mkto.server.access.Allowlist;
import dev.mkto.server.access.IpRules;
import dev.mkto.server.admin.AdminAuth;
import dev.mkto.server.admin.CustomServices;
import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.IpCheck;
import dev.mkto.server.admin.LeastPrivilege;
import dev.mkto.server.admin.Partitions;
import dev.mkto.server.admin.Roles;
import dev.mkto.server.admin.Users;
import dev.mkto.server.admin.Workspaces;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Redirect;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.console.Exchange.Resp;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.HttpIO;
import dev.mkto.server.http.RequestIds;
import dev.mkto.server.http.RestApi;
import dev.mkto.server.http.Router;
import dev.mkto.server.identity.TokenService;
import dev.mkto.server.limits.Limits;
import dev.mkto.server.store.Database;
import dev.mkto.server.usage.Usage;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin web console at {@code /admin}: Marketo's Users &amp; Roles, Workspaces &amp;
 * Partitions, LaunchPoint and Web Services pages, plus API usage and each API user's
 * least-privilege report. Pages are rendered on the server; every change a page makes calls the
 * same access-model methods as the admin JSON API ({@code /admin/api/v1}, which keeps its paths).
 *
 * <p>Here: sign-in, the session and CSRF checks every page goes through, security headers, static
 * assets, and the one place a failure becomes an error page. The pages live in their own classes.
 */
public final class Console implements HttpService {

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);
    static final String SESSION_COOKIE = "mkto_console";
    private static final int MAX_FORM = 1024 * 1024;
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");

    private final Router<Handler> router = new Router<>();
    private final Sessions sessions;
    private final SignInPage signIn;
    private final Instances instances;
    private final Allowlist allowlist;
    private final RequestIds requestIds;
    private final Supplier<String> configuredBaseUrl;

    public Console(AdminAuth auth, Instances instances, Partitions partitions, Workspaces workspaces, Roles roles, Users users,
                   CustomServices services, TokenService tokens, Limits limits, Usage usage, IpCheck ipCheck,
                   LeastPrivilege leastPrivilege, Allowlist allowlist, InstantSource clock, RequestIds requestIds,
                   Supplier<String> configuredBaseUrl) {
        this.sessions = new Sessions(auth, clock);
        this.signIn = new SignInPage(sessions);
        this.instances = instances;
        this.allowlist = allowlist;
        this.requestIds = requestIds;
        this.configuredBaseUrl = configuredBaseUrl;
        router.add("GET", "/admin", r -> new Redirect("/admin/users", null));
        router.add("GET", "/admin/", r -> new Redirect("/admin/users", null));
        List<Exchange.Pages> pages = List.of(
                new UsersPages(instances, users, roles, workspaces, leastPrivilege, clock),
                new RolesPages(instances, roles),
                new WorkspacesPages(instances, workspaces, partitions),
                new LaunchPointPages(instances, services, users, tokens, clock),
                new WebServicesPages(instances, limits, ipCheck),
                new UsagePage(instances, usage));
        pages.forEach(p -> p.routes(router));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/admin", this::handle).any("/admin/*", this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (path.equals("/admin/api") || path.startsWith("/admin/api/")) {
            res.next(); // the admin JSON API's paths are never console pages
            return;
        }
        securityHeaders(res);
        String method = req.prologue().method().text();
        try {
            if (path.startsWith("/admin/assets/")) {
                Assets.serve(path, method, res);
                return;
            }
            String cookie = cookie(req, SESSION_COOKIE);
            switch (path) {
                case "/admin/login" -> {
                    signIn.handle(req, res, method, cookie, clientAddress(req), form(req, method));
                    return;
                }
                case "/admin/logout" -> {
                    signOut(req, res, method, cookie);
                    return;
                }
                default -> {
                }
            }
            Optional<Sessions.Session> session = sessions.find(cookie);
            if (session.isEmpty()) {
                boolean cookieLost = cookie == null && HttpIO.parseForm(req.query().rawValue()).containsKey("signedin");
                redirect(res, "/admin/login" + (cookieLost ? "?nocookie=1" : method.equals("GET") ? "?next=" + enc(path) : ""));
                return;
            }
            Map<String, List<String>> form = form(req, method);
            if (method.equals("POST") && !session.get().csrfMatches(first(form, "_csrf"))) {
                render(res, session.get(), formExpired());
                return;
            }
            dispatch(req, res, method, path, form, session.get());
        } catch (HttpIO.TooLarge e) {
            plain(res, 413, "The form is over 1 MB.");
        } catch (HttpIO.MalformedForm e) {
            plain(res, 400, "The form could not be read: " + e.getMessage() + ". Nothing changed.");
        } catch (RuntimeException e) {
            if (Database.isUnavailable(e)) {
                LOG.warn("console request {} {}: the database does not answer", method, HttpIO.loggedPath(req));
                plain(res, 503, "The database does not answer; try again in a moment.");
                return;
            }
            if (Database.isDuplicateKey(e)) {
                plain(res, 409, "It already exists: a request made at the same moment created it. Go back and reload the page.");
                return;
            }
            String requestId = requestIds.next();
            LOG.error("console request {} {} {} failed", requestId, method, HttpIO.loggedPath(req), e);
            plain(res, 500, "Internal error; see the server log for request " + requestId + ".");
        }
    }

    private void dispatch(ServerRequest req, ServerResponse res, String method, String path, Map<String, List<String>> form,
                          Sessions.Session session) {
        Router.Match<Handler> match = router.match(method, path);
        Resp resp;
        try {
            resp = switch (match) {
                case Router.Found<Handler> f -> f.route().handler().handle(new Req(path, f.vars(),
                        HttpIO.parseForm(req.query().rawValue()), form, session, baseUrl(req)));
                case Router.WrongMethod<Handler> w -> Page.status(405, "Not allowed", Ui.Section.NONE,
                        el("h1", "This page does not take " + method), Ui.link("/admin", "Back to the console"));
                case Router.NoRoute<Handler> n -> notFound("There is no console page at " + path + ".");
            };
        } catch (AdminException e) {
            resp = e.httpStatus() == 404 ? notFound(e.getMessage())
                    : Page.status(e.httpStatus(), "Not done", Ui.Section.NONE, el("h1", "That could not be done"),
                    el("p", Html.cls("problem"), e.getMessage()), Ui.link("/admin", "Back to the console"));
        }
        switch (resp) {
            case Page p -> render(res, session, p);
            case Redirect r -> {
                if (r.flash() != null) {
                    session.flash(r.flash());
                }
                redirect(res, r.location());
            }
        }
    }

    private static Page formExpired() {
        return Page.status(403, "Form expired", Ui.Section.NONE, el("h1", "This form has expired"),
                el("p", "The page was open too long, or came from another site. Go back, reload the page and try again."));
    }

    private static Page notFound(String message) {
        return Page.status(404, "Not found", Ui.Section.NONE, el("h1", "Page not found"), el("p", message),
                Ui.link("/admin", "Back to the console"));
    }

    private void render(ServerResponse res, Sessions.Session session, Page p) {
        String html = Ui.page(p.title(), p.section(), session.csrf(), instances.current().munchkinId(),
                session.takeFlash().orElse(null), p.main().toArray());
        html(res, p.status(), html);
    }

    private void signOut(ServerRequest req, ServerResponse res, String method, String cookie) {
        if (!method.equals("POST")) {
            redirect(res, "/admin/users");
            return;
        }
        Optional<Sessions.Session> session = sessions.find(cookie);
        Map<String, List<String>> form = form(req, method);
        if (session.isPresent() && !session.get().csrfMatches(first(form, "_csrf"))) {
            // saying "signed out" while the session lives on would mislead: refuse like any expired form
            render(res, session.get(), formExpired());
            return;
        }
        sessions.signOut(cookie);
        res.header(HeaderNames.SET_COOKIE, expiredCookie(SESSION_COOKIE, "/admin"));
        redirect(res, "/admin/login?signedout=1");
    }

    // ----- HTTP plumbing shared with the sign-in page ------------------------------------

    static void html(ServerResponse res, int status, String html) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.send(html.getBytes(StandardCharsets.UTF_8));
    }

    static void redirect(ServerResponse res, String location) {
        res.status(303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    private static void plain(ServerResponse res, int status, String text) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        res.send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The cookie attributes every console cookie carries. */
    static String cookie(String name, String value, String path, long maxAgeSeconds) {
        return name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAgeSeconds + "; HttpOnly; Secure; SameSite=Strict";
    }

    static String expiredCookie(String name, String path) {
        return cookie(name, "", path, 0);
    }

    static String cookie(ServerRequest req, String name) {
        for (String header : req.headers().all(HeaderNames.COOKIE, List::of)) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith(name + "=")) {
                    return p.substring(name.length() + 1);
                }
            }
        }
        return null;
    }

    static String first(Map<String, List<String>> form, String name) {
        List<String> v = form.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static Map<String, List<String>> form(ServerRequest req, String method) {
        if (!method.equals("POST")) {
            return Map.of();
        }
        byte[] body = HttpIO.readBody(req, MAX_FORM);
        String type = req.headers().contentType().map(Object::toString).orElse(null);
        if (body.length == 0 || !HttpIO.isForm(type)) {
            return Map.of();
        }
        return HttpIO.parseStoredForm(new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Strict CSP (scripts and styles only from files under /admin/assets, no inline code), no
     * framing, no MIME sniffing, no referrer, and pages never cached.
     */
    private static void securityHeaders(ServerResponse res) {
        res.header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        res.header("X-Frame-Options", "DENY");
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        res.header("Cross-Origin-Opener-Policy", "same-origin");
        res.header("Cache-Control", "no-store");
    }

    /** The caller's address, behind the trusted proxies of the IP allowlist. */
    private InetAddress clientAddress(ServerRequest req) {
        return RestApi.clientAddress(req, trustedProxies());
    }

    private IpRules trustedProxies() {
        InstanceSettings.IpAllowlist a = instances.current().settings().ipAllowlist();
        return allowlist.rules(false, List.of(), false, a.trustedProxies()).proxies();
    }

    /**
     * The site's base URL as the browser reached it: the Host header (and, from a trusted proxy,
     * X-Forwarded-Proto and X-Forwarded-Host), else the configured one. Ends without a slash.
     */
    private String baseUrl(ServerRequest req) {
        boolean viaProxy = IpRules.literal(HttpIO.remoteAddress(req)).map(trustedProxies()::allows).orElse(false);
        String host = req.headers().first(HeaderNames.HOST).orElse(null);
        String scheme = "http";
        if (viaProxy) {
            host = req.headers().first(HeaderNames.X_FORWARDED_HOST).map(h -> h.split(",")[0].strip()).orElse(host);
            scheme = req.headers().first(HeaderNames.X_FORWARDED_PROTO).map(p -> p.split(",")[0].strip())
                    .filter(p -> p.equals("https") || p.equals("http")).orElse(scheme);
        }
        if (host == null || !HOST.matcher(host).matches()) {
            return configuredBaseUrl.get();
        }
        return scheme + "://" + host;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
