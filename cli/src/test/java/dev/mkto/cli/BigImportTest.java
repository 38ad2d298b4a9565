package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.io.BufferedWriter;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A 100,000-row CSV with bad rows, imported by an mkto process that is killed midway (SIGKILL,
 * no chance to clean up), then resumed: afterwards every good row is on the server exactly once,
 * and every bad row is in the rejects file exactly once with its reason.
 */
class BigImportTest {

    private static final int ROWS = 100_000;

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
        server.admin().instance(Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1_000, "dailyQuota", 100_000_000)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Why row {@code i} (1-based data row) is bad, or empty for a good row. */
    private static Optional<String> bad(int i) {
        if (i % 2003 == 0) {
            return Optional.of("the row has 6 fields");
        }
        if (i % 1013 == 0) {
            return Optional.of("no value for the lookup field 'email'");
        }
        if (i % 997 == 0) {
            return Optional.of("1001 Invalid value 'not-an-email-");
        }
        if (i % 1009 == 0) {
            return Optional.of("1001 Invalid value 'lots'");
        }
        return Optional.empty();
    }

    private static Path csv(Path dir) throws Exception {
        Path file = dir.resolve("leads.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("email,First Name,lastName,company,numberOfEmployees\r\n");
            for (int i = 1; i <= ROWS; i++) {
                String email = i % 1013 == 0 ? "" : i % 997 == 0 ? "not-an-email-" + i : "lead" + i + "@example.com";
                String employees = i % 1009 == 0 ? "lots" : String.valueOf(i % 500);
                String company = i % 7 == 0 ? "\"Smith, Jones & Co\"" : "Company " + (i % 100);
                w.write(email + ",Ada" + i + ",\"Love\"\"lace\"," + company + "," + employees + (i % 2003 == 0 ? ",extra" : "") + "\r\n");
            }
        }
        return file;
    }

    @Test
    void importWhenKilledMidwayAndResumedThenEveryGoodRowExactlyOnceAndEveryBadRowRejectedOnce() throws Exception {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        Cli cli = Cli.fresh().stdin(s.clientSecret());
        assertThat(cli.run("auth", "add", "big", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin",
                "--limits", "unlimited").code()).isZero();
        Path dir = Files.createTempDirectory("mkto-import");
        Path file = csv(dir);
        Path checkpoint = dir.resolve("leads.csv.mkto-import");

        // first run: a separate JVM, killed once a good part is committed
        Path log = dir.resolve("first-run.log");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", classPath(), "dev.mkto.cli.Main", "leads", "import", file.toString(), "--parallel", "4"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(cli.env());
        long t0 = System.nanoTime();
        Process first = pb.start();
        long committed = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (committed < 30_000 && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            committed = committedRow(checkpoint);
        }
        assertThat(first.isAlive()).as("still importing when killed:\n%s", Files.readString(log)).isTrue();
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long atKill = committedRow(checkpoint);
        System.out.printf("first run: %d rows committed in %d ms%n", atKill, (System.nanoTime() - t0) / 1_000_000);
        assertThat(atKill).isBetween(30_000L, (long) ROWS);
        assertThat(Files.readString(log)).contains("rows/s").contains("ETA");

        // without --resume the import refuses to start over silently
        Cli.Result again = cli.run("leads", "import", file.toString());
        assertThat(again.code()).isEqualTo(ExitCode.USAGE);
        assertThat(again.err()).contains("--resume").contains("--restart");

        long t1 = System.nanoTime();
        Cli.Result resumed = cli.run("leads", "import", file.toString(), "--resume", "--parallel", "4", "--json");
        System.out.printf("resumed run: %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        assertThat(resumed.code()).as("%s", resumed).isEqualTo(ExitCode.REJECTED);
        JsonNode summary = resumed.json();
        assertThat(summary.path("resumedAfterRow").asLong()).isEqualTo(atKill);
        assertThat(summary.path("rows").asLong()).isEqualTo(ROWS);
        assertThat(Files.exists(checkpoint)).as("the checkpoint goes once the import is complete").isFalse();

        // the server holds every good row once, and nothing else
        Path out = dir.resolve("export.csv");
        Cli.Result exported = cli.run("leads", "export", "-o", out.toString(), "--fields", "id,email,firstName,lastName,company");
        assertThat(exported.code()).as("%s", exported).isZero();
        System.out.printf("export: %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("id,email,firstName,lastName,company");
        for (String line : lines.subList(1, lines.size())) {
            seen.merge(line.split(",")[1], 1, Integer::sum);
        }
        int good = 0;
        for (int i = 1; i <= ROWS; i++) {
            if (bad(i).isEmpty()) {
                good++;
                assertThat(seen.get("lead" + i + "@example.com")).as("row %d", i + 1).isEqualTo(1);
            }
        }
        assertThat(lines).hasSize(good + 1);
        assertThat(lines).anySatisfy(l -> assertThat(l).endsWith(",Ada7,\"Love\"\"lace\",\"Smith, Jones & Co\""));
        assertThat(summary.path("created").asLong() + summary.path("updated").asLong()).isGreaterThanOrEqualTo(good);

        // every bad row is in the rejects file once, with its reason
        TreeMap<Integer, String> rejects = new TreeMap<>();
        List<String> rejectLines = Files.readAllLines(dir.resolve("leads.rejects.csv"), StandardCharsets.UTF_8);
        assertThat(rejectLines.get(0)).isEqualTo("row,reason,email,First Name,lastName,company,numberOfEmployees");
        for (String l : rejectLines.subList(1, rejectLines.size())) {
            int row = Integer.parseInt(l.substring(0, l.indexOf(',')));
            assertThat(rejects.put(row, l)).as("row %d rejected once", row).isNull();
        }
        int badCount = 0;
        for (int i = 1; i <= ROWS; i++) {
            Optional<String> reason = bad(i);
            if (reason.isPresent()) {
                badCount++;
                assertThat(rejects.get(i + 1)).as("data row %d", i).contains(reason.get());
            }
        }
        assertThat(rejects).hasSize(badCount);
        assertThat(summary.path("rejected").asLong()).isEqualTo(badCount);
    }

    private static long committedRow(Path checkpoint) {
        try {
            JsonNode j = JsonMapper.builder().build().readTree(Files.readString(checkpoint));
            return j.path("row").asLong();
        } catch (Exception e) {
            return 0; // not written yet
        }
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp.replace(":", File.pathSeparator);
    }

}
