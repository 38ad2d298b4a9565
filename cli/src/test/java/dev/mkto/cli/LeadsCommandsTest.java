package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code mkto leads …} and {@code mkto usage} against a real mkto-server over HTTP. */
class LeadsCommandsTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Cli cli(String... permissions) {
        ServerAdmin.Service s = server.admin().serviceWith(permissions);
        Cli cli = Cli.fresh().stdin(s.clientSecret());
        Cli.Result r = cli.run("auth", "add", "t", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin");
        assertThat(r.code()).as("%s", r).isZero();
        return cli;
    }

    private static Path write(String name, String text) throws Exception {
        Path dir = Files.createTempDirectory("mkto-leads");
        Path f = dir.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void syncGetFindAndDeleteThenEachPrintsWhatHappenedToEachRecord() {
        Cli cli = cli("Read-Write Lead");

        Cli.Result synced = cli.run("leads", "sync", "--set", "email=grace@example.com", "--set", "firstName=Grace", "--json");
        assertThat(synced.code()).as("%s", synced).isZero();
        long id = synced.json().get(0).path("id").asLong();
        assertThat(synced.json().get(0).path("status").asString()).isEqualTo("created");

        Cli.Result got = cli.run("leads", "get", String.valueOf(id), "--fields", "email,firstName", "--json");
        assertThat(got.json().path("firstName").asString()).isEqualTo("Grace");

        Cli.Result found = cli.run("leads", "find", "grace@example.com", "nobody@example.com");
        assertThat(found.out()).contains("grace@example.com").contains("Grace");

        Cli.Result deleted = cli.run("leads", "delete", String.valueOf(id), "999999", "--json");
        assertThat(deleted.code()).as("one was not found").isEqualTo(ExitCode.REJECTED);
        assertThat(deleted.json().get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(deleted.json().get(1).path("reasons").get(0).asString()).startsWith("1004");

        Cli.Result gone = cli.run("leads", "get", String.valueOf(id));
        assertThat(gone.code()).isEqualTo(ExitCode.USAGE);
        assertThat(gone.err()).contains("no lead " + id);
    }

    @Test
    void syncWhenTheRoleCannotWriteThen603WithExit2AndAPointerToTheDiagnosis() throws Exception {
        Cli cli = cli("Read-Only Lead");

        Cli.Result r = cli.stdin("[{\"email\": \"x@example.com\"}]").run("leads", "sync", "--file", "-", "--json");

        assertThat(r.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo("603");
        assertThat(r.err()).contains("603 Access denied").contains("mkto auth test").contains("mkto perms explain");
    }

    @Test
    void importWhenHeadersMatchFieldsThenUpsertedWithRejectsAndASecondRunUpdates() throws Exception {
        Cli cli = cli("Read-Write Lead");
        Path csv = write("people.csv", "Email Address,First Name,last_name,Num Employees\n"
                + "ada.imp@example.com,Ada,Lovelace,12\n"
                + "bad-address,Bad,Row,3\n"
                + "\"alan@example.com\",\"Alan, M.\",Turing,lots\n"
                + ",No,Email,1\n"
                + "grace@example.com,Grace,\"Hopper\"\n"
                + "linus.imp@example.com,Linus,Torvalds,\n");

        Cli.Result first = cli.run("leads", "import", csv.toString(), "--json");
        Cli.Result second = cli.run("leads", "import", csv.toString(), "--json", "--no-progress");

        assertThat(first.code()).as("%s", first).isEqualTo(ExitCode.REJECTED);
        assertThat(first.json().path("rows").asLong()).isEqualTo(6);
        assertThat(first.json().path("created").asLong()).isEqualTo(2);
        assertThat(first.json().path("rejected").asLong()).isEqualTo(4);
        assertThat(first.err()).contains("importing people.csv").contains("100%").contains("rows/s");
        assertThat(second.json().path("updated").asLong()).isEqualTo(2);
        assertThat(second.json().path("created").asLong()).isZero();
        assertThat(second.err()).doesNotContain("rows/s");
        List<String> rejects = Files.readAllLines(csv.resolveSibling("people.rejects.csv"));
        assertThat(rejects).containsExactly(
                "row,reason,Email Address,First Name,last_name,Num Employees",
                "3,1001 Invalid value 'bad-address'. Required of type 'email',bad-address,Bad,Row,3",
                "4,1001 Invalid value 'lots'. Required of type 'integer',alan@example.com,\"Alan, M.\",Turing,lots",
                "5,no value for the lookup field 'email',,No,Email,1",
                "6,the row has 3 fields; the header has 4,grace@example.com,Grace,Hopper");
        assertThat(cli.run("leads", "find", "linus.imp@example.com", "--fields", "email,lastName", "--json").json().get(0).path("lastName").asString())
                .isEqualTo("Torvalds");
    }

    /**
     * Two calls upserting one new e-mail at once can each create a lead (Marketo's duplicates, which
     * mkto-server reproduces): with batches in flight together, a batch holding an e-mail of one in
     * flight waits for its answer, so a file mentioning a person in many batches makes one lead.
     */
    @Test
    void importWhenOneEmailIsInManyBatchesSentInParallelThenOneLeadIsCreatedAndTheOthersUpdateIt() throws Exception {
        Cli cli = cli("Read-Write Lead");
        StringBuilder rows = new StringBuilder("email,firstName\n");
        for (int i = 0; i < 40; i++) {
            rows.append(i % 2 == 0 ? "Same.Person@example.com" : "same.person@example.com").append(",Take ").append(i).append('\n');
        }
        Path csv = write("same.csv", rows.toString());

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--batch-size", "1", "--parallel", "10", "--json", "--no-progress");

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.OK);
        assertThat(r.json().path("created").asLong()).isEqualTo(1);
        assertThat(r.json().path("updated").asLong()).isEqualTo(39);
        Cli.Result found = cli.run("leads", "find", "same.person@example.com", "--fields", "email,firstName", "--json");
        assertThat(found.json()).hasSize(1);
        assertThat(found.json().get(0).path("firstName").asString()).isEqualTo("Take 39");
    }

    @Test
    void importWhenColumnsMatchNoFieldThenEveryProblemIsReportedBeforeAnyRowIsSent() throws Exception {
        Cli cli = cli("Read-Write Lead");
        Path csv = write("wrong.csv", "email,Fist Name,Shoe Size,id\nada@example.com,Ada,9,1\n");

        Cli.Result r = cli.run("leads", "import", csv.toString());
        Cli.Result mapped = cli.run("leads", "import", csv.toString(), "--map", "Fist Name=firstName", "--ignore", "Shoe Size", "--ignore", "id",
                "--json", "--no-progress");

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("nothing was sent").contains("'Fist Name' matches no lead field (did you mean firstName?)")
                .contains("'Shoe Size' matches no lead field").contains("lead field 'id', which cannot be written");
        assertThat(mapped.code()).as("%s", mapped).isZero();
        assertThat(mapped.json().path("created").asLong()).isEqualTo(1);
    }

    @Test
    void importWhenABatchIsRefusedThenItStopsAtTheLastCommittedBatchAndResumesFromThere() throws Exception {
        // limits of their own: after the 607 the SDK holds this limiter's calls until the quota resets (midnight in Chicago)
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        Cli cli = Cli.fresh();
        cli.stdin(s.clientSecret()).run("auth", "add", "quota", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin",
                "--limits", "97/20/9");
        cli.stdin(s.clientSecret()).run("auth", "add", "later", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin",
                "--limits", "96/20/9");
        StringBuilder text = new StringBuilder("email,firstName\n");
        for (int i = 1; i <= 50; i++) {
            text.append("stop").append(i).append("@example.com,Row").append(i).append('\n');
        }
        Path csv = write("stop.csv", text.toString());
        // the daily quota lets the field read and two batches of 10 through, then refuses with 607
        long used = server.admin().get("/limits").json().path("instance").path("quotaUsed").asLong(-1);
        server.admin().instance(Map.of("limits", Map.of("dailyQuota", used + 3)));
        Cli.Result stopped;
        try {
            stopped = cli.run("leads", "import", csv.toString(), "--auth", "quota", "--batch-size", "10", "--json");
            Cli.Result held = cli.run("leads", "find", "stop1@example.com", "--auth", "quota");
            assertThat(held.err()).as("no request until the reset").contains("not sent: the quota resets at");
        } finally {
            server.admin().instance(Map.of("limits", Map.of("dailyQuota", 50_000)));
        }
        JsonNode checkpoint = tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(Files.readString(csv.resolveSibling("stop.csv.mkto-import")));
        String original = Files.readString(csv);
        Files.writeString(csv, original.replace("stop3@", "stoq3@"));
        Cli.Result changed = cli.run("leads", "import", csv.toString(), "--auth", "later", "--batch-size", "10", "--resume");
        Cli.Result otherOptions = cli.run("leads", "import", csv.toString(), "--auth", "later", "--batch-size", "10", "--resume",
                "--action", "updateOnly");
        Files.writeString(csv, original);
        assertThat(changed.code()).isEqualTo(ExitCode.USAGE);
        assertThat(changed.err()).contains("changed in the part already imported").contains("--restart");
        assertThat(otherOptions.code()).isEqualTo(ExitCode.USAGE);
        assertThat(otherOptions.err()).contains("--resume must repeat the earlier import's options");

        Cli.Result resumed = cli.run("leads", "import", csv.toString(), "--auth", "later", "--batch-size", "10", "--resume", "--json");

        assertThat(stopped.code()).as("%s", stopped).isEqualTo(ExitCode.REFUSED);
        assertThat(stopped.json().path("error").path("code").asString()).isEqualTo("607");
        assertThat(stopped.err()).contains("Imported up to row 21").contains("--resume");
        assertThat(checkpoint.path("row").asLong()).isEqualTo(21);
        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(resumed.json().path("resumedAfterRow").asLong()).isEqualTo(21);
        assertThat(resumed.json().path("created").asLong()).isEqualTo(50);
        assertThat(Files.exists(csv.resolveSibling("stop.csv.mkto-import"))).isFalse();
    }

    @Test
    void exportWhenPagingByIdOrByAFilterThenCsvWithQuoting() throws Exception {
        Cli cli = cli("Read-Write Lead");
        Path csv = write("export-src.csv", "email,firstName,lastName\n"
                + "ex1@example.com,\"Smith, Jr\",\"O\"\"Brien\"\n"
                + "ex2@example.com,Two,Second\n"
                + "ex3@example.com,Three,Third\n");
        assertThat(cli.run("leads", "import", csv.toString(), "--no-progress").code()).isZero();
        Path out = csv.resolveSibling("out.csv");

        Cli.Result byEmail = cli.run("leads", "export", "--by", "email", "--values", "ex1@example.com,ex3@example.com,none@example.com",
                "--fields", "email,firstName,lastName", "-o", out.toString(), "--json");
        Cli.Result byId = cli.run("leads", "export", "--fields", "email,lastName");

        assertThat(byEmail.code()).as("%s", byEmail).isZero();
        assertThat(byEmail.json().path("leads").asLong()).isEqualTo(2);
        assertThat(Files.readAllLines(out)).containsExactly("email,firstName,lastName", "ex1@example.com,\"Smith, Jr\",\"O\"\"Brien\"",
                "ex3@example.com,Three,Third");
        assertThat(byId.out()).startsWith("email,lastName\r\n").contains("ex2@example.com,Second\r\n");
        assertThat(byId.err()).contains("Exported").contains("paging by id");
        Cli.Result dash = cli.run("leads", "export", "--fields", "email,lastName", "-o", "-");
        assertThat(dash.out()).as("-o - is standard output").isEqualTo(byId.out());
        assertThat(Path.of("-")).doesNotExist();
    }

    @Test
    void exportWhenACreationRangeThenOneBulkJobPer31DaysAndEveryCellKeptExactly() throws Exception {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        Cli cli = Cli.fresh().stdin(s.clientSecret());
        assertThat(cli.run("auth", "add", "b", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin").code())
                .isZero();
        String tag = ServerAdmin.unique("bulk");
        Path csv = write("bulk-src.csv", "email,firstName,lastName\n"
                + tag + "-1@example.com,\"Smith, Jr\",\"O\"\"Brien\"\n"
                + tag + "-2@example.com,\"two\nlines\",Plain\n");
        assertThat(cli.run("leads", "import", csv.toString(), "--no-progress").code()).isZero();
        String since = java.time.Instant.now().minus(java.time.Duration.ofDays(40)).toString();

        Cli.Result r = cli.run("leads", "export", "--fields", "email,firstName,lastName", "--created-since", since, "--poll-seconds", "1");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).startsWith("email,firstName,lastName\r\n")
                .contains("\r\n" + tag + "-1@example.com,\"Smith, Jr\",\"O\"\"Brien\"\r\n")
                .contains("\r\n" + tag + "-2@example.com,\"two\nlines\",Plain\r\n");
        assertThat(r.out().split("email,firstName,lastName", -1)).as("one header").hasSize(2);
        long records = r.out().split("\r\n", -1).length - 2; // the header, and the empty string after the last record
        assertThat(r.err()).contains("Exported " + records + " leads (bulk extract");
        // 40 days are two windows of at most 31: two jobs of this API user, both completed
        String token = server.admin().post("/services/" + s.id() + "/token", Map.of()).json().path("access_token").asString();
        java.net.http.HttpResponse<String> jobs = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/bulk/v1/leads/export.json"))
                        .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        JsonNode listed = tools.jackson.databind.json.JsonMapper.builder().build().readTree(jobs.body()).path("result");
        assertThat(listed).as(jobs.body()).hasSize(2).allSatisfy(j -> assertThat(j.path("status").asString()).isEqualTo("Completed"));
    }

    @Test
    void exportWhenBulkExtractIsRefusedThenTheCodeAndThePagingAlternative() throws Exception {
        Cli cli = cli("Read-Only Activity");

        Cli.Result r = cli.run("leads", "export", "--fields", "email", "--created-since", "2026-01-01", "--created-until", "2026-01-02");

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("603").contains("--paging");
    }

    @Test
    void importWhenRecordLevelFailuresMixWithGoodRowsThenEachIsRejectedWithItsRowNumberAndExit7() throws Exception {
        Cli cli = cli("Read-Write Lead");
        String tag = ServerAdmin.unique("mix");
        assertThat(cli.run("leads", "sync", "--set", "email=" + tag + "-a@example.com").code()).isZero();
        // a BOM, CRLF line ends, a blank line, a quoted line break, comma and quotes
        Path csv = write("mix.csv", "\uFEFFemail,firstName,numberOfEmployees\r\n"
                + tag + "-a@example.com,\"Ada, \"\"the\"\"\nfirst\",5\r\n"
                + tag + "-b@example.com,Nobody,1\r\n"
                + "\r\n"
                + tag + "-a@example.com,Again,many\r\n");

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--action", "updateOnly", "--json", "--no-progress");

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REJECTED);
        assertThat(r.json().path("updated").asLong()).isEqualTo(1);
        assertThat(r.json().path("rejected").asLong()).isEqualTo(2);
        assertThat(Files.readAllLines(csv.resolveSibling("mix.rejects.csv"))).containsExactly(
                "row,reason,email,firstName,numberOfEmployees",
                "3,1004 Lead not found," + tag + "-b@example.com,Nobody,1",
                "4,1001 Invalid value 'many'. Required of type 'integer'," + tag + "-a@example.com,Again,many");
        assertThat(cli.run("leads", "find", tag + "-a@example.com", "--fields", "firstName", "--json").json().get(0).path("firstName")
                .asString()).isEqualTo("Ada, \"the\"\nfirst");
    }

    @Test
    void importWhenOneRowAloneIsOver1MbThenThatRowIsRejectedAndTheOthersImported() throws Exception {
        Cli cli = cli("Read-Write Lead");
        String tag = ServerAdmin.unique("huge");
        Path csv = write("huge.csv", "email,firstName\r\n" + tag + "-1@example.com," + "h".repeat(1_100_000) + "\r\n"
                + tag + "-2@example.com,Fine\r\n");

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--json", "--no-progress");

        assertThat(r.code()).as("%s", r.err()).isEqualTo(ExitCode.REJECTED);
        assertThat(r.json().path("created").asLong()).isEqualTo(1);
        assertThat(r.json().path("rejected").asLong()).isEqualTo(1);
        List<String> rejects = Files.readAllLines(csv.resolveSibling("huge.rejects.csv"));
        assertThat(rejects).hasSize(2);
        assertThat(rejects.get(1)).startsWith("2,413 The record alone is larger than Marketo accepts in one request (1 MB)");
        assertThat(cli.run("leads", "find", tag + "-2@example.com", "--fields", "firstName", "--json").json().get(0).path("firstName")
                .asString()).isEqualTo("Fine");
        assertThat(Files.exists(csv.resolveSibling("huge.csv.mkto-import"))).as("the checkpoint goes once the import is complete").isFalse();
    }

    @Test
    void importWhenTheCheckpointIsDamagedThenRefusedAndRestartStartsOver() throws Exception {
        Cli cli = cli("Read-Write Lead");
        String tag = ServerAdmin.unique("damaged");
        Path csv = write("damaged.csv", "email,firstName\r\n" + tag + "@example.com,Again\r\n");
        Files.writeString(csv.resolveSibling("damaged.csv.mkto-import"), "{\"version\":1,\"off");

        Cli.Result refused = cli.run("leads", "import", csv.toString(), "--no-progress");
        Cli.Result restarted = cli.run("leads", "import", csv.toString(), "--restart", "--no-progress");

        assertThat(refused.code()).as("%s", refused).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains("is not one mkto can read; start the import over with --restart");
        assertThat(restarted.code()).as("%s", restarted).isZero();
        assertThat(restarted.err()).contains("Starting damaged.csv over (its checkpoint could not be read).");
        assertThat(csv.resolveSibling("damaged.csv.mkto-import")).doesNotExist();
    }

    @Test
    void importWhenOnlyAHeaderThenNothingIsSentAndExit0() throws Exception {
        Cli cli = cli("Read-Write Lead");
        Path csv = write("empty.csv", "email,firstName\r\n");

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--json", "--no-progress");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.json().path("rows").asLong()).isZero();
        assertThat(r.json().path("batches").asLong()).isZero();
    }

    @Test
    void importWhenTheFileIsNotUtf8ThenItsRowsAreRejectedNotSentGarbled() throws Exception {
        Cli cli = cli("Read-Write Lead");
        String tag = ServerAdmin.unique("latin");
        Path csv = write("latin.csv", "");
        Files.write(csv, ("email,firstName\n" + tag + "-1@example.com,Zo\u00eb\n" + tag + "-2@example.com,Ada\n")
                .getBytes(StandardCharsets.ISO_8859_1));

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--json", "--no-progress");

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REJECTED);
        assertThat(r.json().path("created").asLong()).isEqualTo(1);
        assertThat(cli.run("leads", "find", tag + "-1@example.com", "--json").json()).as("nothing garbled was sent").isEmpty();
        assertThat(Files.readAllLines(csv.resolveSibling("latin.rejects.csv")).get(1)).startsWith("2,not valid CSV: ")
                .contains("UTF-8");
    }

    @Test
    void importWhenTheRejectsFileCannotBeWrittenThenExit1BeforeAnyRowIsSent() throws Exception {
        Cli cli = cli("Read-Write Lead");
        String tag = ServerAdmin.unique("rej");
        Path csv = write("rej.csv", "email,firstName\n" + tag + "@example.com,Ada\nbad-address,Bad\n");
        Path rejects = csv.resolveSibling("no-such-dir").resolve("rej.rejects.csv");

        Cli.Result r = cli.run("leads", "import", csv.toString(), "--rejects", rejects.toString(), "--no-progress");

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains(rejects.getParent().toString()).contains("--rejects").doesNotContain("    at ");
        assertThat(cli.run("leads", "find", tag + "@example.com", "--json").json()).as("nothing was sent").isEmpty();
    }

    /**
     * Marketo answers a refused file download (a limit, or access lost to a partition) with its JSON
     * envelope instead of the file: a stand-in that answers the export's calls like Marketo, the
     * file with a 606 envelope, as a limit reached between the status and the download would.
     */
    @Test
    void exportWhenTheBulkFileIsRefusedWithAnEnvelopeThenItIsNotWrittenAsLeads() throws Exception {
        com.sun.net.httpserver.HttpServer marketo = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        marketo.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body;
            if (path.startsWith("/identity/")) {
                body = "{\"access_token\":\"cafe-1:ab\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}";
            } else if (path.endsWith("/file.json")) {
                body = "{\"requestId\":\"a1#b\",\"success\":false,\"errors\":[{\"code\":\"606\","
                        + "\"message\":\"Max rate limit '100' exceeded with in '20' secs\"}]}";
            } else if (path.startsWith("/bulk/")) {
                String status = path.endsWith("/create.json") ? "Created" : path.endsWith("/enqueue.json") ? "Queued" : "Completed";
                body = "{\"requestId\":\"a1#b\",\"success\":true,\"result\":[{\"exportId\":\"e-1\",\"format\":\"CSV\","
                        + "\"status\":\"" + status + "\",\"createdAt\":\"2026-12-01T00:00:00Z\"}]}";
            } else {
                body = "{\"requestId\":\"a1#b\",\"success\":true,\"result\":[]}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json;charset=UTF-8");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        marketo.start();
        try {
            Cli cli = Cli.fresh().stdin("s".repeat(32));
            String endpoint = "http://127.0.0.1:" + marketo.getAddress().getPort() + "/rest";
            assertThat(cli.run("auth", "add", "m", "--endpoint", endpoint, "--client-id", "c-1", "--secret-stdin").code()).isZero();
            Path out = Files.createTempDirectory("export").resolve("leads.csv");

            Cli.Result r = cli.run("leads", "export", "--fields", "email", "--created-since", "2026-11-20", "--created-until",
                    "2026-11-21", "--poll-seconds", "1", "-o", out.toString());

            assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REFUSED);
            assertThat(r.err()).contains("606").contains("run the export again").doesNotContain("Exception");
            assertThat(out).as("no file holds the envelope as if it were leads").doesNotExist();
            assertThat(out.resolveSibling("leads.csv.part")).doesNotExist();
        } finally {
            marketo.stop(0);
        }
    }

