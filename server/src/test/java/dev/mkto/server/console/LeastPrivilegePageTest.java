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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The console's least-privilege report over HTTP: what it tells an admin, against real calls. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegePageTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private TestServer server;
    private AdminClient admin;
    private final Map<String, String> cookies = new LinkedHashMap<>();

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        admin = server.admin();
        Matcher m = CSRF.matcher(get("/admin/login").body());
        assertThat(m.find()).isTrue();
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/admin/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + enc(m.group(1)) + "&credential=" + enc(TestServer.ADMIN_TOKEN))));
        assertThat(r.statusCode()).isEqualTo(303);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        if (!cookies.isEmpty()) {
            b.header("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            for (String c : r.headers().allValues("Set-Cookie")) {
                String pair = c.split(";")[0];
                int eq = pair.indexOf('=');
                cookies.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            return r;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(server.api().base() + path);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The report page once {@code ready} holds: a call is recorded just after its answer is sent. */
    private String page(long userId, Predicate<String> ready) {
        String body = "";
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = get("/admin/users/" + userId + "/least-privilege");
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
            if (ready.test(body)) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return body;
    }

    private static String findings(String page) {
        int from = page.indexOf("<ul class=\"findings\">");
        return page.substring(from, page.indexOf("</ul>", from));
    }

    @Test
    void findingsWhenEveryPermissionWasUsedButACallWasRefused603ThenDoNotSayNoCallWasDenied() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        assertThat(server.api().get("/rest/v1/leads/describe.json", token).success()).isTrue();
        admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("203.0.113.0/24"))));
        try {
            assertThat(server.api().get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("603");
        } finally {
            admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", false, "entries", List.of())));
        }
        String page = page(s.userId(), p -> !p.contains("No call of this user's services was answered 603") && !p.contains("not used"));
        assertThat(page).contains("603 Access denied");
        assertThat(findings(page)).doesNotContain("no call was denied").contains("603");
    }

    @Test
    void heldNowWhenAUserManagementCallWasRefusedForAnotherWorkspaceThenSaysSoRatherThanBlamingTheAllowlist() {
        String ws = AdminClient.unique("Elsewhere");
        long wsId = admin.workspace(ws, "Default");
        long roleId = admin.role(AdminClient.unique("Managers"), "Access User Management Api");
        String managerRole = admin.get("/roles/" + roleId).json().path("name").asString();
        String manager = AdminClient.unique("manager") + "@example.com";
        long managerId = admin.apiUser(manager, managerRole, "Default");
        AdminClient.Service s = admin.service(AdminClient.unique("UM"), manager);
        String token = admin.token(s);
        String target = AdminClient.unique("target") + "@example.com";
        admin.apiUser(target, managerRole, "Default");
        Api.Response refused = server.api().post("/userservice/management/v1/users/" + target + "/roles/create.json", token,
                List.of(Map.of("accessRoleId", roleId, "workspaceId", wsId)));
        assertThat(refused.status()).as(refused.text()).isEqualTo(403);
        assertThat(refused.text()).contains(ws);

        String page = page(managerId, p -> !p.contains("No call of this user's services was answered 603"));
        String row = page.substring(page.indexOf("POST /userservice/management/v1/users/{userid}/roles/create.json</th>"));
        row = row.substring(0, row.indexOf("</tr>"));
        assertThat(row).contains("workspace");
    }
}
