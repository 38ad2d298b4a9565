package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.client.StandIn.Reply;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The requests the typed calls send and how they read answers in every shape Adobe's swagger
 * description allows, including ones mkto-server never gives (results reordered or merged, warnings
 * as strings, pages of exact sizes), against a local endpoint answering in those shapes.
 */
class ApiShapesTest {

    private final StandIn marketo = new StandIn();
    private final MarketoClient client = marketo.client();

    @AfterEach
    void stop() {
        marketo.close();
    }

    private static String decoded(String query) {
        return URLDecoder.decode(query, StandardCharsets.UTF_8);
    }

    @Test
    void activitiesSinceWhenSeveralPagesThenFollowsMoreResultAndReturnsTheTokenToPollFrom() {
        marketo.script("GET /rest/v1/activities/pagingtoken.json",
                Reply.json("{\"requestId\":\"p#1\",\"success\":true,\"nextPageToken\":\"GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ\"}"));
        marketo.script("GET /rest/v1/activities.json",
                Reply.json("{\"requestId\":\"a#1\",\"success\":true,\"nextPageToken\":\"T2\",\"moreResult\":true,\"result\":["
                        + "{\"id\":1,\"marketoGUID\":\"g1\",\"leadId\":10,\"activityDate\":\"2026-11-20T10:00:00Z\",\"activityTypeId\":1,"
                        + "\"primaryAttributeValueId\":5,\"primaryAttributeValue\":\"Home\",\"attributes\":[{\"name\":\"Client IP Address\",\"value\":\"10.0.0.1\"}]}]}"),
                Reply.json("{\"requestId\":\"a#2\",\"success\":true,\"nextPageToken\":\"T3\",\"moreResult\":true,\"result\":[]}"),
                Reply.json("{\"requestId\":\"a#3\",\"success\":true,\"nextPageToken\":\"T4\",\"moreResult\":false,\"result\":["
                        + "{\"id\":2,\"marketoGUID\":\"g2\",\"leadId\":11,\"activityDate\":\"2026-11-21T10:00:00Z\",\"activityTypeId\":12,\"campaignId\":77,\"attributes\":[]}]}"));

        ApiResult<Activities.Batch> r = client.activities().since(Instant.parse("2026-11-20T00:00:00Z"), List.of(1, 12));

        assertThat(r.success()).isTrue();
        Activities.Batch batch = r.orElseThrow();
        assertThat(batch.activities()).extracting(Activities.Activity::marketoGuid).containsExactly("g1", "g2");
        assertThat(batch.activities().get(0).attributes()).containsEntry("Client IP Address", "10.0.0.1");
        assertThat(batch.activities().get(0).primaryAttributeValue()).contains("Home");
        assertThat(batch.activities().get(1).campaignId()).contains(77L);
        assertThat(batch.nextPageToken()).isEqualTo("T4");
        assertThat(r.requestIds()).containsExactly("p#1", "a#1", "a#2", "a#3");
        assertThat(decoded(marketo.requests("/rest/v1/activities/pagingtoken.json").get(0).query()))
                .isEqualTo("sinceDatetime=2026-11-20T00:00:00Z");
        assertThat(marketo.requests("/rest/v1/activities.json")).extracting(q -> decoded(q.query())).containsExactly(
                "nextPageToken=GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ&activityTypeIds=1,12",
                "nextPageToken=T2&activityTypeIds=1,12",
                "nextPageToken=T3&activityTypeIds=1,12");
    }

    @Test
    void activitiesPollWhenTheNextPageTokensComeRoundAgainThenStopsInsteadOfReadingTheSamePagesForEver() {
        List<Reply> replies = new java.util.ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            replies.add(Reply.json("{\"requestId\":\"a#" + i + "\",\"success\":true,\"nextPageToken\":\"" + (i % 2 == 1 ? "T2" : "T3")
                    + "\",\"moreResult\":true,\"result\":[]}"));
        }
        marketo.script("GET /rest/v1/activities.json", replies.toArray(Reply[]::new));

        ApiResult<Activities.Batch> r = client.activities().poll("T1", List.of(1));

