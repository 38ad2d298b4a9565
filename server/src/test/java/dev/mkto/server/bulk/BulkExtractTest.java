package dev.mkto.server.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/** Bulk extract of leads and activities over HTTP, on H2 and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class BulkExtractTest extends OnEveryBackend {

    private String writer;
    private String exporter;
    private String otherExporter;

    @Override
    protected void fixtures() {
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1000)));
        writer = admin.tokenWith("Read-Write Lead");
        exporter = admin.tokenWith("Read-Only Lead", "Read-Only Activity");
        otherExporter = admin.tokenWith("Read-Only Lead", "Read-Only Activity");
    }

    private String window() {
        Instant now = server.clock().instant();
        return "{\"startAt\":\"" + now.minus(Duration.ofDays(1)) + "\",\"endAt\":\"" + now.plus(Duration.ofDays(1)) + "\"}";
    }

    private String create(String kind, String body) {
        Api.Response r = api.post("/bulk/v1/" + kind + "/export/create.json", exporter, body);
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(r.result().get(0).path("status").asString()).isEqualTo("Created");
        return r.result().get(0).path("exportId").asString();
    }

    private JsonNode awaitDone(String kind, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = api.get("/bulk/v1/" + kind + "/export/" + id + "/status.json", exporter).result().get(0);
            if (List.of("Completed", "Failed", "Cancelled").contains(s.path("status").asString())) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("export " + id + " did not finish");
    }

    private String run(String kind, String body) throws InterruptedException {
        String id = create(kind, body);
        Api.Response q = api.post("/bulk/v1/" + kind + "/export/" + id + "/enqueue.json", exporter, "");
        assertThat(q.result().get(0).path("status").asString()).as(q.text()).isEqualTo("Queued");
        JsonNode done = awaitDone(kind, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("Completed");
        Api.Response file = api.get("/bulk/v1/" + kind + "/export/" + id + "/file.json", exporter);
        assertThat(file.status()).isEqualTo(200);
        assertThat(file.headers().get("content-type").getFirst()).startsWith("text/");
        assertThat((long) file.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isEqualTo(done.path("fileSize").asLong());
        return file.text();
    }

    private long syncAll(List<Map<String, Object>> leads) {
        long created = 0;
        for (int i = 0; i < leads.size(); i += 300) {
            Api.Response r = api.post("/rest/v1/leads.json", writer, Map.of("input", leads.subList(i, Math.min(leads.size(), i + 300))));
            assertThat(r.success()).as(r.text()).isTrue();
            created += r.result().size();
        }
        return created;
    }

    @Test
    void exportWhenLeadsHaveAwkwardValuesThenTheCsvQuotesThemAndReadsBackExactly() throws Exception {
        String tag = AdminClient.unique("q");
        long list = admin.create("/lists", Map.of("name", tag)).path("id").asLong();
        List<Map<String, Object>> leads = new ArrayList<>();
        String[] awkward = {"Plain", "Comma, Inc.", "Quote \"Q\" Ltd", "Line\nBreak", "Ünïcødé 日本", "", "  spaced  ", "semi;colon\ttab"};
        for (int i = 0; i < awkward.length; i++) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("email", tag + i + "@example.com");
            l.put("company", awkward[i]);
            l.put("numberOfEmployees", i);
            leads.add(l);
        }
        syncAll(leads);
        List<Map<String, Object>> members = new ArrayList<>();
        for (JsonNode l : api.get("/rest/v1/leads.json?filterType=email&filterValues=" + String.join(",",
                leads.stream().map(m -> (String) m.get("email")).toList()), writer).result()) {
            members.add(Map.of("id", l.path("id").asLong()));
        }
        api.post("/rest/v1/lists/" + list + "/leads.json", writer, Map.of("input", members));
        String csv = run("leads", "{\"fields\":[\"email\",\"company\",\"numberOfEmployees\"],\"filter\":{\"staticListId\":" + list
                + "},\"columnHeaderNames\":{\"company\":\"Company Name\"}}");
        List<List<String>> rows = Csv.parse(csv, ',');
        assertThat(rows.getFirst()).containsExactly("email", "Company Name", "numberOfEmployees");
        assertThat(rows).hasSize(awkward.length + 1);
        for (int i = 0; i < awkward.length; i++) {
            assertThat(rows.get(i + 1)).containsExactly(tag + i + "@example.com", awkward[i], Integer.toString(i));
        }
        String tsv = run("leads", "{\"format\":\"TSV\",\"fields\":[\"email\",\"company\"],\"filter\":{\"staticListId\":" + list + "}}");
        assertThat(Csv.parse(tsv, '\t').get(8)).containsExactly(tag + "7@example.com", "semi;colon\ttab");
    }

    @Test
    void exportWhenThousandsOfLeadsThenEveryRowOnceInIdOrderWithRanges() throws Exception {
        String tag = AdminClient.unique("bulk");
        long list = admin.create("/lists", Map.of("name", tag)).path("id").asLong();
        List<Map<String, Object>> leads = new ArrayList<>();
        for (int i = 0; i < 4500; i++) {
            leads.add(Map.of("email", tag + "-" + i + "@example.com", "firstName", "F" + i));
        }
        syncAll(leads);
        List<Long> ids = new ArrayList<>();
        String token = null;
        do {
            Api.Response r = api.get("/rest/v1/leads.json?filterType=email&filterValues=" + String.join(",", leads.subList(0, 1).stream()
                    .map(m -> (String) m.get("email")).toList()) + (token == null ? "" : "&nextPageToken=" + token), writer);
            r.result().forEach(n -> ids.add(n.path("id").asLong()));
            token = r.json().path("nextPageToken").asString(null);
        } while (token != null);
        // put every lead of this tag in the list
        for (int i = 0; i < leads.size(); i += 300) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (JsonNode l : api.postForm("/rest/v1/leads.json?_method=GET", writer, "filterType=email&filterValues="
                    + String.join(",", leads.subList(i, Math.min(leads.size(), i + 300)).stream().map(m -> (String) m.get("email")).toList())).result()) {
                batch.add(Map.of("id", l.path("id").asLong()));
            }
            api.post("/rest/v1/lists/" + list + "/leads.json", writer, Map.of("input", batch));
        }
        String id = create("leads", "{\"fields\":[\"id\",\"email\",\"firstName\"],\"filter\":{\"staticListId\":" + list + "}}");
        api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
        JsonNode done = awaitDone("leads", id);
        assertThat(done.path("numberOfRecords").asLong()).isEqualTo(4500);
        String csv = api.get("/bulk/v1/leads/export/" + id + "/file.json", exporter).text();
        List<List<String>> rows = Csv.parse(csv, ',');
        assertThat(rows).hasSize(4501);
        long previous = 0;
        for (List<String> row : rows.subList(1, rows.size())) {
            long leadId = Long.parseLong(row.get(0));
            assertThat(leadId).isGreaterThan(previous);
            previous = leadId;
            int n = Integer.parseInt(row.get(2).substring(1));
            assertThat(row.get(1)).isEqualTo(tag + "-" + n + "@example.com");
        }
        Api.Response head = api.send(api.request("/bulk/v1/leads/export/" + id + "/file.json", exporter).header("Range", "bytes=0-99"));
        assertThat(head.status()).isEqualTo(206);
        assertThat(head.text()).isEqualTo(csv.substring(0, 100));
        Api.Response tail = api.send(api.request("/bulk/v1/leads/export/" + id + "/file.json", exporter).header("Range", "bytes=-50"));
        assertThat(tail.text()).isEqualTo(csv.substring(csv.length() - 50));
        assertThat(api.send(api.request("/bulk/v1/leads/export/" + id + "/file.json", exporter).header("Range", "bytes=99999999-"))
                .status()).isEqualTo(416);
        assertThat(ids).isNotEmpty();
    }

    @Test
    void exportsWhenEachFinishesInMillisecondsThenTheWorkerGoesOnClaimingEveryOneQueuedAfterThem() throws Exception {
        long empty = admin.create("/lists", Map.of("name", AdminClient.unique("empty"))).path("id").asLong();
        String body = "{\"fields\":[\"email\"],\"filter\":{\"staticListId\":" + empty + "}}";
        for (int round = 0; round < 6; round++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = create("leads", body);
                Api.Response q = api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
                assertThat(q.success()).as(q.text()).isTrue();
                ids.add(id);
            }
            for (String id : ids) {
                JsonNode done = awaitDone("leads", id);
                assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("Completed");
                assertThat(done.path("numberOfRecords").asLong()).isZero();
            }
        }
    }

    @Test
    void exportWhenActivitiesInTheWindowThenOneRowPerActivityWithAttributes() throws Exception {
        String email = AdminClient.unique("act") + "@example.com";
        long lead = api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email, "city", "Oslo"))))
                .result().get(0).path("id").asLong();
        api.post("/rest/v1/leads.json", writer, Map.of("input", List.of(Map.of("email", email, "city", "Bergen"))));
        String csv = run("activities", "{\"filter\":{\"createdAt\":" + window() + ",\"activityTypeIds\":[12,13]}}");
        List<List<String>> rows = Csv.parse(csv, ',');
        assertThat(rows.getFirst()).containsExactly("marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
                "primaryAttributeValueId", "primaryAttributeValue", "attributes");
        List<List<String>> mine = rows.stream().filter(r -> r.get(1).equals(Long.toString(lead))).toList();
        assertThat(mine).extracting(r -> r.get(3)).containsExactly("12", "13");
        assertThat(mine.get(1).get(6)).isEqualTo("city");
        assertThat(mine.get(1).get(7)).contains("\"New Value\":\"Bergen\"").contains("\"Old Value\":\"Oslo\"");
    }

    @Test
    void jobsWhenListedOrReadThenOnlyTheCallingUsersAndStatusesFlowAsDocumented() throws Exception {
        String id = create("leads", "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + window() + "}}");
        assertThat(api.get("/bulk/v1/leads/export.json", exporter).result()).extracting(n -> n.path("exportId").asString()).contains(id);
        assertThat(api.get("/bulk/v1/leads/export.json", otherExporter).result()).extracting(n -> n.path("exportId").asString())
                .doesNotContain(id);
        assertThat(api.get("/bulk/v1/leads/export/" + id + "/status.json", otherExporter).errorCode()).isEqualTo("1013");
        assertThat(api.get("/bulk/v1/activities/export/" + id + "/status.json", exporter).errorCode()).isEqualTo("1013");
        assertThat(api.get("/bulk/v1/leads/export/" + id + "/file.json", exporter).errorCode()).isEqualTo("1003");
        Api.Response cancelled = api.post("/bulk/v1/leads/export/" + id + "/cancel.json", exporter, "");
        assertThat(cancelled.result().get(0).path("status").asString()).isEqualTo("Cancelled");
        assertThat(api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "").errorCode()).isEqualTo("1003");
        assertThat(api.get("/bulk/v1/leads/export.json?status=Cancelled", exporter).result()).extracting(n -> n.path("exportId").asString())
                .contains(id);
        String done = create("leads", "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + window() + "}}");
        api.post("/bulk/v1/leads/export/" + done + "/enqueue.json", exporter, "");
        assertThat(api.post("/bulk/v1/leads/export/" + done + "/enqueue.json", exporter, "").errorCode()).isIn("1029", "1003");
        awaitDone("leads", done);
    }

    @Test
    void createWhenRequestIsWrongThenDocumentedCodes() {
        String w = window();
        String far = "{\"startAt\":\"2026-01-01T00:00:00Z\",\"endAt\":\"2026-03-01T00:00:00Z\"}";
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"email\"]}").errorCode()).isEqualTo("701");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"filter\":{\"createdAt\":" + w + "}}").errorCode()).isEqualTo("701");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + far + "}}")
                .errorCode()).isEqualTo("1003");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter,
                "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":{\"startAt\":\"yesterday\",\"endAt\":\"2026-01-01T00:00:00Z\"}}}")
                .errorCode()).isEqualTo("704");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"nope\"],\"filter\":{\"createdAt\":" + w + "}}")
                .errorCode()).isEqualTo("1006");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"email\"],\"filter\":{\"smartListId\":3}}")
                .errorCode()).isEqualTo("1003");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"email\"],\"filter\":{\"staticListId\":987654}}")
                .errorCode()).isEqualTo("1013");
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"format\":\"XLS\",\"fields\":[\"email\"],\"filter\":{\"createdAt\":"
                + w + "}}").errorCode()).isEqualTo("1003");
        assertThat(api.post("/bulk/v1/activities/export/create.json", exporter, "{\"filter\":{}}").errorCode()).isEqualTo("701");
        assertThat(api.post("/bulk/v1/activities/export/create.json", exporter, "{\"fields\":[\"leadId\",\"bogus\"],\"filter\":{\"createdAt\":"
                + w + "}}").errorCode()).isEqualTo("1006");
        assertThat(api.post("/bulk/v1/leads/export/create.json", writer, "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + w + "}}")
                .success()).isTrue();
        assertThat(api.post("/bulk/v1/activities/export/create.json", writer, "{\"filter\":{\"createdAt\":" + w + "}}").errorCode())
                .isEqualTo("603");
    }

    @Test
    void fileWhenRangeOrPageTokenHoldsHugeOrOddNumbersThenRangeAnswersOrMarketoCodesNeverASystemError() throws Exception {
        String id = create("leads", "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + window() + "}}");
        api.post("/bulk/v1/leads/export/" + id + "/enqueue.json", exporter, "");
        long size = awaitDone("leads", id).path("fileSize").asLong();
        String whole = api.get("/bulk/v1/leads/export/" + id + "/file.json", exporter).text();
        java.util.function.Function<String, Api.Response> ranged = range -> api.send(api.request("/bulk/v1/leads/export/" + id + "/file.json",
                exporter).header("Range", range));
        for (String range : List.of("bytes=0-99999999999999999999", "bytes=-99999999999999999999")) {
            Api.Response r = ranged.apply(range);
            assertThat(r.status()).as(range).isEqualTo(206);
            assertThat(r.text()).as(range).isEqualTo(whole);
            assertThat(r.headers().get("content-range")).as(range).containsExactly("bytes 0-" + (size - 1) + "/" + size);
        }
        for (String range : List.of("bytes=99999999999999999999-", "bytes=-0", "bytes=5-3", "bytes=0-1,3-4", "items=0-1")) {
            Api.Response r = ranged.apply(range);
            assertThat(r.status()).as(range).isEqualTo(416);
            assertThat(r.headers().get("content-range")).as(range).containsExactly("bytes */" + size);
        }
        java.util.function.Function<String, String> token = t -> java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(t.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(api.get("/bulk/v1/leads/export.json?nextPageToken=" + token.apply("exports:-5"), exporter).errorCode()).isEqualTo("1003");
        Api.Response far = api.get("/bulk/v1/leads/export.json?batchSize=300&nextPageToken=" + token.apply("exports:2147483647"), exporter);
        assertThat(far.success()).as(far.text()).isTrue();
        assertThat(far.result()).isEmpty();
        assertThat(far.json().has("nextPageToken")).isFalse();
    }

    @Test
    void createWhenDatesAreBeyondTheEpochOrKeysAreHugeThenMarketoCodesWithAShortCleanEcho() {
        String beyond = "{\"startAt\":\"+999999999-12-01T00:00:00Z\",\"endAt\":\"+999999999-12-02T00:00:00Z\"}";
        assertThat(api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + beyond + "}}")
                .errorCode()).isEqualTo("704");
        assertThat(api.post("/bulk/v1/activities/export/create.json", exporter, "{\"filter\":{\"createdAt\":" + beyond + "}}")
                .errorCode()).isEqualTo("704");
        for (String ids : List.of("\"activityTypeIds\":[4294967308]", "\"primaryAttributeValueIds\":[99999999999999999999]")) {
            assertThat(api.post("/bulk/v1/activities/export/create.json", exporter, "{\"filter\":{\"createdAt\":" + window() + "," + ids + "}}")
                    .errorCode()).as(ids).isEqualTo("1003");
        }
        String key = "\\u0000" + "k".repeat(5000);
        Api.Response r = api.post("/bulk/v1/leads/export/create.json", exporter, "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + window()
                + "},\"columnHeaderNames\":{\"" + key + "\":5}}");
        assertThat(r.errorCode()).isEqualTo("1003");
        String message = r.json().path("errors").get(0).path("message").asString();
        assertThat(message).doesNotContain("\u0000").hasSizeLessThan(300);
    }

    @Test
    void jobWhenEnqueuedOrCancelledTwiceAtOnceThenOneSucceedsAndTheOtherIsRefusedWithItsCode() throws Exception {
        for (String action : List.of("enqueue", "cancel")) {
            String id = create("leads", "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":" + window() + "}}");
            List<java.util.concurrent.CompletableFuture<Api.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() ->
                        api.post("/bulk/v1/leads/export/" + id + "/" + action + ".json", exporter, "")));
            }
            List<Api.Response> answers = calls.stream().map(java.util.concurrent.CompletableFuture::join).toList();
            assertThat(answers).filteredOn(Api.Response::success).as(action).hasSize(1);
            assertThat(answers).filteredOn(a -> !a.success()).extracting(Api.Response::errorCode).as(action)
                    .containsOnly(action.equals("enqueue") ? "1029" : "1003");
            if (action.equals("cancel")) {
                assertThat(answers).filteredOn(a -> !a.success()).extracting(a -> a.json().path("errors").get(0).path("message").asString())
                        .allMatch(m -> m.contains("Cancelled"));
            } else {
                awaitDone("leads", id);
            }
        }
    }

    @Test
    void jobsWhenListedThenOnlyThoseCreatedInThePastSevenDaysWhileTheirStatusStaysReadable() {
        AdminClient.Service owner = admin.serviceWith("Read-Only Lead");
        String token = admin.token(owner);
        Api.Response created = api.post("/bulk/v1/leads/export/create.json", token, "{\"fields\":[\"email\"],\"filter\":{\"createdAt\":"
                + window() + "}}");
        String id = created.result().get(0).path("exportId").asString();
        try {
            server.clock().advance(Duration.ofDays(6));
            token = admin.token(owner);
            assertThat(api.get("/bulk/v1/leads/export.json", token).result()).extracting(n -> n.path("exportId").asString()).contains(id);
            server.clock().advance(Duration.ofDays(2));
            token = admin.token(owner);
            Api.Response listed = api.get("/bulk/v1/leads/export.json", token);
            assertThat(listed.success()).as(listed.text()).isTrue();
            assertThat(listed.result()).extracting(n -> n.path("exportId").asString()).doesNotContain(id);
            assertThat(api.get("/bulk/v1/leads/export/" + id + "/status.json", token).result().get(0).path("status").asString())
                    .isEqualTo("Created");
        } finally {
            restartServer(); // every token of the fixtures expired with the days gone by
        }
    }
}
