package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * mkto stopped with Ctrl-C (SIGINT to a separate JVM). {@code leads export -o FILE}: no
 * {@code FILE.part} is left behind, and a bulk export job that had not completed is cancelled
 * rather than left holding one of the instance's export slots. {@code leads import}: it says how
 * far the import got and to go on with {@code --resume}. Marketo is a stand-in here: lead reads
 * never answer, a bulk job stays "Processing" until it is cancelled, and the second sync of an
 * import never answers.
 */
class StoppedTest {

    private HttpServer marketo;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch leadRead = new CountDownLatch(1);
    private final CountDownLatch jobPolled = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch secondSync = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger syncs = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        marketo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        marketo.setExecutor(Executors.newCachedThreadPool());
        marketo.createContext("/identity/oauth/token", ex -> answer(ex,
                "{\"access_token\":\"stand-in-token\",\"token_type\":\"bearer\",\"expires_in\":3599,\"scope\":\"api@example.com\"}"));
        marketo.createContext("/rest/v1/leads/describe.json", ex -> answer(ex, "{\"requestId\":\"1#3\",\"success\":true,\"result\":["
                + "{\"id\":1,\"displayName\":\"Email Address\",\"dataType\":\"email\",\"rest\":{\"name\":\"email\",\"readOnly\":false}},"
                + "{\"id\":2,\"displayName\":\"First Name\",\"dataType\":\"string\",\"rest\":{\"name\":\"firstName\",\"readOnly\":false}}]}"));
        marketo.createContext("/rest/v1/leads.json", ex -> {
            calls.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            if (ex.getRequestMethod().equals("POST") && ex.getRequestURI().getQuery() == null && syncs.incrementAndGet() != 2) {
                answer(ex, "{\"requestId\":\"1#4\",\"success\":true,\"result\":[{\"id\":1,\"status\":\"created\"},"
                        + "{\"id\":2,\"status\":\"created\"}]}");
                return;
            }
            if (ex.getRequestMethod().equals("POST") && ex.getRequestURI().getQuery() == null) {
                secondSync.countDown();
            }
            leadRead.countDown();
            try {
                released.await(1, TimeUnit.MINUTES); // never answers while the test runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        bulkJobs(path -> {
            if (path.endsWith("/status.json")) {
                jobPolled.countDown();
            }
            return job("job-7", path.endsWith("/create.json") ? "Created" : path.endsWith("/enqueue.json") ? "Queued"
                    : path.endsWith("/cancel.json") ? "Cancelled" : "Processing", "");
        });
        marketo.start();
    }

    @AfterEach
    void stop() {
        released.countDown();
        marketo.stop(0);
    }

    private static void answer(HttpExchange ex, String json) throws IOException {
        ex.getRequestBody().readAllBytes();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private Cli cli() {
        Cli cli = Cli.fresh().stdin("stand-in-secret");
        Cli.Result added = cli.run("auth", "add", "stand-in", "--endpoint", "http://127.0.0.1:" + marketo.getAddress().getPort() + "/rest",
                "--client-id", "stand-in-client", "--secret-stdin", "--limits", "unlimited");
        assertThat(added.code()).as("%s", added).isZero();
        return cli;
    }

    /** Runs mkto with {@code args} in a JVM of its own; SIGINT once {@code reached} counts down; answers its exit code. */
    private static int runThenInterrupt(Cli cli, Path log, CountDownLatch reached, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), "dev.mkto.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(cli.env());
        Process p = pb.start();
        try {
            assertThat(reached.await(1, TimeUnit.MINUTES)).as("mkto reached the stand-in:\n%s", Files.readString(log)).isTrue();
            Thread.sleep(200);
            assertThat(p.isAlive()).as("still exporting:\n%s", Files.readString(log)).isTrue();
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("mkto stopped after Ctrl-C:\n%s", Files.readString(log)).isTrue();
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code leads export -o FILE} with {@code options}, stopped with Ctrl-C once {@code reached}: exit 130, nothing left but the log. */
    private void exportStoppedLeavesNothing(CountDownLatch reached, String... options) throws Exception {
        Path dir = Files.createTempDirectory("mkto-export-stopped");
        List<String> args = new java.util.ArrayList<>(List.of("leads", "export", "-o", dir.resolve("leads.csv").toString(), "--no-progress"));
        args.addAll(List.of(options));

        int code = runThenInterrupt(cli(), dir.resolve("run.log"), reached, args.toArray(String[]::new));

        assertThat(code).isEqualTo(130); // 128 + SIGINT, as for any program stopped with Ctrl-C
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("run.log");
        }
    }

    @Test
    void exportToFileWhenStoppedWithCtrlCThenLeavesNoPartialFile() throws Exception {
        exportStoppedLeavesNothing(leadRead);

        assertThat(calls).anyMatch(c -> c.endsWith("/rest/v1/leads.json"));
    }

    @Test
    void bulkExportWhenStoppedWithCtrlCThenCancelsItsJobAndLeavesNoPartialFile() throws Exception {
        exportStoppedLeavesNothing(jobPolled, "--created-since", "2026-11-01", "--created-until", "2026-11-15", "--poll-seconds", "1");

        assertThat(calls).contains("POST /bulk/v1/leads/export/create.json", "POST /bulk/v1/leads/export/job-7/enqueue.json",
                "POST /bulk/v1/leads/export/job-7/cancel.json");
        assertThat(calls).endsWith("POST /bulk/v1/leads/export/job-7/cancel.json");
    }

