package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code mkto auth …} and {@code mkto token} against a real mkto-server over HTTP. */
class AuthCommandsTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Cli withService(String name, ServerAdmin.Service s) {
        Cli cli = Cli.fresh().stdin(s.clientSecret() + "\n");
        Cli.Result r = cli.run("auth", "add", name, "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin");
        assertThat(r.code()).as("%s", r).isZero();
        return cli;
    }

    @Test
    void addWhenSecretOnStdinThenSavedEncryptedOwnerOnlyAndShownMasked() throws Exception {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        Cli cli = withService("prod", s);

        Cli.Result list = cli.run("auth", "list");
        Cli.Result show = cli.run("auth", "show", "prod", "--json");

        assertThat(list.out()).contains("prod").contains(server.restEndpoint()).contains(s.clientId())
                .contains(s.clientSecret().substring(0, 4) + "…" + s.clientSecret().substring(s.clientSecret().length() - 4))
                .doesNotContain(s.clientSecret());
        assertThat(show.json().path("clientSecret").asString()).hasSize(9).doesNotContain(s.clientSecret());
        assertThat(show.json().path("endpoint").asString()).isEqualTo(server.restEndpoint());
        byte[] vault = Files.readAllBytes(cli.home().resolve("vault"));
        assertThat(new String(vault, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(s.clientSecret()).doesNotContain(s.clientId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.home().resolve("vault")))).isEqualTo("rw-------");
    }

    @Test
    void addWhenSecretInANamedEnvironmentVariableOrTypedThenSaved() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        Cli cli = Cli.fresh().env("SVC_SECRET", s.clientSecret());

        Cli.Result fromEnv = cli.run("auth", "add", "a", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-env", "SVC_SECRET");
        Cli.Result typed = cli.answers(s.clientSecret()).run("auth", "add", "b", "--endpoint", server.restEndpoint(), "--client-id", s.clientId());
        Cli.Result nobody = cli.run("auth", "add", "c", "--endpoint", server.restEndpoint(), "--client-id", s.clientId());

        assertThat(fromEnv.code()).as("%s", fromEnv).isZero();
        assertThat(typed.code()).as("%s", typed).isZero();
        assertThat(nobody.code()).isEqualTo(ExitCode.USAGE);
        assertThat(nobody.err()).contains("--secret-stdin").contains("--secret-env");
        assertThat(cli.run("auth", "test", "b").code()).isZero();
    }

    @Test
    void addWhenTheSecretIsGivenAsAnArgumentThenRefusedAndNothingSaved() {
        Cli cli = Cli.fresh();

        Cli.Result r = cli.run("auth", "add", "x", "--endpoint", server.restEndpoint(), "--client-id", "id", "--secret", "s3cr3t-value-123");

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("Unknown option: --secret").contains("--secret-stdin").doesNotContain("s3cr3t-value-123");
        assertThat(Files.exists(cli.home().resolve("vault"))).isFalse();
    }

    @Test
    void addWhenTheSecretItselfIsGivenAsAnOptionValueThenRefusedWithoutRepeatingIt() {
        Cli cli = Cli.fresh();
        String secret = "tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw";

        Cli.Result inline = cli.run("auth", "add", "x", "--endpoint", server.restEndpoint(), "--client-id", "id", "--client-secret=" + secret, "--json");
        Cli.Result asVariableName = cli.run("auth", "add", "x", "--endpoint", server.restEndpoint(), "--client-id", "id", "--secret-env", secret, "--json");

        for (Cli.Result r : List.of(inline, asVariableName)) {
            assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).doesNotContain(secret);
            assertThat(r.out()).doesNotContain(secret);
        }
        assertThat(inline.err()).contains("Unknown option: --client-secret").contains("--secret-stdin");
        assertThat(asVariableName.err()).contains("--secret-env").contains("name of an environment variable");
        assertThat(cli.env("SVC_SECRET", null).run("auth", "add", "x", "--endpoint", server.restEndpoint(), "--client-id", "id",
                "--secret-env", "SVC_SECRET").err()).as("a variable's name is fine to repeat").contains("SVC_SECRET is not set");
        assertThat(Files.exists(cli.home().resolve("vault"))).isFalse();
    }

    @Test
    void addWhenTheEndpointIsPastedWithTyposThenNormalisedWithTheSdksNotes() {
        Cli cli = Cli.fresh().stdin("secret-value-0123456789\n");

        Cli.Result r = cli.run("auth", "add", "m", "--endpoint", " 123-abc-456.mktorest.com/rest/v1/leads.json ", "--client-id", "id", "--secret-stdin",
                "--json");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.json().path("endpoint").asString()).isEqualTo("https://123-ABC-456.mktorest.com/rest");
        assertThat(r.json().path("endpointNotes").size()).isPositive();
    }

    @Test
    void addWhenTheEndpointCannotBeMarketoThenTheSdksExplanationAndExit1() {
        Cli cli = Cli.fresh().stdin("secret-value-0123456789\n");

        Cli.Result r = cli.run("auth", "add", "m", "--endpoint", "https://app-ab12.marketo.com", "--client-id", "id", "--secret-stdin");
        Cli.Result json = cli.stdin("secret-value-0123456789\n").run("auth", "add", "m", "--endpoint", "123-ABC-456.mktorest.co", "--client-id", "id",
                "--secret-stdin", "--json");

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("Not a Marketo endpoint").contains("Nothing was saved");
        assertThat(json.code()).isEqualTo(ExitCode.USAGE);
        assertThat(json.json().path("error").path("message").asString()).contains("Did you mean https://123-ABC-456.mktorest.com/rest");
        assertThat(cli.run("auth", "list", "--json").out().strip()).isEqualTo("[ ]");
    }

    @Test
    void renameUseAndRmThenTheDefaultFollowsAndCommandsUseIt() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        Cli cli = withService("one", s);
        cli.stdin(s.clientSecret()).run("auth", "add", "two", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin");

        Cli.Result ambiguous = cli.run("token");
        assertThat(ambiguous.code()).isEqualTo(ExitCode.USAGE);
        assertThat(ambiguous.err()).contains("mkto auth use NAME");

        assertThat(cli.run("auth", "use", "one").code()).isZero();
        assertThat(cli.run("auth", "rename", "one", "first").code()).isZero();
        JsonNode list = cli.run("auth", "list", "--json").json();
        assertThat(list.get(0).path("name").asString()).isEqualTo("first");
        assertThat(list.get(0).path("default").asBoolean()).isTrue();

        Cli.Result token = cli.run("token", "--json");
        assertThat(token.code()).as("%s", token).isZero();
        assertThat(token.json().path("access_token").asString()).endsWith(":mk");
        assertThat(token.json().path("authentication").asString()).isEqualTo("first");

        assertThat(cli.run("auth", "rm", "first").code()).isZero();
        assertThat(cli.run("auth", "list", "--json").json().size()).isEqualTo(1);
        assertThat(cli.run("token").code()).as("the only one left is used").isZero();
        Cli.Result missing = cli.run("auth", "show", "first");
        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("no authentication named 'first'").contains("two");
    }

    @Test
    void tokenWhenPlainThenOnlyTheTokenOnStdoutForShellUse() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        Cli cli = withService("t", s);

        Cli.Result r = cli.run("token");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).matches("[0-9a-f-]{36}:mk");
        assertThat(r.err()).contains("expires in");
    }

    @Test
    void tokenWhenTheSecretIsWrongThenRefusedWithTheIdentityErrorAndExit2() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Only Lead");
        Cli cli = Cli.fresh().stdin("wrong-secret-0123456789");
        cli.run("auth", "add", "t", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin");

        Cli.Result r = cli.run("token", "--json");

        assertThat(r.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("invalid_client");
        assertThat(r.err()).contains("mkto auth test t").doesNotContain("wrong-secret-0123456789");
    }

    @Test
    void everyCommandWhenAskedForHelpThenPrintsItsUsageAndExits0() {
        Cli cli = Cli.fresh();
        List<List<String>> paths = new ArrayList<>();
        collect(Mkto.commandLine(cli.context()), new ArrayList<>(), paths);

        assertThat(paths).hasSizeGreaterThan(30);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Cli.Result r = cli.run(args.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", path, r).isZero();
            assertThat(r.out()).as("%s", path).contains("Usage: mkto");
            if (!path.isEmpty() && !path.get(path.size() - 1).equals("help")) {
                boolean leaf = Mkto.commandLine(cli.context()).getSubcommands().isEmpty();
                assertThat(leaf || r.out().contains("--json") || r.out().contains("Commands:")).as("%s offers --json", path).isTrue();
            }
        }
    }

    @Test
    void noSubcommandWhenRunThenUsageOnStderrAndExit1() {
        Cli.Result r = Cli.fresh().run();

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("Usage: mkto").contains("Exit codes");
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
        out.add(List.copyOf(prefix));
        cl.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) {
                List<String> p = new ArrayList<>(prefix);
                p.add(name);
                collect(sub, p, out);
            }
        });
    }
}
