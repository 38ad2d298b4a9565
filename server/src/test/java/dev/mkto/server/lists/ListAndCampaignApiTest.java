package dev.mkto.server.lists;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.SwaggerSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/** Static lists and campaigns over HTTP, on H2 and PostgreSQL, scoped by workspace. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ListAndCampaignApiTest extends OnEveryBackend {

    private String writer;
    private String reader;
    private String executor;
    private String activities;
    private long newsletter;
    private long europeList;
    private long welcome;
    private long nightly;
    private long dormant;

    @Override
    protected void fixtures() {
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1000)));
        admin.partition("EMEA");
        admin.workspace("Europe", "EMEA");
        newsletter = admin.create("/lists", Map.of("name", "Newsletter", "workspace", "Default")).path("id").asLong();
        europeList = admin.create("/lists", Map.of("name", "Europe Only", "workspace", "Europe")).path("id").asLong();
        welcome = admin.create("/campaigns", Map.of("name", "Welcome", "type", "trigger", "requestable", true)).path("id").asLong();
        nightly = admin.create("/campaigns", Map.of("name", "Nightly", "type", "batch")).path("id").asLong();
        dormant = admin.create("/campaigns", Map.of("name", "Dormant", "type", "trigger", "requestable", true, "active", false)).path("id").asLong();
        admin.create("/campaigns", Map.of("name", "European", "type", "trigger", "workspace", "Europe", "requestable", true));
        writer = admin.tokenWith("Read-Write Lead");
        reader = admin.tokenWith("Read-Only Lead", "Read-Only Assets");
        executor = admin.tokenWith("Execute Campaign", "Read-Only Campaign", "Read-Write Lead");
        activities = admin.tokenWith("Read-Only Activity");
    }

    private long lead(String token) {
        return api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", AdminClient.unique("l") + "@example.com"))))
                .result().get(0).path("id").asLong();
    }

    private static String code(Api.Response r, int i) {
        return r.result().get(i).path("reasons").get(0).path("code").asString();
    }

    @Test
    void listsWhenReadThenOnlyThoseOfTheCallersWorkspacesInTheSwaggerShape() {
        Api.Response r = api.get("/rest/v1/lists.json", reader);
        assertThat(r.result()).extracting(n -> n.path("name").asString()).contains("Newsletter").doesNotContain("Europe Only");
        assertThat(SwaggerSchema.responseProblems(SharedSpec.json("swagger-mapi.json"), "GET", "/rest/v1/lists.json", r.json()).stream()
                .filter(p -> !p.contains("errors") && !p.contains("warnings")).toList()).isEmpty();
        assertThat(api.get("/rest/v1/lists/" + newsletter + ".json", reader).result().get(0).path("workspaceName").asString()).isEqualTo("Default");
        assertThat(api.get("/rest/v1/lists/" + europeList + ".json", reader).result()).isEmpty();
        assertThat(api.get("/rest/v1/lists.json?name=Newsletter&workspaceName=Default", reader).result()).hasSize(1);
        assertThat(api.get("/rest/v1/lists.json?programName=Anything", reader).result()).isEmpty();
        admin.create("/lists", Map.of("name", AdminClient.unique("second")));
        Api.Response first = api.get("/rest/v1/lists.json?batchSize=1", reader);
        String next = first.json().path("nextPageToken").asString();
        assertThat(next).isNotEmpty();
        Api.Response second = api.get("/rest/v1/lists.json?batchSize=1&nextPageToken=" + next, reader);
        assertThat(second.result().get(0).path("id").asLong()).isGreaterThan(first.result().get(0).path("id").asLong());
    }

    @Test
    void membersWhenAddedRemovedAndCheckedThenPerLeadStatusesAndActivities() {
        long a = lead(writer);
        long b = lead(writer);
        Api.Response added = api.post("/rest/v1/lists/" + newsletter + "/leads.json", writer,
                Map.of("input", List.of(Map.of("id", a), Map.of("id", b), Map.of("id", 987654321))));
        assertThat(added.result().get(0).path("status").asString()).isEqualTo("added");
        assertThat(added.result().get(1).path("status").asString()).isEqualTo("added");
        assertThat(code(added, 2)).isEqualTo("1004");
        Api.Response member = api.get("/rest/v1/lists/" + newsletter + "/leads/ismember.json?id=" + a + "," + b, reader);
        assertThat(member.result()).extracting(n -> n.path("status").asString()).containsExactly("memberof", "memberof");
        Api.Response removed = api.method("DELETE", "/rest/v1/lists/" + newsletter + "/leads.json?id=" + b, writer, null, null);
        assertThat(removed.result().get(0).path("status").asString()).isEqualTo("removed");
        Api.Response again = api.method("DELETE", "/rest/v1/lists/" + newsletter + "/leads.json?id=" + b, writer, null, null);
        assertThat(code(again, 0)).isEqualTo("1015");
        Api.Response withBody = api.method("DELETE", "/rest/v1/lists/" + newsletter + "/leads.json", writer, "application/json",
                "{\"input\":[{\"id\":" + a + "}]}");
        assertThat(withBody.result().get(0).path("status").asString()).isEqualTo("removed");
        assertThat(api.get("/rest/v1/lists/" + newsletter + "/leads/ismember.json?id=" + a, reader).result().get(0).path("status").asString())
                .isEqualTo("notmemberof");

        String token = api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2020-01-01", activities).json().path("nextPageToken").asString();
        JsonNode acts = api.get("/rest/v1/activities.json?activityTypeIds=24,25&leadIds=" + a + "," + b + "&nextPageToken=" + token, activities)
                .result();
        assertThat(acts).extracting(n -> n.path("activityTypeId").asInt()).containsExactly(24, 24, 25, 25);
        assertThat(acts.get(0).path("primaryAttributeValueId").asLong()).isEqualTo(newsletter);
        assertThat(acts.get(0).path("primaryAttributeValue").asString()).isEqualTo("Newsletter");
    }

    @Test
    void membersWhenPagedWhileLeadsJoinAndLeaveThenEachReturnedOnce() {
        List<Map<String, Object>> input = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            input.add(Map.of("id", lead(writer)));
        }
        long list = admin.create("/lists", Map.of("name", AdminClient.unique("paged"))).path("id").asLong();
        api.post("/rest/v1/lists/" + list + "/leads.json", writer, Map.of("input", input));
        Set<Long> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            Api.Response r = api.get("/rest/v1/lists/" + list + "/leads.json?batchSize=5&fields=email"
                    + (token == null ? "" : "&nextPageToken=" + token), reader);
            for (JsonNode l : r.result()) {
                assertThat(seen.add(l.path("id").asLong())).isTrue();
                assertThat(l.path("email").asString()).isNotEmpty();
            }
            token = r.json().path("nextPageToken").asString(null);
            if (pages++ == 0) {
                api.post("/rest/v1/lists/" + list + "/leads.json", writer, Map.of("input", List.of(Map.of("id", lead(writer)))));
            }
        } while (token != null);
        assertThat(seen).hasSize(13);
        assertThat(api.get("/rest/v1/list/" + list + "/leads.json", reader).result()).hasSize(13);
    }

    @Test
    void listsWhenInAnotherWorkspaceOrMissingThen1013AndLeadsOutsideThePartitionsAre1004() {
        assertThat(api.post("/rest/v1/lists/" + europeList + "/leads.json", writer, Map.of("input", List.of(Map.of("id", 1)))).errorCode())
                .isEqualTo("1013");
        assertThat(api.get("/rest/v1/lists/987654/leads.json", reader).errorCode()).isEqualTo("1013");
        assertThat(api.post("/rest/v1/lists/" + newsletter + "/leads.json", writer, Map.of("input", List.of())).errorCode()).isEqualTo("701");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 301; i++) {
            many.add(Map.of("id", i + 1));
        }
        assertThat(api.post("/rest/v1/lists/" + newsletter + "/leads.json", writer, Map.of("input", many)).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/lists/" + newsletter + "/leads.json", reader, Map.of("input", List.of(Map.of("id", 1)))).errorCode())
                .isEqualTo("603");
    }

    @Test
    void membershipWhenALeadIsInListsThenThoseListsAreReturned() {
        long a = lead(writer);
        api.post("/rest/v1/lists/" + newsletter + "/leads.json", writer, Map.of("input", List.of(Map.of("id", a))));
        Api.Response r = api.get("/rest/v1/leads/" + a + "/listMembership.json", reader);
        assertThat(r.result()).extracting(n -> n.path("id").asLong()).containsExactly(newsletter);
        assertThat(api.get("/rest/v1/leads/987654321/listMembership.json", reader).errorCode()).isEqualTo("1004");
        assertThat(api.get("/rest/v1/leads/" + a + "/listMembership.json", writer).errorCode()).isEqualTo("603");
    }

    @Test
    void campaignsWhenReadThenFilteredByWorkspaceAndTriggerability() {
        Api.Response r = api.get("/rest/v1/campaigns.json", executor);
        assertThat(r.result()).extracting(n -> n.path("name").asString()).contains("Welcome", "Nightly", "Dormant").doesNotContain("European");
        assertThat(SwaggerSchema.responseProblems(SharedSpec.json("swagger-mapi.json"), "GET", "/rest/v1/campaigns.json", r.json()).stream()
                .filter(p -> !p.contains("errors") && !p.contains("warnings")).toList()).isEmpty();
        assertThat(api.get("/rest/v1/campaigns.json?isTriggerable=true", executor).result()).extracting(n -> n.path("name").asString())
                .containsExactly("Welcome");
        assertThat(api.get("/rest/v1/campaigns.json?name=Nightly", executor).result()).hasSize(1);
        assertThat(api.get("/rest/v1/campaigns/" + welcome + ".json", executor).result().get(0).path("type").asString()).isEqualTo("trigger");
        assertThat(api.get("/rest/v1/campaigns.json?isTriggerable=maybe", executor).errorCode()).isEqualTo("1003");
        assertThat(api.get("/rest/v1/campaigns.json", writer).errorCode()).isEqualTo("603");
    }

    @Test
    void requestWhenTriggerCampaignAndVisibleLeadsThenRequestActivitiesAreRecorded() {
        long a = lead(executor);
        Api.Response r = api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", executor, Map.of("input", Map.of(
                "leads", List.of(Map.of("id", a)), "tokens", List.of(Map.of("name", "{{my.Greeting}}", "value", "Hello")))));
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(r.result().get(0).path("id").asLong()).isEqualTo(welcome);
        String token = api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2020-01-01", activities).json().path("nextPageToken").asString();
        JsonNode acts = api.get("/rest/v1/activities.json?activityTypeIds=47&leadIds=" + a + "&nextPageToken=" + token, activities).result();
        assertThat(acts).hasSize(1);
        assertThat(acts.get(0).path("campaignId").asLong()).isEqualTo(welcome);
        assertThat(acts.get(0).path("primaryAttributeValue").asString()).isEqualTo("Welcome");
    }

    @Test
    void requestWhenCampaignOrInputIsWrongThenDocumentedCodesAndNothingRecorded() {
        long a = lead(executor);
        Map<String, Object> leads = Map.of("input", Map.of("leads", List.of(Map.of("id", a))));
        assertThat(api.post("/rest/v1/campaigns/" + nightly + "/trigger.json", executor, leads).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/campaigns/" + dormant + "/trigger.json", executor, leads).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/campaigns/987654/trigger.json", executor, leads).errorCode()).isEqualTo("1013");
        assertThat(api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", executor, Map.of("input", Map.of("leads",
                List.of(Map.of("id", 987654321))))).errorCode()).isEqualTo("1004");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(Map.of("id", a));
        }
        assertThat(api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", executor, Map.of("input", Map.of("leads", many))).errorCode())
                .isEqualTo("1003");
        assertThat(api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", executor, Map.of("input", Map.of("leads", List.of(Map.of("id", a)),
                "tokens", List.of(Map.of("name", "Greeting", "value", "x"))))).errorCode()).isEqualTo("1003");
        assertThat(api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", executor, Map.of()).errorCode()).isEqualTo("701");
        assertThat(api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", writer, leads).errorCode()).isEqualTo("603");
    }

    @Test
    void scheduleWhenBatchCampaignThenAcceptedAndRunAtIsChecked() {
        Api.Response r = api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", executor,
                Map.of("input", Map.of("runAt", Instant.now().plus(Duration.ofDays(1)).toString())));
        assertThat(r.success()).as(r.text()).isTrue();
        assertThat(api.method("POST", "/rest/v1/campaigns/" + nightly + "/schedule.json", executor, null, null).success()).isTrue();
        assertThat(api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", executor,
                Map.of("input", Map.of("runAt", server.clock().instant().plus(Duration.ofDays(800)).toString()))).errorCode()).isEqualTo("1042");
        assertThat(api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", executor, Map.of("input", Map.of("runAt", "tomorrow")))
                .errorCode()).isEqualTo("704");
        assertThat(api.post("/rest/v1/campaigns/" + welcome + "/schedule.json", executor, Map.of()).errorCode()).isEqualTo("1003");
        for (int i = 0; i < 20; i++) {
            assertThat(api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", executor,
                    Map.of("input", Map.of("cloneToProgramName", "Clone " + i))).success()).isTrue();
        }
        assertThat(api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", executor,
                Map.of("input", Map.of("cloneToProgramName", "One too many"))).errorCode()).isEqualTo("1020");
    }

    @Test
    void scheduleWhenManyClonesAreAskedForAtOnceThenTwentyAreScheduledAndTheRestAnswered1020() throws Exception {
        restartServer(); // a fresh instance: none of today's 20 clones used yet
        int calls = 40;
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(calls);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Api.Response>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String program = "Clone " + i;
                sent.add(callers.submit(() -> {
                    go.await();
                    return api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", executor,
                            Map.of("input", Map.of("cloneToProgramName", program)));
                }));
            }
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (java.util.concurrent.Future<Api.Response> f : sent) {
                Api.Response r = f.get();
                outcomes.add(r.success() ? "scheduled" : r.errorCode());
            }
            assertThat(outcomes).filteredOn("scheduled"::equals).hasSize(20);
            assertThat(outcomes).filteredOn("1020"::equals).hasSize(calls - 20);
        } finally {
            callers.shutdownNow();
            restartServer(); // the other tests get a day with clones left
        }
    }

    @Test
    void membersWhenTheSameLeadsAreAddedOrRemovedAtOnceThenEachCallAnswersPerLeadAndEachChangeIsRecordedOnce() {
        List<Map<String, Object>> input = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long id = lead(writer);
            ids.add(id);
            input.add(Map.of("id", id));
        }
        for (String method : List.of("POST", "DELETE")) {
            List<java.util.concurrent.CompletableFuture<Api.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> api.method(method, "/rest/v1/lists/" + newsletter
                        + "/leads.json", writer, "application/json", tools.jackson.databind.json.JsonMapper.shared().writeValueAsString(
                        Map.of("input", input)))));
            }
            List<Api.Response> answers = calls.stream().map(java.util.concurrent.CompletableFuture::join).toList();
            for (Api.Response r : answers) {
                assertThat(r.success()).as(method + " " + r.text()).isTrue();
                assertThat(r.result()).hasSize(5);
            }
            List<String> statuses = answers.stream().flatMap(r -> r.result().valueStream()).map(n -> n.path("status").asString()).toList();
            if (method.equals("POST")) {
                assertThat(statuses).containsOnly("added");
            } else {
                assertThat(statuses).filteredOn("removed"::equals).hasSize(5);
                assertThat(statuses).filteredOn("skipped"::equals).hasSize(25);
            }
        }
        String token = api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2020-01-01", activities).json().path("nextPageToken").asString();
        String leadIds = String.join(",", ids.stream().map(String::valueOf).toList());
        JsonNode acts = api.get("/rest/v1/activities.json?activityTypeIds=24,25&leadIds=" + leadIds + "&nextPageToken=" + token, activities)
                .result();
        assertThat(acts).extracting(n -> n.path("activityTypeId").asInt()).filteredOn(t -> t == 24).hasSize(5);
        assertThat(acts).extracting(n -> n.path("activityTypeId").asInt()).filteredOn(t -> t == 25).hasSize(5);
    }

    @Test
    void requestWhenATokenNameIsHugeOrHoldsControlCharactersThen1003WithAShortCleanEcho() {
        long a = lead(executor);
        Api.Response r = api.post("/rest/v1/campaigns/" + welcome + "/trigger.json", executor, Map.of("input", Map.of("leads",
                List.of(Map.of("id", a)), "tokens", List.of(Map.of("name", "\u0000{{my." + "x".repeat(5000), "value", "v")))));
        assertThat(r.errorCode()).isEqualTo("1003");
        assertThat(r.json().path("errors").get(0).path("message").asString()).doesNotContain("\u0000").hasSizeLessThan(300);
    }
}