    @Test
    void importWhenStoppedWithCtrlCThenSaysHowFarItGotAndToResume() throws Exception {
        Cli cli = cli();
        Path dir = Files.createTempDirectory("mkto-import-stopped");
        Path csv = Files.writeString(dir.resolve("people.csv"), "email,firstName\r\na@example.com,A\r\nb@example.com,B\r\n"
                + "c@example.com,C\r\nd@example.com,D\r\n");
        Path log = dir.resolve("run.log");

        int code = runThenInterrupt(cli, log, secondSync, "leads", "import", csv.toString(), "--batch-size", "2", "--parallel", "1",
                "--no-progress");

        assertThat(code).isEqualTo(130);
        assertThat(Files.readString(log)).contains("mkto: stopped; people.csv is imported up to row 3 (its checkpoint says so):"
                + " run the same command with --resume to go on");
        assertThat(dir.resolve("people.csv.mkto-import")).exists();
    }

    @Test
    void importWhenItsRejectsFileWentMissingBeforeResumeThenSaysTheEarlierRejectsAreNoLongerListed() throws Exception {
        Cli cli = cli();
        Path dir = Files.createTempDirectory("mkto-import-rejects");
        Path csv = Files.writeString(dir.resolve("people.csv"), "email,firstName\r\na@example.com,A\r\n,No Email\r\nb@example.com,B\r\n"
                + "c@example.com,C\r\nd@example.com,D\r\n");
        int code = runThenInterrupt(cli, dir.resolve("run.log"), secondSync, "leads", "import", csv.toString(), "--batch-size", "2",
                "--parallel", "1", "--no-progress");
        assertThat(code).isEqualTo(130);
        assertThat(Files.readString(dir.resolve("run.log"))).contains("imported up to row 4");
        Files.delete(dir.resolve("people.rejects.csv"));

        Cli.Result resumed = cli.run("leads", "import", csv.toString(), "--batch-size", "2", "--parallel", "1", "--resume", "--no-progress");

        assertThat(resumed.code()).as("%s", resumed).isEqualTo(ExitCode.REJECTED);
        assertThat(resumed.err()).contains("The rejects file " + dir.resolve("people.rejects.csv") + " is missing or shorter than the last"
                + " run left it: the 1 rows rejected before are no longer listed in it");
        assertThat(dir.resolve("people.csv.mkto-import")).doesNotExist();
    }

    /** The bulk export endpoints of the stand-in answer {@code reply.apply(path)}, each call recorded. */
    private void bulkJobs(java.util.function.Function<String, String> reply) {
        try {
            marketo.removeContext("/bulk/v1/leads/export/");
        } catch (IllegalArgumentException none) {
            // the first time: nothing to replace
        }
        marketo.createContext("/bulk/v1/leads/export/", ex -> {
            String path = ex.getRequestURI().getPath();
            calls.add(ex.getRequestMethod() + " " + path);
            answer(ex, reply.apply(path));
        });
    }

    private static String job(String id, String status, String errorMsg) {
        return "{\"requestId\":\"1#1\",\"success\":true,\"result\":[{\"exportId\":\"" + id + "\",\"format\":\"CSV\",\"status\":\""
                + status + "\",\"errorMsg\":\"" + errorMsg + "\",\"createdAt\":\"2026-12-01T00:00:00Z\"}]}";
    }

    /** A bulk export of the first half of November to {@code dir}/leads.csv, run in this JVM; {@code dir} must stay empty. */
    private Cli.Result bulkExportLeavingNothingIn(Path dir) throws IOException {
        Cli.Result r = cli().run("leads", "export", "-o", dir.resolve("leads.csv").toString(), "--created-since", "2026-11-01",
                "--created-until", "2026-11-15", "--poll-seconds", "1", "--no-progress");
        try (var left = Files.list(dir)) {
            assertThat(left).as("%s", r).isEmpty();
        }
        return r;
    }

    @Test
    void bulkExportWhenTheJobFailsThenDoesNotCancelItAndWritesNothing() throws Exception {
        bulkJobs(path -> job("job-8", path.endsWith("/create.json") ? "Created" : path.endsWith("/enqueue.json") ? "Queued" : "Failed",
                "the stand-in failed it"));

        Cli.Result r = bulkExportLeavingNothingIn(Files.createTempDirectory("mkto-export-failed"));

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("bulk export job job-8 failed: the stand-in failed it");
        assertThat(calls).noneMatch(c -> c.endsWith("/cancel.json"));
    }

    @Test
    void bulkExportWhenPollingIsRefusedThenCancelsTheJobAndWritesNothing() throws Exception {
        bulkJobs(path -> path.endsWith("/status.json")
                ? "{\"requestId\":\"1#2\",\"success\":false,\"errors\":[{\"code\":\"603\",\"message\":\"Access denied\"}]}"
                : job("job-9", path.endsWith("/create.json") ? "Created" : path.endsWith("/enqueue.json") ? "Queued" : "Cancelled", ""));

        Cli.Result r = bulkExportLeavingNothingIn(Files.createTempDirectory("mkto-export-refused"));

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("603");
        assertThat(calls).endsWith("GET /bulk/v1/leads/export/job-9/status.json", "POST /bulk/v1/leads/export/job-9/cancel.json");
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp.replace(":", File.pathSeparator);
    }
}