        assertThat(r.success()).isTrue();
        assertThat(marketo.requests("/rest/v1/activities.json")).extracting(q -> decoded(q.query())).containsExactly(
                "nextPageToken=T1&activityTypeIds=1", "nextPageToken=T2&activityTypeIds=1", "nextPageToken=T3&activityTypeIds=1");
        assertThat(r.orElseThrow().nextPageToken()).isEqualTo("T2");
    }

    @Test
    void activitiesWhenMoreThanTenTypesOrThirtyLeadsThenRefusedBeforeAnyRequest() {
        List<Integer> eleven = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThatThrownBy(() -> client.activities().poll("T", eleven)).hasMessageContaining("activityTypeIds must hold 1 to 10");
        List<Long> leads = LongStream.rangeClosed(1, 31).boxed().toList();
        assertThatThrownBy(() -> client.activities().poll("T", List.of(1), leads)).hasMessageContaining("at most 30");
        assertThat(marketo.requests()).isEmpty();
    }

    @Test
    void activityTypesWhenListedThenAttributesByName() {
        marketo.script("GET /rest/v1/activities/types.json", Reply.ok("[{\"id\":1,\"name\":\"Visit Webpage\",\"description\":\"User visits a web page\","
                + "\"primaryAttribute\":{\"name\":\"Webpage ID\",\"dataType\":\"integer\"},"
                + "\"attributes\":[{\"name\":\"Client IP Address\",\"dataType\":\"string\"}]}]"));

        Activities.Type t = client.activities().types().orElseThrow().get(0);

        assertThat(t.id()).isEqualTo(1);
        assertThat(t.primaryAttribute()).contains("Webpage ID");
        assertThat(t.attributes()).containsEntry("Client IP Address", "string");
    }

    @Test
    void campaignRequestWhen250LeadsThenThreeRequestsOfAtMost100WithTheTokens() {
        List<Long> leads = LongStream.rangeClosed(1, 250).boxed().toList();
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("{{my.Offer}}", "20% off");

        ApiResult<Integer> r = client.campaigns().request(42, leads, tokens);

        assertThat(r.orElseThrow()).isEqualTo(250);
        List<StandIn.Request> sent = marketo.requests("/rest/v1/campaigns/42/trigger.json");
        assertThat(sent).hasSize(3);
        assertThat(sent.get(0).body()).startsWith("{\"input\":{\"leads\":[{\"id\":1},{\"id\":2},")
                .endsWith("{\"id\":100}],\"tokens\":[{\"name\":\"{{my.Offer}}\",\"value\":\"20% off\"}]}}");
        assertThat(sent.get(2).body()).contains("{\"id\":201}").contains("{\"id\":250}]");
        assertThat(sent.get(0).contentType()).isEqualTo("application/json");
    }

    @Test
    void campaignScheduleWhenRunAtAndCloneGivenThenTheyAreInTheInput() {
        marketo.script("POST /rest/v1/campaigns/7/schedule.json", Reply.ok("[{\"id\":7}]"));

        ApiResult<Long> r = client.campaigns().schedule(7, Instant.parse("2026-12-01T09:00:00Z"), Map.of("{{my.x}}", "y"), "Clone of Webinar");

        assertThat(r.orElseThrow()).isEqualTo(7L);
        assertThat(marketo.requests("/rest/v1/campaigns/7/schedule.json").get(0).body()).isEqualTo(
                "{\"input\":{\"runAt\":\"2026-12-01T09:00:00Z\",\"tokens\":[{\"name\":\"{{my.x}}\",\"value\":\"y\"}],\"cloneToProgramName\":\"Clone of Webinar\"}}");
    }

    @Test
    void campaignsWhenListedThenEveryPageAndTheirFields() {
        marketo.script("GET /rest/v1/campaigns.json",
                Reply.json("{\"requestId\":\"c#1\",\"success\":true,\"nextPageToken\":\"N2\",\"result\":[{\"id\":1,\"name\":\"Welcome\",\"type\":\"trigger\","
                        + "\"programId\":9,\"programName\":\"Onboarding\",\"workspaceName\":\"Default\",\"active\":true,\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-02T00:00:00Z\"}]}"),
                Reply.json("{\"requestId\":\"c#2\",\"success\":true,\"result\":[{\"id\":2,\"name\":\"Nurture\",\"type\":\"batch\",\"active\":false,"
                        + "\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-02T00:00:00Z\"}]}"));

        List<Campaigns.Campaign> all = client.campaigns().all().orElseThrow();

        assertThat(all).extracting(Campaigns.Campaign::name).containsExactly("Welcome", "Nurture");
        assertThat(all.get(0).programId()).contains(9L);
        assertThat(all.get(0).active()).isTrue();
        assertThat(all.get(1).programId()).isEmpty();
        assertThat(marketo.requests("/rest/v1/campaigns.json")).extracting(StandIn.Request::query).containsExactly("", "nextPageToken=N2");
    }

    @Test
    void staticListsWhenMembersAddedRemovedAndTestedThenTheirRequestsAndPerLeadResults() {
        marketo.script("POST /rest/v1/lists/5/leads.json", Reply.ok("[{\"id\":1,\"status\":\"added\"},{\"id\":2,\"status\":\"skipped\",\"reasons\":[{\"code\":\"1004\",\"message\":\"Lead not found\"}]}]"));
        marketo.script("DELETE /rest/v1/lists/5/leads.json", Reply.ok("[{\"id\":1,\"status\":\"removed\"},{\"id\":2,\"status\":\"removed\"}]"));
        marketo.script("GET /rest/v1/lists/5/leads/ismember.json", Reply.ok("[{\"id\":1,\"status\":\"memberof\"},{\"id\":2,\"status\":\"notmemberof\"}]"));

        List<RecordResult> added = client.lists().add(5, List.of(1L, 2L)).orElseThrow();
        List<RecordResult> removed = client.lists().remove(5, List.of(1L, 2L)).orElseThrow();
        List<RecordResult> member = client.lists().contains(5, List.of(1L, 2L)).orElseThrow();

        assertThat(added).extracting(RecordResult::status).containsExactly("added", "skipped");
        assertThat(added.get(1).reasons()).containsExactly(new MarketoError("1004", "Lead not found"));
        assertThat(removed).extracting(RecordResult::status).containsExactly("removed", "removed");
        assertThat(member).extracting(RecordResult::status).containsExactly("memberof", "notmemberof");
        assertThat(marketo.requests("/rest/v1/lists/5/leads.json")).extracting(StandIn.Request::method, StandIn.Request::body).containsExactly(
                org.assertj.core.groups.Tuple.tuple("POST", "{\"input\":[{\"id\":1},{\"id\":2}]}"),
                org.assertj.core.groups.Tuple.tuple("DELETE", "{\"input\":[{\"id\":1},{\"id\":2}]}"));
        assertThat(decoded(marketo.requests("/rest/v1/lists/5/leads/ismember.json").get(0).query())).isEqualTo("id=1,2");
    }

    @Test
    void staticListChangesWhenResultsComeReorderedOrMergedThenEachLeadGetsTheResultCarryingItsId() {
        marketo.script("POST /rest/v1/lists/5/leads.json",
                Reply.ok("[{\"id\":1,\"status\":\"added\"},{\"id\":2,\"status\":\"skipped\",\"reasons\":[{\"code\":\"1004\",\"message\":\"Lead not found\"}]},"
                        + "{\"id\":3,\"status\":\"added\"}]"),
                Reply.ok("[{\"id\":1,\"status\":\"added\"},{\"id\":2,\"status\":\"added\"}]"));

        List<RecordResult> reordered = client.lists().add(5, List.of(3L, 2L, 1L)).orElseThrow();
        List<RecordResult> merged = client.lists().add(5, List.of(1L, 1L, 2L, 4L)).orElseThrow();

        assertThat(reordered).extracting(x -> x.id().orElseThrow(), RecordResult::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(3L, "added"), org.assertj.core.groups.Tuple.tuple(2L, "skipped"),
                org.assertj.core.groups.Tuple.tuple(1L, "added"));
        assertThat(reordered.get(1).reasons()).extracting(MarketoError::code).containsExactly("1004");
        assertThat(merged).extracting(RecordResult::index, RecordResult::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, "added"), org.assertj.core.groups.Tuple.tuple(1, "added"),
                org.assertj.core.groups.Tuple.tuple(2, "added"), org.assertj.core.groups.Tuple.tuple(3, "unknown"));
        assertThat(merged.get(3).succeeded()).isFalse();
    }

    @Test
    void staticListMembersWhen650ThenThreePagesOfLeads() {
        for (int page = 0; page < 3; page++) {
            List<String> leads = new ArrayList<>();
            for (int i = 0; i < (page < 2 ? 300 : 50); i++) {
                long id = page * 300L + i + 1;
                leads.add("{\"id\":" + id + ",\"email\":\"m" + id + "@example.com\"}");
            }
            String token = page < 2 ? ",\"nextPageToken\":\"P" + (page + 2) + "\"" : "";
            marketo.script("GET /rest/v1/lists/9/leads.json", Reply.json("{\"requestId\":\"l#" + page + "\",\"success\":true" + token
                    + ",\"result\":[" + String.join(",", leads) + "]}"));
        }

        ApiResult<List<Lead>> r = client.lists().members(9, List.of("email"));

        assertThat(r.orElseThrow()).hasSize(650).extracting(Lead::id).doesNotHaveDuplicates();
        assertThat(marketo.requests("/rest/v1/lists/9/leads.json")).extracting(q -> decoded(q.query()))
                .containsExactly("fields=email", "fields=email&nextPageToken=P2", "fields=email&nextPageToken=P3");
    }

    @Test
    void staticListsWhenListedAndFetchedByIdThenTheirFields() {
        marketo.script("GET /rest/v1/lists/5.json", Reply.ok("[{\"id\":5,\"name\":\"Webinar\",\"programName\":\"Events\",\"workspaceName\":\"Default\","
                + "\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-02T00:00:00Z\"}]"));
        marketo.script("GET /rest/v1/lists/6.json", Reply.ok("[]"));

        assertThat(client.lists().byId(5).orElseThrow()).map(StaticLists.StaticList::programName).contains("Events");
        assertThat(client.lists().byId(6).orElseThrow()).isEmpty();
    }

    @Test
    void usageStatsWhenAnsweredThenCallsPerUserAndErrorsPerCodePerDay() {
        marketo.script("GET /rest/v1/stats/usage/last7days.json", Reply.ok("[{\"date\":\"2026-11-22\",\"total\":1120,\"users\":["
                + "{\"userId\":\"sync@example.com\",\"count\":1000},{\"userId\":\"crm@example.com\",\"count\":120}]},"
                + "{\"date\":\"2026-11-23T00:00:00Z\",\"total\":5,\"users\":[{\"userId\":\"sync@example.com\",\"count\":5}]}]"));
        marketo.script("GET /rest/v1/stats/errors.json", Reply.ok("[{\"date\":\"2026-11-23\",\"total\":3,\"errors\":["
                + "{\"errorCode\":\"606\",\"count\":2},{\"errorCode\":\"1004\",\"count\":1}]}]"));

        List<Stats.DailyUsage> usage = client.stats().usageLast7Days().orElseThrow();
        List<Stats.DailyErrors> errors = client.stats().errors().orElseThrow();

        assertThat(usage).extracting(Stats.DailyUsage::date).containsExactly(LocalDate.of(2026, 11, 22), LocalDate.of(2026, 11, 23));
        assertThat(usage.get(0).total()).isEqualTo(1120);
        assertThat(usage.get(0).users()).containsExactly(Map.entry("sync@example.com", 1000L), Map.entry("crm@example.com", 120L));
        assertThat(errors.get(0).errors()).containsEntry("606", 2L).containsEntry("1004", 1L);
    }

    @Test
    void warningsWhenMarketoGivesThemAsStringsOrObjectsThenBothRead() {
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.json("{\"requestId\":\"w#1\",\"success\":true,\"result\":[],"
                + "\"warnings\":[\"No assets found for the given search criteria.\",{\"code\":1003,\"message\":\"Deprecated\"}]}"));

        ApiResult<List<Leads.Partition>> r = client.leads().partitions();

        assertThat(r.warnings()).containsExactly(new MarketoError("", "No assets found for the given search criteria."),
                new MarketoError("1003", "Deprecated"));
    }

    @Test
    void answerWhenNotJsonOrAnHttpErrorThenAFailureValueNamingIt() {
        marketo.script("GET /rest/v1/leads/partitions.json", new Reply(502, "<html>Bad Gateway</html>", false),
                new Reply(502, "<html>Bad Gateway</html>", false), new Reply(413, "", false));
        MarketoClient once = marketo.builder(new RecordingTrace()).retries(1).build();

        ApiResult<List<Leads.Partition>> gateway = once.leads().partitions();
        assertThat(gateway.errors()).containsExactly(new MarketoError("502", "Bad Gateway"));
        ApiResult<List<Leads.Partition>> tooLarge = once.leads().partitions();
        assertThat(tooLarge.errors()).containsExactly(new MarketoError("413", "Request Entity Too Large"));
    }

    @Test
    void genericCallWhenPathIsNotBelowTheBaseUrlThenRefused() {
        assertThatThrownBy(() -> client.get("v1/leads.json", Map.of())).hasMessageContaining("path must start with /rest/");
        assertThatThrownBy(() -> client.get("/rest/v1/leads.json?filterType=id", Map.of())).hasMessageContaining("query map");
        assertThatThrownBy(() -> client.call("TRACE", "/rest/v1/leads.json", Map.of(), null, true)).hasMessageContaining("method");
    }
}
