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
