package dev.mkto.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console over plain HTTP: sign-in, sessions, CSRF, lockout, security headers, escaping, and
 * that the admin JSON API keeps its paths. Timing moves the server's clock instead of sleeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHttpTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A browser-like client: keeps cookies (Secure ones too, as browsers do on 127.0.0.1). */
    private final class Browser {
        final Map<String, String> cookies = new LinkedHashMap<>();
        final String address;

        Browser() {
            this("127.0.0.1");
        }

        Browser(String address) {
            this.address = address;
        }

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(uri(path)).GET());
        }

        HttpResponse<String> post(String path, Map<String, String> form) {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
            return postRaw(path, body.toString());
        }

        /** A form body as given, escapes and all. */
        HttpResponse<String> postRaw(String path, String body) {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        HttpResponse<String> send(HttpRequest.Builder b) {
            if (!cookies.isEmpty()) {
                b.header("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            if (!address.equals("127.0.0.1")) {
                b.header("X-Forwarded-For", address);
            }
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                for (String c : r.headers().allValues("Set-Cookie")) {
                    String pair = c.split(";")[0];
                    int eq = pair.indexOf('=');
                    String value = pair.substring(eq + 1);
                    if (value.isEmpty() || c.contains("Max-Age=0")) {
                        cookies.remove(pair.substring(0, eq));
                    } else {
                        cookies.put(pair.substring(0, eq), value);
                    }
                }
                return r;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        String csrf(String path) {
            Matcher m = CSRF.matcher(get(path).body());
            assertThat(m.find()).as("a CSRF field on " + path).isTrue();
            return m.group(1);
        }

        HttpResponse<String> signIn(String credential) {
            return post("/admin/login", Map.of("_csrf", csrf("/admin/login"), "credential", credential));
        }

        private URI uri(String path) {
            return URI.create(server.api().base() + path);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void pageWhenNotSignedInThenRedirectsToSignIn() {
        HttpResponse<String> r = new Browser().get("/admin/roles");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/admin/login?next=%2Fadmin%2Froles");
    }

    @Test
    void signInWithAdminCredentialThenSessionCookieIsStrictSecureHttpOnly() {
        Browser b = new Browser();
        HttpResponse<String> r = b.signIn(TestServer.ADMIN_TOKEN);
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/admin/users?signedin=1");
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("mkto_console=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly", "Secure", "SameSite=Strict", "Path=/admin");
        assertThat(cookie.split(";")[0].substring("mkto_console=".length())).hasSize(43); // 256 bits, base64url
        assertThat(b.get("/admin/users").statusCode()).isEqualTo(200);
    }

    @Test
    void signInWhenSignInFormTokenMissingThenRefused() {
        Browser b = new Browser();
        b.get("/admin/login");
        HttpResponse<String> r = b.post("/admin/login", Map.of("_csrf", "forged", "credential", TestServer.ADMIN_TOKEN));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(b.cookies).doesNotContainKey("mkto_console");
    }

    @Test
    void postWhenCsrfTokenMissingOrWrongThen403AndNothingChanges() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        HttpResponse<String> none = b.post("/admin/roles", Map.of("name", "Forged Role"));
        HttpResponse<String> wrong = b.post("/admin/roles", Map.of("_csrf", "x".repeat(43), "name", "Forged Role"));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(server.admin().get("/roles").text()).doesNotContain("Forged Role");
        HttpResponse<String> ok = b.post("/admin/roles", Map.of("_csrf", b.csrf("/admin/roles/new"), "name", "Real Role",
                "permission", "Read-Only Lead"));
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(server.admin().get("/roles").text()).contains("Real Role");
    }

    @Test
    void activeWhenTheFormAsksNeitherTrueNorFalseThen400AndNothingChanges() {
        long role = server.admin().role(AdminClient.unique("Active"), "Read-Only Lead");
        String email = AdminClient.unique("active") + "@example.com";
        long user = server.admin().apiUser(email, server.admin().get("/roles/" + role).json().path("name").asString(), "Default");
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        for (String asked : List.of("TRUE", "maybe", " ")) {
            HttpResponse<String> r = b.post("/admin/users/" + user + "/active", Map.of("_csrf", b.csrf("/admin/users/" + user), "active", asked));
            assertThat(r.statusCode()).as(asked).isEqualTo(400);
            assertThat(r.body()).contains("nothing changed");
        }
        assertThat(server.admin().get("/users/" + user).json().path("active").asBoolean()).isTrue();
        HttpResponse<String> off = b.post("/admin/users/" + user + "/active", Map.of("_csrf", b.csrf("/admin/users/" + user))); // Deactivate
        assertThat(off.statusCode()).isEqualTo(303);
        assertThat(server.admin().get("/users/" + user).json().path("active").asBoolean()).isFalse();
        HttpResponse<String> on = b.post("/admin/users/" + user + "/active", Map.of("_csrf", b.csrf("/admin/users/" + user), "active", "true"));
        assertThat(on.statusCode()).isEqualTo(303);
        assertThat(server.admin().get("/users/" + user).json().path("active").asBoolean()).isTrue();
    }

    @Test
    void formWhenItsTextIsNotUtf8ThenRefusedAndNothingCreated() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        String csrf = b.csrf("/admin/roles/new");
        HttpResponse<String> r = b.postRaw("/admin/roles", "_csrf=" + enc(csrf) + "&name=Half%ED%A0%80Role");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("not UTF-8").contains("Nothing changed");
        assertThat(server.admin().get("/roles").text()).doesNotContain("Half");
    }

    @Test
    void csrfTokenOfOneSessionIsRefusedByAnother() {
        Browser a = new Browser();
        a.signIn(TestServer.ADMIN_TOKEN);
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        HttpResponse<String> r = b.post("/admin/partitions", Map.of("_csrf", a.csrf("/admin/workspaces"), "partitionName", "Crossed"));
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void signOutThenTheOldCookieNoLongerWorks() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        String cookie = b.cookies.get("mkto_console");
        HttpResponse<String> out = b.post("/admin/logout", Map.of("_csrf", b.csrf("/admin/users")));
        assertThat(out.headers().firstValue("Location")).hasValue("/admin/login?signedout=1");
        Browser replay = new Browser();
        replay.cookies.put("mkto_console", cookie);
        assertThat(replay.get("/admin/users").statusCode()).isEqualTo(303);
    }

    @Test
    void sessionWhenIdleThirtyMinutesThenExpiresAndWhenActiveThenLives() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        server.clock().advance(Duration.ofMinutes(29));
        assertThat(b.get("/admin/users").statusCode()).isEqualTo(200);
        server.clock().advance(Duration.ofMinutes(29));
        assertThat(b.get("/admin/users").statusCode()).isEqualTo(200);
        server.clock().advance(Duration.ofMinutes(30));
        assertThat(b.get("/admin/users").statusCode()).isEqualTo(303);
    }

    @Test
    void fiveFailedSignInsThenAddressLockedForFifteenMinutesEvenWithTheRightCredential() {
        // the allowlist's trusted proxies decide which address a sign-in comes from
        server.admin().patch("/instance", Map.of("ipAllowlist", Map.of("trustedProxies", List.of("127.0.0.1"))));
        try {
            Browser attacker = new Browser("198.51.100.7");
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = attacker.signIn("wrong-credential-" + i);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.body()).contains("That is not the admin credential.");
            }
            HttpResponse<String> fifth = attacker.signIn("wrong-credential-5");
            assertThat(fifth.statusCode()).isEqualTo(429);
            HttpResponse<String> right = attacker.signIn(TestServer.ADMIN_TOKEN);
            assertThat(right.statusCode()).isEqualTo(429);
            assertThat(right.body()).contains("Too many failed sign-ins from your address").doesNotContain("not the admin credential");
            assertThat(attacker.cookies).doesNotContainKey("mkto_console");

            Browser elsewhere = new Browser("198.51.100.8");
            assertThat(elsewhere.signIn(TestServer.ADMIN_TOKEN).statusCode()).isEqualTo(303);

            server.clock().advance(Duration.ofMinutes(15));
            assertThat(attacker.signIn(TestServer.ADMIN_TOKEN).statusCode()).isEqualTo(303);
        } finally {
            server.admin().patch("/instance", Map.of("ipAllowlist", Map.of("trustedProxies", List.of())));
        }
    }

    @Test
    void everyConsoleResponseCarriesSecurityHeaders() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        for (String path : List.of("/admin/login", "/admin/users", "/admin/web-services", "/admin/assets/console.css", "/admin/nope")) {
            HttpResponse<String> r = (path.equals("/admin/login") ? new Browser() : b).get(path);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline"));
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        }
        assertThat(b.get("/admin/users").headers().allValues("Cache-Control")).containsExactly("no-store");
        HttpResponse<String> css = b.get("/admin/assets/console.css");
        assertThat(css.headers().allValues("Cache-Control")).containsExactly("no-cache");
        assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
        assertThat(b.get("/admin/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void pagesCarryNoInlineScriptOrStyle() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        for (String path : List.of("/admin/users", "/admin/roles/new", "/admin/launchpoint", "/admin/web-services", "/admin/usage")) {
            String html = b.get(path).body();
            assertThat(html).as(path).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("<style", " style=", " onclick=");
        }
    }

    @Test
    void namesAreEscapedNeverMarkup() {
        server.admin().create("/roles", Map.of("name", "<script>alert(1)</script>", "permissions", List.of("Read-Only Lead")));
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        String html = b.get("/admin/roles").body();
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)");
    }

    /**
     * Every page that shows what an admin or an integration typed — names, descriptions, e-mail
     * addresses, the users in the usage chart, the least-privilege report — with values made to
     * break out of text, attributes, URLs and scripts: each is shown as text, never as markup.
     */
    @Test
    void hostileNamesOnEveryPageAreTextNeverMarkup() {
        String tag = "\"><script>alert(1)</script>";
        String attribute = "' onmouseover='alert(1)' x='";
        String url = "javascript:alert(1)//";
        String closing = "</script><svg onload=alert(1)>";
        String role = AdminClient.unique(tag);
        long roleId = server.admin().create("/roles", Map.of("name", role, "description", attribute, "permissions",
                List.of("Read-Only Lead"))).path("id").asLong();
        server.admin().create("/partitions", Map.of("name", AdminClient.unique(url), "description", closing));
        long wsId = server.admin().create("/workspaces", Map.of("name", AdminClient.unique(closing), "description", url,
                "partitions", List.of("Default"))).path("id").asLong();
        String email = "\"><svg/onload=alert(1)>" + System.nanoTime() + "@example.com";
        long userId = server.admin().create("/users", Map.of("email", email, "firstName", tag, "lastName", attribute, "apiOnly", true,
                "roles", List.of(Map.of("role", role, "workspace", "Default")))).path("id").asLong();
        AdminClient.Service service = server.admin().service(AdminClient.unique(attribute), email);
        long serviceId = service.id();
        server.admin().patch("/services/" + serviceId, Map.of("description", tag));
        String token = server.admin().token(service);
        server.api().get("/rest/v1/leads.json?filterType=email&filterValues=a@example.com", token);
        server.api().post("/rest/v1/leads/delete.json", token, Map.of("input", List.of(Map.of("id", 1)))); // a 603: in the report

        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        for (String path : List.of("/admin/users", "/admin/users/" + userId, "/admin/users/" + userId + "/delete",
                "/admin/users/" + userId + "/least-privilege", "/admin/users/new", "/admin/roles", "/admin/roles/" + roleId,
                "/admin/roles/" + roleId + "/delete", "/admin/workspaces", "/admin/workspaces/" + wsId, "/admin/launchpoint",
                "/admin/launchpoint/new", "/admin/launchpoint/" + serviceId, "/admin/launchpoint/" + serviceId + "/delete", "/admin/usage")) {
            HttpResponse<String> r = b.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path)
                    .doesNotContain("<script>alert", "<svg/onload", "<svg onload", "onmouseover='", "onmouseover=\"", "href=\"javascript", "'alert(1)'")
                    .doesNotContainPattern("<script(?![^>]*src=\"/admin/assets/console\\.js\")");
        }
        assertThat(b.get("/admin/users").body()).contains("&quot;&gt;&lt;svg/onload=alert(1)&gt;");
        assertThat(b.get("/admin/roles/" + roleId).body()).contains("value=\"&#39; onmouseover=&#39;alert(1)&#39; x=&#39;\"");
        assertThat(b.get("/admin/usage").body()).contains("&quot;&gt;&lt;svg/onload=alert(1)&gt;");
        assertThat(b.get("/admin/login?next=" + enc(tag)).body()).doesNotContain("<script>alert");
    }

    @Test
    void createWhenSixFormsCreateTheSameWorkspaceAtOnceThenOneIsCreatedAndNoneIsA500() throws Exception {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        String csrf = b.csrf("/admin/workspaces");
        String workspace = AdminClient.unique("RaceWs");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<HttpResponse<String>>> posts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                posts.add(pool.submit(() -> b.post("/admin/workspaces", Map.of("_csrf", csrf, "wsName", workspace, "partitions", "Default"))));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> p : posts) {
                HttpResponse<String> r = p.get();
                statuses.add(r.statusCode());
                assertThat(r.body()).as("status %d", r.statusCode()).doesNotContain("Internal error");
            }
            assertThat(statuses).filteredOn(st -> st == 303).hasSize(1);
            assertThat(statuses).allMatch(st -> st < 500, "no 5xx: " + statuses);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void descriptionWithNulCharacterThenRefusedNamingItAndNothingStored() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        String nul = "before\u0000after";
        String role = AdminClient.unique("NulRole");
        HttpResponse<String> r = b.post("/admin/roles", Map.of("_csrf", b.csrf("/admin/roles/new"), "name", role, "description", nul,
                "permission", "Read-Only Lead"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("role description must not contain the NUL character");
        String partition = AdminClient.unique("NulPart");
        assertThat(b.post("/admin/partitions", Map.of("_csrf", b.csrf("/admin/workspaces"), "partitionName", partition,
                "partitionDescription", nul)).statusCode()).isEqualTo(400);
        String workspace = AdminClient.unique("NulWs");
        assertThat(b.post("/admin/workspaces", Map.of("_csrf", b.csrf("/admin/workspaces"), "wsName", workspace,
                "wsDescription", nul, "partitions", "Default")).statusCode()).isEqualTo(400);
        assertThat(server.admin().get("/roles").text()).doesNotContain(role);
        assertThat(server.admin().get("/partitions").text()).doesNotContain(partition);
        assertThat(server.admin().get("/workspaces").text()).doesNotContain(workspace);
    }

    @Test
    void signInWhenTheBrowserAlreadyHoldsAPlantedCookieThenANewSessionIdIsIssued() {
        Browser b = new Browser();
        String planted = "A".repeat(43);
        b.cookies.put("mkto_console", planted);
        b.signIn(TestServer.ADMIN_TOKEN);
        assertThat(b.cookies.get("mkto_console")).isNotEqualTo(planted);
        Browser attacker = new Browser();
        attacker.cookies.put("mkto_console", planted);
        assertThat(attacker.get("/admin/users").statusCode()).isEqualTo(303);
    }

    @Test
    void sessionWhenTwelveHoursOldThenEndsEvenIfUsedEveryFewMinutes() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        for (int i = 0; i < 24; i++) {
            server.clock().advance(Duration.ofMinutes(29).plusSeconds(55)); // 24 x 29:55 = 11:58
            assertThat(b.get("/admin/users").statusCode()).as("after %d requests", i).isEqualTo(200);
        }
        server.clock().advance(Duration.ofMinutes(2));
        assertThat(b.get("/admin/users").statusCode()).isEqualTo(303);
    }

    @Test
    void signOutWhenFormTokenIsNotTheSessionsThenRefusedAndNotClaimedDone() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        HttpResponse<String> stale = b.post("/admin/logout", Map.of("_csrf", "x".repeat(43)));
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(stale.body()).contains("This form has expired").doesNotContain("You are signed out");
        assertThat(b.get("/admin/users").statusCode()).as("the session was neither ended nor forgotten").isEqualTo(200);
        HttpResponse<String> out = b.post("/admin/logout", Map.of("_csrf", b.csrf("/admin/users")));
        assertThat(out.headers().firstValue("Location")).hasValue("/admin/login?signedout=1");
        assertThat(b.get("/admin/users").statusCode()).isEqualTo(303);
    }

    @Test
    void clientSecretAndTokenAppearOnlyAfterRevealOrGetTokenAndNeverInLists() {
        AdminClient.Service service = server.admin().serviceWith("Read-Only Lead");
        long id = service.id();
        String secret = service.clientSecret();
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        assertThat(b.get("/admin/launchpoint").body()).doesNotContain(secret);
        assertThat(b.get("/admin/launchpoint/" + id).body()).doesNotContain(secret);
        assertThat(server.admin().get("/services").text()).doesNotContain(secret);
        assertThat(server.admin().get("/services/" + id).text()).doesNotContain(secret);
        HttpResponse<String> revealed = b.post("/admin/launchpoint/" + id + "/secret", Map.of("_csrf", b.csrf("/admin/launchpoint/" + id)));
        assertThat(revealed.body()).contains("value=\"" + secret + "\"");
        assertThat(revealed.headers().allValues("Cache-Control")).containsExactly("no-store");
        HttpResponse<String> token = b.post("/admin/launchpoint/" + id + "/token", Map.of("_csrf", b.csrf("/admin/launchpoint/" + id)));
        assertThat(token.body()).contains("id=\"access-token\"").doesNotContain(secret);
        assertThat(token.headers().allValues("Cache-Control")).containsExactly("no-store");
    }

    @Test
    void adminApiKeepsItsPathsUnderAdmin() {
        Api.Response r = server.admin().get("/instance");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("munchkinId").asString()).isNotEmpty();
        Api.Response unauthorized = server.api().get("/admin/api/v1/instance", null);
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.json().path("error").path("code").asString()).isEqualTo("unauthorized");
        assertThat(new Browser().get("/admin/api/v2/anything").statusCode()).isEqualTo(404);
    }

    @Test
    void webServicesUrlsFollowTheHostTheBrowserUsedAndATrustedProxysForwardedHeaders() {
        Browser b = new Browser();
        b.signIn(TestServer.ADMIN_TOKEN);
        assertThat(b.get("/admin/web-services").body()).contains("value=\"" + server.api().base() + "/rest\"",
                "value=\"" + server.api().base() + "/\"");
        HttpRequest.Builder proxied = HttpRequest.newBuilder(URI.create(server.api().base() + "/admin/web-services"))
                .header("X-Forwarded-Host", "mkto.example.com").header("X-Forwarded-Proto", "https");
        assertThat(b.send(proxied).body()).as("untrusted peer: forwarded headers ignored").doesNotContain("mkto.example.com");
        server.admin().patch("/instance", Map.of("ipAllowlist", Map.of("trustedProxies", List.of("127.0.0.1"))));
        try {
            HttpRequest.Builder trusted = HttpRequest.newBuilder(URI.create(server.api().base() + "/admin/web-services"))
                    .header("X-Forwarded-Host", "mkto.example.com").header("X-Forwarded-Proto", "https");
            assertThat(b.send(trusted).body()).contains("value=\"https://mkto.example.com/rest\"",
                    "value=\"https://mkto.example.com/identity\"", "value=\"https://mkto.example.com/\"");
        } finally {
            server.admin().patch("/instance", Map.of("ipAllowlist", Map.of("trustedProxies", List.of())));
        }
    }

    @Test
    void signInAnswerWhenCookieWasNotKeptThenExplainsSecureCookies() {
        HttpResponse<String> r = new Browser().get("/admin/users?signedin=1");
        assertThat(r.headers().firstValue("Location")).hasValue("/admin/login?nocookie=1");
        assertThat(new Browser().get("/admin/login?nocookie=1").body()).contains("did not keep the session cookie");
    }
}
