package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file mkto is told to write that cannot be written — no such directory, a directory, a place no
 * file can be created in — is a usage error (exit 1) naming the file, why, and the option to change,
 * found before anything is asked of Marketo; never "a bug in mkto" with a stack trace. The
 * authentication points at a port nothing listens on: reaching it would be exit 3.
 */
class OutputFilesTest {

    private static Cli cli() {
        Cli cli = Cli.fresh().stdin("never-used-secret");
        Cli.Result added = cli.run("auth", "add", "nowhere", "--endpoint", "http://127.0.0.1:9/rest", "--client-id", "some-client",
                "--secret-stdin", "--limits", "unlimited");
        assertThat(added.code()).as("%s", added).isZero();
        return cli;
    }

    @Test
    void exportWhenTheOutputCannotBeWrittenThenUsageErrorNamingItAndNothingAsked() throws Exception {
        Cli cli = cli();
        Path dir = Files.createTempDirectory("mkto-output");
        Path aFile = Files.writeString(dir.resolve("plain.txt"), "x");
        List<List<String>> cases = List.of(
                List.of(dir.resolve("missing/all.csv").toString(), "there is no directory"),
                List.of(aFile.resolve("all.csv").toString(), "there is no directory"),
                List.of(dir.toString(), "it is a directory"),
                List.of("/proc/mkto-export.csv", "no file can be created in /proc"));
        for (List<String> c : cases) {
            Cli.Result r = cli.run("leads", "export", "-o", c.get(0), "--force", "--no-progress");
            assertThat(r.code()).as("%s: %s", c.get(0), r).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(c.get(0)).contains(c.get(0)).contains(c.get(1)).contains("-o FILE").doesNotContain("    at ")
                    .doesNotContain("a bug in mkto");
        }
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("plain.txt");
        }
    }

    @Test
    void exportOrGetWhenAnOptionHoldsNothingSensibleThenUsageErrorNamingIt() {
        Cli cli = cli();
        List<List<String>> cases = List.of(
                List.of("--ids 5-1", "leads", "export", "--ids", "5-1"),
                List.of("--ids 0-10", "leads", "export", "--ids", "0-10"),
                List.of("--max-gap must be 1 or more", "leads", "export", "--max-gap", "-1"),
                List.of("--poll-seconds must be 1 or more", "leads", "export", "--created-since", "2026-11-01", "--poll-seconds", "-3"),
                List.of("--fields names an empty field", "leads", "export", "--fields", ",,email"),
                List.of("is not before --created-until", "leads", "export", "--created-since", "2026-12-01", "--created-until", "2026-11-01"),
                List.of("a lead id is 1 or more, got -1", "leads", "get", "--", "-1"));
        for (List<String> c : cases) {
            Cli.Result r = cli.run(c.subList(1, c.size()).toArray(String[]::new));
            assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as("%s", c).contains(c.get(0)).doesNotContain("    at ");
        }
        Cli.Result dir = cli.run("leads", "import", System.getProperty("java.io.tmpdir"));
        assertThat(dir.code()).isEqualTo(ExitCode.USAGE);
        assertThat(dir.err()).contains("is a directory; give the CSV file to import");
    }

    @Test
    void optionsOrConfigurationThatNameNothingUsableThenUsageErrorSayingHowToFixIt() throws Exception {
        Cli cli = cli();
        Cli.Result stdin = cli.run("leads", "import", "-");
        assertThat(stdin.code()).as("%s", stdin).isEqualTo(ExitCode.USAGE);
        assertThat(stdin.err()).contains("an import reads a file, not standard input");

        Cli.Result noField = cli.run("leads", "sync", "--set", "=x");
        assertThat(noField.code()).as("%s", noField).isEqualTo(ExitCode.USAGE);
        assertThat(noField.err()).contains("--set needs FIELD=VALUE with a field name");

        Cli.Result ftp = cli.env("MKTO_ADMIN_TOKEN", "some-admin-token-0123").run("admin", "roles", "list", "--server", "ftp://example.com");
        assertThat(ftp.code()).as("%s", ftp).isEqualTo(ExitCode.USAGE);
        assertThat(ftp.err()).contains("is not an http:// or https:// URL");

        Files.writeString(cli.home().resolve("config"), "garbage");
        Cli.Result listed = cli.run("auth", "list");
        assertThat(listed.code()).as("%s", listed).isEqualTo(ExitCode.USAGE);
        assertThat(listed.err()).contains("is not mkto's configuration").contains("mkto auth use NAME");
        assertThat(cli.run("auth", "use", "nowhere").code()).isZero();
        assertThat(cli.run("auth", "list").code()).isZero();
    }

    @Test
    void importWhenACheckpointIsLeftAndNeitherResumeNorRestartThenRefusedBeforeMarketoIsAsked() throws Exception {
        Cli cli = cli();
        Path dir = Files.createTempDirectory("mkto-checkpoint");
        Path csv = Files.writeString(dir.resolve("leads.csv"), "email\r\na@example.com\r\nb@example.com\r\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("leads.csv.mkto-import"), "{\"version\":1,\"input\":\"" + csv + "\",\"offset\":22,\"row\":2,"
                + "\"prefixSha256\":\"\",\"options\":\"\",\"batches\":1,\"sent\":1,\"created\":1,\"updated\":0,\"rejected\":0,"
                + "\"rejects\":\"\",\"rejectsLength\":0}");

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--no-progress");

        assertThat(r.code()).as("the endpoint does not answer: asking it would be exit 3; %s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("was partly imported (up to row 2").contains("--resume").contains("--restart");
    }

    @Test
    void importWhenTheRejectsFileCannotBeWrittenThenUsageErrorBeforeAnythingIsSent() throws Exception {
        Cli cli = cli();
        Path dir = Files.createTempDirectory("mkto-rejects");
        Path csv = Files.writeString(dir.resolve("leads.csv"), "email\r\na@example.com\r\n", StandardCharsets.UTF_8);
        for (String rejects : List.of("/proc/mkto-rejects.csv", dir.toString(), csv.toString())) {
            Cli.Result r = cli.run("leads", "import", csv.toString(), "--rejects", rejects, "--no-progress");
            assertThat(r.code()).as("%s: %s", rejects, r).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(rejects).contains(rejects).contains("--rejects FILE").contains("nothing was").doesNotContain("    at ");
        }
    }
}
