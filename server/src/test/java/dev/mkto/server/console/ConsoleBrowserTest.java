package dev.mkto.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.Chromium;
import dev.mkto.server.testing.PageChecks;
import dev.mkto.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The console in a real browser (Debian's Chromium through Playwright), flow by flow, as an admin
 * would use it: create a role, an API-only user and a service, reveal the secret, get a token and
 * call the API with it, restrict IPs and see a call refused, see usage appear. Every page visited
 * is checked by {@link PageChecks} (screenshot, heading, no error, labels, contrast, CSP).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {

    private TestServer server;
    private AdminClient admin;
    private Chromium chromium;
    private BrowserContext context;
    private PageChecks pages;
    private final List<Page> open = new ArrayList<>();

    @BeforeAll
    void start() {
        chromium = Chromium.launch();
        server = TestServer.start(Backend.H2);
        admin = server.admin();
        context = PageChecks.newContext(chromium, server.api().base());
        pages = new PageChecks(server.api().base());
        Page page = page();
        pages.signIn(page, TestServer.ADMIN_TOKEN);
        page.close();
    }

    @AfterAll
    void stop() {
        if (context != null) {
            context.close();
        }
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closePages() {
        open.forEach(Page::close);
        open.clear();
    }

    private Page page() {
        Page p = pages.watch(context.newPage());
        open.add(p);
        return p;
    }

    private static Locator button(Page page, String name) {
        return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    private static Locator link(Page page, String name) {
        return page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    private static void expectFlash(Page page, String text) {
        PlaywrightAssertions.assertThat(page.locator(".flash")).containsText(text);
    }

    // ----- the main flow ---------------------------------------------------------------------

    @Test
    void adminCreatesRoleUserAndServiceThenRevealsSecretGetsTokenAndCallsTheApi() {
        String role = AdminClient.unique("Lead Sync");
        String email = AdminClient.unique("sync") + "@example.com";
        String service = AdminClient.unique("Lead Sync Service");
        Page page = page();

        // Users & Roles › Roles › New Role
        pages.open(page, "/admin/roles", "Users & Roles", "roles");
        link(page, "New Role").click();
        pages.check(page, "New Role", "role-new");
        page.getByLabel("Role name").fill(role);
        page.getByLabel("Read-Write Lead", new Page.GetByLabelOptions().setExact(true)).check();
        Locator readOnly = page.getByLabel("Read-Only Lead", new Page.GetByLabelOptions().setExact(true));
        PlaywrightAssertions.assertThat(readOnly).isChecked();
        PlaywrightAssertions.assertThat(readOnly).isDisabled();
        PlaywrightAssertions.assertThat(page.locator("#perm-read-only-lead-note")).isVisible();
        button(page, "Create").click();
        expectFlash(page, "Role “" + role + "” created.");
        assertThat(permissionsOf(role)).containsExactly("Read-Write Lead");

        // Users & Roles › Users › Invite New User, API Only, role in Default
        pages.open(page, "/admin/users", "Users & Roles", "users");
        link(page, "Invite New User").click();
        pages.check(page, "Invite New User", "user-new");
        page.getByLabel("E-mail").fill(email);
        PlaywrightAssertions.assertThat(page.getByLabel("API Only")).isChecked();
        page.getByLabel(role + " in workspace Default").check();
        button(page, "Send").click();
        expectFlash(page, "User " + email + " created.");
        PlaywrightAssertions.assertThat(page.locator("tr", new Page.LocatorOptions().setHasText(email))).containsText("active");

        // LaunchPoint › New Service: Custom, owned by the new user
        pages.open(page, "/admin/launchpoint", "LaunchPoint", "launchpoint");
        link(page, "New Service").click();
        pages.check(page, "New Service", "launchpoint-new");
        page.getByLabel("Display Name").fill(service);
        PlaywrightAssertions.assertThat(page.locator("#service")).hasValue("Custom");
        page.getByLabel("API Only User").selectOption(email);
        button(page, "Create").click();
        expectFlash(page, "Service “" + service + "” created.");
        pages.check(page, "View Details: " + service, "launchpoint-details");

        // View Details: client id shown, secret only on demand, owner
        JsonNode details = serviceDetails(service);
        String clientId = details.path("clientId").asString();
        String secret = details.path("clientSecret").asString();
        PlaywrightAssertions.assertThat(page.locator("#client-id")).hasValue(clientId);
        PlaywrightAssertions.assertThat(page.locator("dl.details")).containsText(email);
        assertThat(page.content()).doesNotContain(secret);
        button(page, "Reveal secret").click();
        PlaywrightAssertions.assertThat(page.locator("#client-secret")).hasValue(secret);
        pages.check(page, "View Details: " + service, "launchpoint-secret");

        // Get Token: valid 3600 s, the same token identity returns
        button(page, "Get Token").click();
        String token = page.locator("#access-token").inputValue();
        PlaywrightAssertions.assertThat(page.locator("#token-expiry")).containsText("Valid for 3600 seconds");
        pages.check(page, "View Details: " + service, "launchpoint-token");
        Api.Response identity = admin.identity(clientId, secret);
        assertThat(identity.json().path("access_token").asString()).isEqualTo(token);

        // ... and it works with a plain HTTP call
        Api.Response describe = server.api().get("/rest/v1/leads/describe.json", token);
        assertThat(describe.success()).as(describe.text()).isTrue();

        // Disable: its token stops at once; Enable again
        button(page, "Disable").click();
        expectFlash(page, "disabled");
        assertThat(server.api().get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        button(page, "Enable").click();
        expectFlash(page, "enabled");
    }

    @Test
    void serviceUserPickerListsOnlyActiveApiOnlyUsers() {
        String role = AdminClient.unique("Picker");
        admin.role(role, "Read-Only Lead");
        String active = AdminClient.unique("active") + "@example.com";
        String deactivated = AdminClient.unique("off") + "@example.com";
        String human = AdminClient.unique("human") + "@example.com";
        admin.apiUser(active, role);
        long off = admin.apiUser(deactivated, role);
        admin.patch("/users/" + off, Map.of("active", false));
        admin.create("/users", Map.of("email", human, "apiOnly", false, "roles", List.of(Map.of("role", role, "workspace", "Default"))));
        Page page = page();
        pages.open(page, "/admin/launchpoint/new", "New Service", "launchpoint-new");
        List<String> options = page.getByLabel("API Only User").locator("option").allTextContents();
        assertThat(options).contains(active).doesNotContain(deactivated, human);
    }

    @Test
    void deleteServiceAsksForConfirmationFirst() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String name = admin.get("/services/" + s.id()).json().path("name").asString();
        Page page = page();
        pages.open(page, "/admin/launchpoint/" + s.id(), "View Details: " + name, null);
        link(page, "Delete").click();
        pages.check(page, "Delete service “" + name + "”?", "launchpoint-delete");
        link(page, "Cancel").click();
        assertThat(admin.get("/services/" + s.id()).status()).isEqualTo(200);
        link(page, "Delete").click();
        button(page, "Delete service").click();
        expectFlash(page, "Service “" + name + "” deleted.");
        assertThat(admin.get("/services/" + s.id()).status()).isEqualTo(404);
        assertThat(admin.identity(s.clientId(), s.clientSecret()).status()).isEqualTo(401);
    }

    // ----- Web Services ------------------------------------------------------------------------

    @Test
    void webServicesShowsEndpointsWithBaseUrlEndingInSlash() {
        Page page = page();
        pages.open(page, "/admin/web-services", "Web Services", "web-services");
        String base = server.api().base();
        PlaywrightAssertions.assertThat(page.locator("#rest-endpoint")).hasValue(base + "/rest");
        PlaywrightAssertions.assertThat(page.locator("#identity-endpoint")).hasValue(base + "/identity");
        PlaywrightAssertions.assertThat(page.locator("#base-url")).hasValue(base + "/");
        context.grantPermissions(List.of("clipboard-read", "clipboard-write"));
        page.locator("button[data-copy=base-url]").click();
        PlaywrightAssertions.assertThat(page.locator("button[data-copy=base-url]")).containsText("Copied");
        assertThat(page.evaluate("() => navigator.clipboard.readText()")).isEqualTo(base + "/");
    }

    @Test
    void allowlistSetInConsoleRefusesCallsAndDryRunPreviewsAnAddress() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        Page page = page();
        try {
            pages.open(page, "/admin/web-services", "Web Services", null);
            page.getByLabel("Enforce IP restrictions").check();
            page.getByLabel("Allowed addresses").fill("203.0.113.0/24");
            button(page, "Save IP Restrictions").click();
            expectFlash(page, "IP restrictions saved and enforced.");
            assertThat(server.api().get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("603");

            page.getByLabel("Client address").fill("127.0.0.1");
            button(page, "Check address").click();
            PlaywrightAssertions.assertThat(page.locator("#ip-verdict")).containsText("127.0.0.1 would be refused");
            page.getByLabel("Client address").fill("203.0.113.9");
            button(page, "Check address").click();
            PlaywrightAssertions.assertThat(page.locator("#ip-verdict")).containsText("would be allowed: it matches 203.0.113.0/24");
            pages.check(page, "Web Services", "web-services-dry-run");

            page.getByLabel("Allowed addresses").fill("203.0.113.0/24\n10.0.0.0/99");
            button(page, "Save IP Restrictions").click();
            PlaywrightAssertions.assertThat(page.locator("#entries-error")).containsText("10.0.0.0/99");
            PlaywrightAssertions.assertThat(page.getByLabel("Allowed addresses")).hasAttribute("aria-invalid", "true");
            assertThat(admin.get("/instance").json().path("ipAllowlist").path("entries").toString()).doesNotContain("10.0.0.0/99");

            page.getByLabel("Allowed addresses").fill("203.0.113.0/24\n127.0.0.1");
            button(page, "Save IP Restrictions").click();
            expectFlash(page, "IP restrictions saved");
            assertThat(server.api().get("/rest/v1/leads/describe.json", token).success()).isTrue();
        } finally {
            admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", false, "entries", List.of())));
        }
    }

    @Test
    void limitSettingsSaveAndRefuseBadValuesInline() {
        Page page = page();
        try {
            pages.open(page, "/admin/web-services", "Web Services", null);
            page.getByLabel("Calls per window").fill("0");
            button(page, "Save Limits").click();
            PlaywrightAssertions.assertThat(page.locator("#rateCalls-error")).containsText("must be an integer from 1");
            page.getByLabel("Calls per window").fill("50");
            button(page, "Save Limits").click();
            expectFlash(page, "Limits saved");
            assertThat(admin.get("/instance").json().path("limits").path("rateCalls").asInt()).isEqualTo(50);
        } finally {
            admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 100)));
        }
    }

    @Test
    void usageAppearsAsChartsAndTablesAfterCalls() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        for (int i = 0; i < 3; i++) {
            assertThat(server.api().get("/rest/v1/leads/describe.json", token).success()).isTrue();
        }
        assertThat(server.api().post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", "u@example.com"))))
                .errorCode()).isEqualTo("603");
        Page page = page();
        pages.open(page, "/admin/usage", "API Usage", null);
        Locator row = page.locator("#calls-table tr", new Page.LocatorOptions().setHasText(s.userEmail()));
        for (int i = 0; i < 50 && row.count() == 0; i++) {
            page.waitForTimeout(100); // a call is recorded just after its answer
            page.reload();
        }
        PlaywrightAssertions.assertThat(row.locator("td").last()).hasText("4");
        PlaywrightAssertions.assertThat(page.locator("#errors-table")).containsText("603 Access denied");
        PlaywrightAssertions.assertThat(page.locator("svg[role=img]")).hasCount(2);
        PlaywrightAssertions.assertThat(page.locator("svg[role=img] rect").first()).isVisible();
        pages.check(page, "API Usage", "usage");
    }

    // ----- least privilege, workspaces, validation ------------------------------------------------

    @Test
    void leastPrivilegeReportShowsUnusedAndDeniedPermissions() {
        AdminClient.Service s = admin.serviceWith("Read-Write Lead", "Read-Only Company");
        String token = admin.token(s);
        assertThat(server.api().get("/rest/v1/leads/describe.json", token).success()).isTrue();
        assertThat(server.api().get("/userservice/management/v1/users/allusers.json", token).status()).isEqualTo(403);
        Page page = page();
        pages.open(page, "/admin/users/" + s.userId(), "Edit user " + s.userEmail(), "user-edit");
        link(page, "Least-privilege report").click();
        Locator findings = page.locator("ul.findings");
        for (int i = 0; i < 50 && !findings.textContent().contains("Access User Management Api"); i++) {
            page.waitForTimeout(100);
            page.reload();
        }
        pages.check(page, "Least privilege: " + s.userEmail(), "least-privilege");
        PlaywrightAssertions.assertThat(findings).containsText("Granted but not used: Read-Only Company");
        PlaywrightAssertions.assertThat(findings).containsText("Read-Write Lead: only Read-Only Lead was needed");
        PlaywrightAssertions.assertThat(findings).containsText("Asked for but not granted: Access User Management Api");
    }

    @Test
    void workspacesAreCreatedMappedToPartitionsAndGivenAPrimary() {
        String partition = AdminClient.unique("EMEA");
        String workspace = AdminClient.unique("Europe");
        Page page = page();
        pages.open(page, "/admin/workspaces", "Workspaces & Partitions", "workspaces");
        page.getByLabel("Partition name").fill(partition);
        button(page, "Create Partition").click();
        expectFlash(page, "Partition “" + partition + "” created.");

        page.getByLabel("Workspace name").fill(workspace);
        page.locator("#partitions").getByLabel("Default", new Locator.GetByLabelOptions().setExact(true)).check();
        page.locator("#partitions").getByLabel(partition, new Locator.GetByLabelOptions().setExact(true)).check();
        page.getByLabel("Primary partition").selectOption(partition);
        button(page, "Create Workspace").click();
        expectFlash(page, "Workspace “" + workspace + "” created.");
        JsonNode ws = workspace(workspace);
        assertThat(ws.path("primaryPartition").asString()).isEqualTo(partition);
        assertThat(ws.path("partitions").toString()).contains("Default", partition);

        link(page, workspace).click();
        pages.check(page, "Edit workspace “" + workspace + "”", "workspace-edit");
        page.getByLabel("Primary partition").selectOption("Default");
        button(page, "Save").click();
        expectFlash(page, "saved");
        assertThat(workspace(workspace).path("primaryPartition").asString()).isEqualTo("Default");
    }

    @Test
    void invalidInputIsExplainedBesideTheField() {
        Page page = page();
        pages.open(page, "/admin/roles/new", "New Role", null);
        button(page, "Create").click();
        PlaywrightAssertions.assertThat(page.locator("#name-error")).hasText("role name must not be blank");
        PlaywrightAssertions.assertThat(page.getByLabel("Role name")).hasAttribute("aria-invalid", "true");
        PlaywrightAssertions.assertThat(page.locator("#error-summary")).isFocused();
        pages.check(page, "New Role", "role-invalid");

        pages.open(page, "/admin/users/new", "Invite New User", null);
        page.getByLabel("E-mail").fill("not-an-address");
        button(page, "Send").click();
        PlaywrightAssertions.assertThat(page.locator("#email-error")).containsText("is not an e-mail address");
        PlaywrightAssertions.assertThat(page.getByLabel("E-mail")).hasValue("not-an-address");
        page.getByLabel("E-mail").fill(AdminClient.unique("norole") + "@example.com");
        button(page, "Send").click();
        PlaywrightAssertions.assertThat(page.locator("#roles-error")).containsText("at least one role");

        pages.open(page, "/admin/launchpoint/new", "New Service", null);
        page.getByLabel("Display Name").fill(AdminClient.unique("Ownerless"));
        button(page, "Create").click();
        PlaywrightAssertions.assertThat(page.locator("#user-error")).containsText("needs an API-only user");
    }

    @Test
    void userIsDeactivatedAndGivenAnExpiryFromItsPage() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        String token = admin.token(s);
        Page page = page();
        pages.open(page, "/admin/users/" + s.userId(), "Edit user " + s.userEmail(), null);
        button(page, "Deactivate").click();
        expectFlash(page, "deactivated");
        assertThat(server.api().get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("601");
        button(page, "Activate").click();
        expectFlash(page, "activated");

        page.getByLabel("Access expires (UTC)").fill("2031-06-30T12:00");
        button(page, "Save").click();
        expectFlash(page, "saved");
        assertThat(admin.get("/users/" + s.userId()).json().path("expiresAt").asString()).startsWith("2031-06-30T12:00");
    }

    // ----- the permission tree, keyboard, every page --------------------------------------------

    @Test
    void permissionTreeParentSelectsAllAndReadWriteShowsReadOnlyIncluded() {
        Page page = page();
        pages.open(page, "/admin/roles/new", "New Role", null);
        Locator children = page.locator("[data-tree-children] input[type=checkbox]");
        int count = children.count();
        assertThat(count).isGreaterThan(20);
        page.getByLabel("Access API", new Page.GetByLabelOptions().setExact(true)).check();
        for (int i = 0; i < count; i++) {
            PlaywrightAssertions.assertThat(children.nth(i)).isChecked();
        }
        page.getByLabel("Read-Write Company", new Page.GetByLabelOptions().setExact(true)).uncheck();
        PlaywrightAssertions.assertThat(page.getByLabel("Access API", new Page.GetByLabelOptions().setExact(true))).not().isChecked();
        Locator readOnlyCompany = page.getByLabel("Read-Only Company", new Page.GetByLabelOptions().setExact(true));
        PlaywrightAssertions.assertThat(readOnlyCompany).isEnabled();
        PlaywrightAssertions.assertThat(readOnlyCompany).not().isChecked();

        String role = AdminClient.unique("Almost Everything");
        page.getByLabel("Role name").fill(role);
        button(page, "Create").click();
        expectFlash(page, "created");
        List<String> saved = permissionsOf(role);
        assertThat(saved).contains("Read-Write Lead", "Approve Assets").doesNotContain("Access API", "Read-Write Company", "Read-Only Company");

        // a saved Read-Write permission shows its Read-Only part as included
        link(page, role).click();
        Locator readOnlyLead = page.getByLabel("Read-Only Lead", new Page.GetByLabelOptions().setExact(true));
        PlaywrightAssertions.assertThat(readOnlyLead).isChecked();
        PlaywrightAssertions.assertThat(readOnlyLead).isDisabled();
        pages.check(page, "Edit role “" + role + "”", "role-edit");
    }

    @Test
    void signInAndCreateARoleWithTheKeyboardOnly() {
        BrowserContext fresh = PageChecks.newContext(chromium, server.api().base());
        try {
            Page page = pages.watch(fresh.newPage());
            pages.open(page, "/admin/login", "Sign in", "login");
            PlaywrightAssertions.assertThat(page.getByLabel("Admin credential")).isFocused();
            page.keyboard().type(TestServer.ADMIN_TOKEN);
            page.keyboard().press("Enter");
            page.waitForURL(Pattern.compile(".*/admin/users.*"));
            pages.check(page, "Users & Roles", null);

            page.navigate(server.api().base() + "/admin/roles");
            List<String> order = pages.tabOrder(page, 30);
            assertThat(order.getFirst()).isEqualTo("Skip to main content");
            assertThat(order).contains("Users & Roles", "LaunchPoint", "Web Services", "Sign out", "New Role");
            assertThat(order.indexOf("New Role")).isGreaterThan(order.indexOf("Web Services"));

            pages.focus(page, "New Role", 40);
            page.keyboard().press("Enter");
            page.waitForURL(Pattern.compile(".*/admin/roles/new"));
            pages.focus(page, "Role name", 40);
            String role = AdminClient.unique("Keyboard Role");
            page.keyboard().type(role);
            pages.focus(page, "Read-Only Lead", 60);
            page.keyboard().press("Space");
            pages.focus(page, "Create", 80);
            page.keyboard().press("Enter");
            expectFlash(page, "Role “" + role + "” created.");
            assertThat(permissionsOf(role)).containsExactly("Read-Only Lead");

            page.navigate(server.api().base() + "/admin/web-services");
            assertThat(pages.tabOrder(page, 60)).contains("Save IP Restrictions", "Check address", "Save Limits");
        } finally {
            fresh.close();
        }
    }

    @Test
    void everyPageRendersWithHeadingLabelsAndContrast() {
        AdminClient.Service s = admin.serviceWith("Read-Only Lead");
        long roleId = admin.get("/roles").json().get(0).path("id").asLong();
        long workspaceId = admin.get("/workspaces").json().get(0).path("id").asLong();
        Page page = page();
        pages.open(page, "/admin/users", "Users & Roles", "users");
        pages.open(page, "/admin/users/new", "Invite New User", "user-new");
        pages.open(page, "/admin/users/" + s.userId(), "Edit user " + s.userEmail(), "user-edit");
        pages.open(page, "/admin/users/" + s.userId() + "/delete", "Delete user " + s.userEmail() + "?", "user-delete");
        pages.open(page, "/admin/users/" + s.userId() + "/least-privilege", "Least privilege: " + s.userEmail(), "least-privilege");
        pages.open(page, "/admin/roles", "Users & Roles", "roles");
        pages.open(page, "/admin/roles/new", "New Role", "role-new");
        pages.open(page, "/admin/roles/" + roleId, null, "role-edit");
        pages.open(page, "/admin/workspaces", "Workspaces & Partitions", "workspaces");
        pages.open(page, "/admin/workspaces/" + workspaceId, "Edit workspace “Default”", "workspace-edit");
        pages.open(page, "/admin/launchpoint", "LaunchPoint", "launchpoint");
        pages.open(page, "/admin/launchpoint/new", "New Service", "launchpoint-new");
        pages.open(page, "/admin/launchpoint/" + s.id(), null, "launchpoint-details");
        pages.open(page, "/admin/web-services", "Web Services", "web-services");
        pages.open(page, "/admin/usage", "API Usage", "usage");
        assertThat(pages.screenshots()).hasSizeGreaterThanOrEqualTo(15);
    }

    // ----- admin API look-ups ---------------------------------------------------------------------

    private List<String> permissionsOf(String role) {
        for (JsonNode r : admin.get("/roles").json()) {
            if (r.path("name").asString().equals(role)) {
                List<String> out = new ArrayList<>();
                r.path("permissions").forEach(p -> out.add(p.asString()));
                return out;
            }
        }
        throw new AssertionError("no role " + role);
    }

    private JsonNode serviceDetails(String name) {
        for (JsonNode sv : admin.get("/services").json()) {
            if (sv.path("name").asString().equals(name)) {
                return admin.get("/services/" + sv.path("id").asLong() + "/details").json();
            }
        }
        throw new AssertionError("no service " + name);
    }

    private JsonNode workspace(String name) {
        for (JsonNode w : admin.get("/workspaces").json()) {
            if (w.path("name").asString().equals(name)) {
                return w;
            }
        }
        throw new AssertionError("no workspace " + name);
    }
}
