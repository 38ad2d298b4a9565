package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.flag;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.http.HttpIO;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code /admin/login}: the admin credential in, a session cookie out. The form is protected from
 * cross-site submission like every other (a token in a short-lived cookie must match the form's);
 * a refusal never says whether the credential was right once the address is locked out.
 */
final class SignInPage {

    private static final String LOGIN_COOKIE = "mkto_login";
    private static final Pattern NEXT = Pattern.compile("/admin(/[A-Za-z0-9/_-]*)?");

    private final Sessions sessions;

    SignInPage(Sessions sessions) {
        this.sessions = sessions;
    }

    void handle(ServerRequest req, ServerResponse res, String method, String sessionCookie, InetAddress address,
                Map<String, List<String>> form) {
        if (method.equals("GET")) {
            if (sessions.find(sessionCookie).isPresent()) {
                Console.redirect(res, "/admin/users");
                return;
            }
            Map<String, List<String>> query = HttpIO.parseForm(req.query().rawValue());
            String notice = query.containsKey("signedout") ? "You are signed out."
                    : query.containsKey("nocookie") ? "Your browser did not keep the session cookie. The console's cookies are "
                    + "Secure: open it over HTTPS, or at http://localhost or http://127.0.0.1." : null;
            show(res, 200, Console.first(query, "next"), notice, null);
            return;
        }
        if (!method.equals("POST")) {
            Console.redirect(res, "/admin/login");
            return;
        }
        String next = Console.first(form, "next");
        String expected = Console.cookie(req, LOGIN_COOKIE);
        String presented = Console.first(form, "_csrf");
        if (expected == null || presented == null
                || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            show(res, 403, next, null, "The sign-in form expired. Please enter the credential again.");
            return;
        }
        String credential = Console.first(form, "credential");
        switch (sessions.signIn(credential == null ? "" : credential.strip(), address)) {
            case Sessions.SignedIn s -> {
                res.header(HeaderNames.SET_COOKIE,
                        Console.cookie(Console.SESSION_COOKIE, s.cookie(), "/admin", Sessions.LIFETIME.toSeconds()),
                        Console.expiredCookie(LOGIN_COOKIE, "/admin/login"));
                String target = next != null && NEXT.matcher(next).matches() && !next.startsWith("/admin/login") ? next : "/admin/users";
                Console.redirect(res, target + "?signedin=1");
            }
            case Sessions.Refused r -> show(res, 401, next, null, "That is not the admin credential.");
            case Sessions.LockedOut l -> show(res, 429, next, null, "Too many failed sign-ins from your address. Sign-in from it is "
                    + "blocked until " + Ui.when(l.until()) + ".");
        }
    }

    private void show(ServerResponse res, int status, String next, String notice, String error) {
        String token = sessions.randomToken();
        res.header(HeaderNames.SET_COOKIE, Console.cookie(LOGIN_COOKIE, token, "/admin/login", 3600));
        String html = Ui.bare("Sign in",
                el("div", cls("signin"),
                        el("p", cls("brand"), Ui.PRODUCT),
                        el("h1", "Sign in"),
                        notice == null ? null : el("p", cls("flash"), attr("role", "status"), notice),
                        error == null ? null : el("p", cls("field-error"), id("credential-error"), attr("role", "alert"), error),
                        el("form", attr("method", "post"), attr("action", "/admin/login"),
                                el("input", attr("type", "hidden"), attr("name", "_csrf"), attr("value", token)),
                                next == null ? null : el("input", attr("type", "hidden"), attr("name", "next"), attr("value", next)),
                                el("div", cls("field"),
                                        el("label", attr("for", "credential"), "Admin credential"),
                                        el("p", cls("hint"), id("credential-hint"),
                                                "MKTO_ADMIN_TOKEN, or the one the server printed on its first start."),
                                        el("input", attr("type", "password"), id("credential"), attr("name", "credential"),
                                                attr("autocomplete", "current-password"), flag("required", true), flag("autofocus", true),
                                                attr("aria-describedby", error == null ? "credential-hint" : "credential-hint credential-error"),
                                                attr("aria-invalid", error == null ? null : "true"))),
                                el("button", attr("type", "submit"), cls("primary"), "Sign in"))));
        Console.html(res, status, html);
    }
}
