package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NUL (U+0000) and half a surrogate pair in every kind of input the API reads. H2 stores them;
 * PostgreSQL text cannot hold NUL and refuses to bind it, which made these 611s and 500s there, and
 * stores half a surrogate pair as '?'. The answers are the same on both: a value holding either is
 * invalid (1001, 1003, 400), a lookup with one finds nothing.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class NulCharacterTest extends OnEveryBackend {

    private static final String UM = "/userservice/management/v1/users";
    private String token;

    @Override
    protected void fixtures() {
        admin.create("/fields", Map.of("name", "nickname", "dataType", "string"));
        admin.create("/fields", Map.of("name", "notes", "dataType", "text"));
        token = admin.tokenWith("Access API");
    }

    @Test
    void syncWhenAValueHoldsNulThenRecordSkippedWith1001() {
        for (String field : List.of("firstName", "address", "phone", "website", "nickname", "notes")) {
            Api.Response r = api.post("/rest/v1/leads.json", token,
                    Map.of("input", List.of(Map.of("email", AdminClient.unique("nul") + "@example.com", field, "a\u0000b"))));
            assertThat(r.success()).as("%s: %s", field, r.text()).isTrue();
            assertThat(r.result().get(0).path("reasons").get(0).path("code").asString()).as("%s: %s", field, r.text()).isEqualTo("1001");
        }
    }

    @Test
    void syncWhenAValueHoldsHalfASurrogatePairThenRecordSkippedWith1001() {
        for (String field : List.of("firstName", "address", "nickname", "notes")) {
            for (String half : List.of("\\ud800", "a\\udc00b", "x\\ud83d")) {
                Api.Response r = api.post("/rest/v1/leads.json", token, "{\"input\":[{\"email\":\"" + AdminClient.unique("half")
                        + "@example.com\",\"" + field + "\":\"" + half + "\"}]}");
                assertThat(r.success()).as("%s %s: %s", field, half, r.text()).isTrue();
                assertThat(r.result().get(0).path("reasons").get(0).path("code").asString()).as("%s %s: %s", field, half, r.text())
                        .isEqualTo("1001");
            }
        }
        Api.Response whole = api.post("/rest/v1/leads.json", token, "{\"input\":[{\"email\":\"" + AdminClient.unique("pair")
                + "@example.com\",\"firstName\":\"\\ud83d\\ude00\"}]}");
        assertThat(whole.result().get(0).path("status").asString()).as(whole.text()).isEqualTo("created");
        long id = whole.result().get(0).path("id").asLong();
        assertThat(api.get("/rest/v1/lead/" + id + ".json?fields=firstName", token).result().get(0).path("firstName").asString())
                .isEqualTo("\ud83d\ude00");
    }

    @Test
    void customActivityWhenPrimaryValueHoldsNulOrHalfAPairOrIsNotTextThenSkippedWith1001() {
        Api.Response type = api.post("/rest/v1/activities/external/type.json", token, Map.of("apiName", "nulact", "name", "Nul Act",
                "triggerName", "Nul acts", "filterName", "Nul acted", "primaryAttribute", Map.of("apiName", "what", "name", "What")));
        assertThat(type.success()).as(type.text()).isTrue();
        long typeId = type.result().get(0).path("id").asLong();
        assertThat(api.post("/rest/v1/activities/external/type/nulact/approve.json", token, "").success()).isTrue();
        long lead = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", AdminClient.unique("act") + "@example.com"))))
                .result().get(0).path("id").asLong();
        String head = "{\"input\":[{\"activityDate\":\"2026-12-01T00:00:00Z\",\"activityTypeId\":" + typeId + ",";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("nul", "\"leadId\":" + lead + ",\"primaryAttributeValue\":\"a\\u0000b\"");
        cases.put("half a pair", "\"leadId\":" + lead + ",\"primaryAttributeValue\":\"a\\ud800\"");
        cases.put("an object", "\"leadId\":" + lead + ",\"primaryAttributeValue\":{\"a\":1}");
        cases.put("a text lead id", "\"leadId\":\"x\",\"primaryAttributeValue\":\"ok\"");
        cases.forEach((what, record) -> {
            Api.Response r = api.post("/rest/v1/activities/external.json", token, head + record + "}]}");
            assertThat(r.success()).as("%s: %s", what, r.text()).isTrue();
            assertThat(r.result().get(0).path("status").asString()).as("%s: %s", what, r.text()).isEqualTo("skipped");
            assertThat(r.result().get(0).path("errors").get(0).path("code").asString()).as("%s: %s", what, r.text()).isEqualTo("1001");
        });
        Api.Response missing = api.post("/rest/v1/activities/external.json", token, head + "\"primaryAttributeValue\":\"ok\"}]}");
        assertThat(missing.result().get(0).path("errors").get(0).path("code").asString()).as(missing.text()).isEqualTo("1002");
        Api.Response fine = api.post("/rest/v1/activities/external.json", token, head + "\"leadId\":" + lead
                + ",\"primaryAttributeValue\":\"\\ud83d\\ude00\"}]}");
        assertThat(fine.result().get(0).path("status").asString()).as(fine.text()).isEqualTo("added");
    }

    @Test
    void bulkExportWhenAJobIdOrAHeaderNameHoldsNulThen1013Or1003() {
        for (String call : List.of("status.json", "enqueue.json", "cancel.json", "file.json")) {
            for (String kind : List.of("leads", "activities")) {
                String path = "/bulk/v1/" + kind + "/export/a%00b%0A05:57:00.000%20INFO%20forged/" + call;
                Api.Response r = call.equals("status.json") || call.equals("file.json") ? api.get(path, token) : api.post(path, token, "");
                assertThat(r.errorCode()).as("%s: %s", path, r.text()).isEqualTo("1013");
            }
        }
        Api.Response header = api.post("/bulk/v1/leads/export/create.json", token, "{\"fields\":[\"email\"],\"columnHeaderNames\":"
                + "{\"email\":\"a\\u0000b\"},\"filter\":{\"createdAt\":{\"startAt\":\"2026-11-01T00:00:00Z\",\"endAt\":\"2026-11-15T00:00:00Z\"}}}");
        assertThat(header.errorCode()).as(header.text()).isEqualTo("1003");
    }

    @Test
    void campaignWhenCloneNameOrTokenHoldsNulOrHalfAPairThen1003() {
        long nightly = admin.create("/campaigns", Map.of("name", AdminClient.unique("Nightly"), "type", "batch")).path("id").asLong();
        for (String bad : List.of("a\\u0000b", "a\\udfffb")) {
            Api.Response clone = api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", token,
                    "{\"input\":{\"cloneToProgramName\":\"" + bad + "\"}}");
            assertThat(clone.errorCode()).as(clone.text()).isEqualTo("1003");
            Api.Response tokenValue = api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", token,
                    "{\"input\":{\"tokens\":[{\"name\":\"{{my.x}}\",\"value\":\"" + bad + "\"}]}}");
            assertThat(tokenValue.errorCode()).as(tokenValue.text()).isEqualTo("1003");
        }
        assertThat(api.post("/rest/v1/campaigns/" + nightly + "/schedule.json", token,
                "{\"input\":{\"cloneToProgramName\":\"Clone \\ud83d\\ude00\"}}").success()).isTrue();
    }

    @Test
    void partitionNameWhenItHoldsNulThen1008() {
        Api.Response sync = api.post("/rest/v1/leads.json", token, Map.of("partitionName", "Default\u0000",
                "input", List.of(Map.of("email", AdminClient.unique("nul") + "@example.com"))));
        assertThat(sync.result().get(0).path("reasons").get(0).path("code").asString()).as(sync.text()).isEqualTo("1008");
        long id = api.post("/rest/v1/leads.json", token, Map.of("input", List.of(Map.of("email", AdminClient.unique("nul") + "@example.com"))))
                .result().get(0).path("id").asLong();
        Api.Response move = api.post("/rest/v1/leads/partitions.json", token,
                Map.of("input", List.of(Map.of("id", id, "partitionName", "\u0000"))));
        assertThat(move.result().get(0).path("reasons").get(0).path("code").asString()).as(move.text()).isEqualTo("1008");
    }

    @Test
    void queryWhenAFilterValueHoldsNulThenNothingMatches() {
        for (String filterType : List.of("email", "sfdcLeadId", "nickname", "id", "leadPartitionId")) {
            Api.Response r = api.get("/rest/v1/leads.json?filterType=" + filterType + "&filterValues=a%00b,%00", token);
            assertThat(r.success()).as("%s: %s", filterType, r.text()).isTrue();
            assertThat(r.result()).isEmpty();
        }
    }

    @Test
    void userManagementWhenUserIdOrAddressHoldsNulThen404Or400() {
        Api.Response user = api.get(UM + "/a%00b@example.com/user.json", token);
        assertThat(user.status()).as(user.text()).isEqualTo(404);
        Api.Response invite = api.post(UM + "/invite.json", token, Map.of("emailAddress", "a\u0000b@example.com", "firstName", "A",
                "lastName", "B", "userRoleWorkspaces", List.of(Map.of("accessRoleId", 1, "workspaceId", 1))));
        assertThat(invite.status()).as(invite.text()).isEqualTo(400);
    }

    @Test
    void identityWhenClientIdHoldsNulThenUnauthorized() {
        Api.Response r = api.get("/identity/oauth/token?grant_type=client_credentials&client_id=a%00b&client_secret=x", null);
        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.json().path("error").asString()).isEqualTo("unauthorized");
    }
}