    @Test
    void exportWhenTheOutputFileExistsThenRefusedUnlessForced() throws Exception {
        Cli cli = cli("Read-Write Lead");
        Path out = write("precious.csv", "keep me\n");

        Cli.Result refused = cli.run("leads", "export", "--ids", "1-5", "-o", out.toString());
        String kept = Files.readString(out);
        Cli.Result forced = cli.run("leads", "export", "--ids", "1-5", "-o", out.toString(), "--force");

        assertThat(refused.code()).as("%s", refused).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains(out.toString()).contains("exists").contains("--force");
        assertThat(kept).isEqualTo("keep me\n");
        assertThat(forced.code()).as("%s", forced).isZero();
        assertThat(Files.readString(out)).startsWith("id,email");
    }

    @Test
    void exportWhenItFailsThenNoPartFileIsLeftBehind() throws Exception {
        Cli cli = cli("Read-Only Activity");
        Path out = Files.createTempDirectory("mkto-leads").resolve("out.csv");

        Cli.Result r = cli.run("leads", "export", "--ids", "1-5", "-o", out.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.REFUSED);
        assertThat(Files.exists(out.resolveSibling("out.csv.part"))).isFalse();
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void exportWhenTheValuesFileCannotBeReadThenExit1NamingItWithoutAStackTrace() throws Exception {
        Cli cli = cli("Read-Write Lead");
        Path missing = Files.createTempDirectory("mkto-leads").resolve("emails.txt");

        Cli.Result r = cli.run("leads", "export", "--by", "email", "--values-file", missing.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains(missing.toString()).doesNotContain("\tat ").doesNotContain("    at ").doesNotContain("bug");
    }

    @Test
    void exportWhenStandardOutputIsClosedThenItStopsWithoutAStackTrace() throws Exception {
        Cli cli = cli("Read-Write Lead");
        StringBuilder text = new StringBuilder("email,firstName\n");
        String tag = ServerAdmin.unique("pipe");
        for (int i = 0; i < 700; i++) {
            text.append(tag).append('-').append(i).append("@example.com,Row").append(i).append('\n');
        }
        assertThat(cli.run("leads", "import", write("pipe.csv", text.toString()).toString(), "--no-progress").code()).isZero();

        Cli.Result r = cli.stdoutClosedAfter(100).run("leads", "export", "--fields", "id,email,firstName");

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCode.OUTPUT_CLOSED);
        assertThat(r.err()).contains("standard output was closed").doesNotContain("    at ").doesNotContain("bug").doesNotContain("Exported");
    }

    @Test
    void usageWhenCallsWereMadeThenATablePerUserAndBarCharts() throws Exception {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        Cli cli = Cli.fresh().stdin(s.clientSecret());
        cli.run("auth", "add", "u", "--endpoint", server.restEndpoint(), "--client-id", s.clientId(), "--secret-stdin");
        cli.run("leads", "find", "nobody@example.com");
        cli.run("leads", "find", "nobody@example.com");
        Thread.sleep(2500); // usage is counted in memory and flushed every two seconds

        Cli.Result human = cli.run("usage");
        Cli.Result json = cli.run("usage", "--json");

        assertThat(human.code()).as("%s", human).isZero();
        assertThat(human.out()).contains("USER").contains("TODAY").contains("LAST 7 DAYS").contains(s.userEmail())
                .contains("Calls per day").contains("█");
        assertThat(json.json().path("last7Days").size()).isEqualTo(7);
        assertThat(json.json().path("users").toString()).contains(s.userEmail());
        JsonNode me = null;
        for (JsonNode u : json.json().path("users")) {
            if (u.path("userId").asString().equals(s.userEmail())) {
                me = u;
            }
        }
        assertThat(me).isNotNull();
        assertThat(me.path("today").asLong()).isGreaterThanOrEqualTo(2);
    }
}
