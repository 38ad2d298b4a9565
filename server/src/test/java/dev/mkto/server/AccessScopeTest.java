package dev.mkto.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.OnEveryBackend;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

/**
 * The reach of a valid token: a caller reaches no lead outside the partitions of the workspaces
 * its roles grant, on any path (activities, bulk extract and its files, static lists, campaigns),
 * as its grants are when it calls; it cannot widen its own grants through the User Management
 * API; tokens are accepted only where Marketo accepts them, from addresses the allowlist admits.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class AccessScopeTest extends OnEveryBackend {

    private String europeWriter;   // Read-Write Lead in Europe (EMEA)
    private String asiaWriter;     // Read-Write Lead in Asia (APAC)
    private String allWriter;      // Read-Write Lead in Europe, Asia and Default
    private String europeReader;   // Read-Only Lead, Activity and Assets in Europe
    private String defaultReader;  // Read-Only Lead, Activity and Assets in Default
    private String europeExecutor; // Execute Campaign and Read-Only Campaign in Europe
    private long europeList;
    private long defaultList;
    private long europeCampaign;

    @Override
    protected void fixtures() {
        admin.patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000, "concurrent", 1000)));
        admin.partition("EMEA");
        admin.partition("APAC");
        admin.workspace("Europe", "EMEA");
        admin.workspace("Asia", "APAC");
        admin.role("Writer", "Read-Write Lead");
        admin.role("Reader", "Read-Only Lead", "Read-Only Activity", "Read-Only Assets");
        admin.role("Executor", "Execute Campaign", "Read-Only Campaign");
        europeWriter = token("europe-writer", "Writer@Europe");
        asiaWriter = token("asia-writer", "Writer@Asia");
        allWriter = token("all-writer", "Writer@Europe", "Writer@Asia", "Writer@Default");
        europeReader = token("europe-reader", "Reader@Europe");
        defaultReader = token("default-reader", "Reader@Default");
        europeExecutor = token("europe-executor", "Executor@Europe");
        europeList = admin.create("/lists", Map.of("name", "Europe Only", "workspace", "Europe")).path("id").asLong();
        defaultList = admin.create("/lists", Map.of("name", "Everyone", "workspace", "Default")).path("id").asLong();
        europeCampaign = admin.create("/campaigns", Map.of("name", "European Welcome", "type", "trigger", "workspace", "Europe",
                "requestable", true)).path("id").asLong();
    }

    // ----- helpers ------------------------------------------------------------------------------

    /** An API-only user holding each "Role@Workspace", its service, and that service's credentials. */
    private AdminClient.Service service(String name, String... grants) {
        List<Map<String, String>> roles = new ArrayList<>();
        for (String g : grants) {
            roles.add(Map.of("role", g.substring(0, g.indexOf('@')), "workspace", g.substring(g.indexOf('@') + 1)));
        }
        String email = AdminClient.unique(name) + "@example.com";
        admin.create("/users", Map.of("email", email, "apiOnly", true, "roles", roles));
        return admin.service(AdminClient.unique(name), email);
    }

    private String token(String name, String... grants) {
        return admin.token(service(name, grants));
    }

    private void regrant(AdminClient.Service s, String... grants) {
        List<Map<String, String>> roles = new ArrayList<>();
        for (String g : grants) {
            roles.add(Map.of("role", g.substring(0, g.indexOf('@')), "workspace", g.substring(g.indexOf('@') + 1)));
        }
        Api.Response r = admin.patch("/users/" + s.userId(), Map.of("roles", roles));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    /** Creates a lead (in {@code partition}, or the writer's only primary partition) and returns its id. */
    private long lead(String writer, String partition, String email) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (partition != null) {
            body.put("partitionName", partition);
        }
        body.put("input", List.of(Map.of("email", email, "firstName", "Secret")));
        Api.Response r = api.post("/rest/v1/leads.json", writer, body);
        assertThat(r.result().get(0).path("status").asString()).as(r.text()).isEqualTo("created");
        return r.result().get(0).path("id").asLong();
    }

    private static String email(String prefix) {
        return AdminClient.unique(prefix) + "@example.com";
    }

    private String pagingToken(String token) {
        String since = URLEncoder.encode(server.clock().instant().minus(Duration.ofHours(1)).toString(), StandardCharsets.UTF_8);
        Api.Response r = api.get("/rest/v1/activities/pagingtoken.json?sinceDatetime=" + since, token);
        assertThat(r.success()).as(r.text()).isTrue();
        return r.json().path("nextPageToken").asString();
    }

    private String window() {
        Instant now = server.clock().instant();
        return "{\"startAt\":\"" + now.minus(Duration.ofDays(1)) + "\",\"endAt\":\"" + now.plus(Duration.ofDays(1)) + "\"}";
    }

    private String createLeadExport(String token) {
        Api.Response r = api.post("/bulk/v1/leads/export/create.json", token,
                "{\"fields\":[\"id\",\"email\"],\"filter\":{\"createdAt\":" + window() + "}}");
        assertThat(r.success()).as(r.text()).isTrue();
        return r.result().get(0).path("exportId").asString();
    }

    private void enqueueAndAwait(String token, String exportId) throws InterruptedException {
        Api.Response q = api.post("/bulk/v1/leads/export/" + exportId + "/enqueue.json", token, "");
        assertThat(q.result().get(0).path("status").asString()).as(q.text()).isEqualTo("Queued");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = api.get("/bulk/v1/leads/export/" + exportId + "/status.json", token).result().get(0);
            if (List.of("Completed", "Failed", "Cancelled").contains(s.path("status").asString())) {
                assertThat(s.path("status").asString()).as(s.toString()).isEqualTo("Completed");
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("export " + exportId + " did not finish");
    }

    private boolean visible(String token, long leadId) {
        return !api.get("/rest/v1/lead/" + leadId + ".json", token).result().isEmpty();
    }

    // ----- grants as they are at each call -------------------------------------------------------

    @Test
    void bulkLeadExportWhenCreatorLosesAWorkspaceBeforeEnqueueThenTheFileHoldsNoLeadOfItsPartitions() throws Exception {
        String secret = email("apac-secret");
        String kept = email("emea-kept");
        long id = lead(asiaWriter, null, secret);
        lead(europeWriter, null, kept);
        AdminClient.Service exporter = service("exporter", "Reader@Europe", "Reader@Asia");
        String token = admin.token(exporter);
        String exportId = createLeadExport(token);
        regrant(exporter, "Reader@Europe");
        assertThat(visible(token, id)).as("the APAC lead is no longer visible to the exporter").isFalse();

        enqueueAndAwait(token, exportId);
        Api.Response file = api.get("/bulk/v1/leads/export/" + exportId + "/file.json", token);
        assertThat(file.status()).as(file.text()).isEqualTo(200);
        assertThat(file.text()).as("export run after Asia was revoked").contains(kept).doesNotContain(secret);
    }

    @Test
    void bulkLeadExportFileWhenCreatorLostTheWorkspaceAfterItRanThenItsLeadsAreNotServed() throws Exception {
        String secret = email("apac-file");
        long id = lead(asiaWriter, null, secret);
        AdminClient.Service exporter = service("exporter", "Reader@Europe", "Reader@Asia");
        String token = admin.token(exporter);
        String exportId = createLeadExport(token);
        enqueueAndAwait(token, exportId);
        regrant(exporter, "Reader@Europe");
        assertThat(visible(token, id)).as("the APAC lead is no longer visible to the exporter").isFalse();

        Api.Response file = api.get("/bulk/v1/leads/export/" + exportId + "/file.json", token);
        assertThat(file.errorCode()).as("file asked for after Asia was revoked: %s", file.text()).isEqualTo("603");
        assertThat(file.text()).doesNotContain(secret);

        regrant(exporter, "Reader@Europe", "Reader@Asia");
        Api.Response again = api.get("/bulk/v1/leads/export/" + exportId + "/file.json", token);
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.text()).as("served again once Asia is granted again").contains(secret);
    }

    @Test
    void activitiesWhenLeadMovedToAPartitionTheCallerCannotSeeThenItsHistoryIsHiddenToo() {
        String paging = pagingToken(europeReader);
        long id = lead(europeWriter, null, email("moved"));
        Api.Response move = api.post("/rest/v1/leads/partitions.json", allWriter,
                Map.of("input", List.of(Map.of("id", id, "partitionName", "APAC"))));
        assertThat(move.result().get(0).path("status").asString()).as(move.text()).isEqualTo("updated");
        assertThat(visible(europeReader, id)).as("the lead now lives in APAC").isFalse();

        Api.Response acts = api.get("/rest/v1/activities.json?activityTypeIds=12,100&leadIds=" + id + "&nextPageToken=" + paging, europeReader);
        assertThat(acts.success()).as(acts.text()).isTrue();
        assertThat(acts.result()).as("activities of a lead now in APAC, read by a Europe-only caller: %s", acts.text()).isEmpty();

        String asiaReader = token("asia-reader", "Reader@Asia");
        Api.Response there = api.get("/rest/v1/activities.json?activityTypeIds=12,100&leadIds=" + id + "&nextPageToken=" + paging, asiaReader);
        assertThat(there.result()).as("its whole history (New Lead, Change Lead Partition) moved with it: %s", there.text())
                .extracting(a -> a.path("activityTypeId").asInt()).containsExactlyInAnyOrder(12, 100);
    }

    @Test
    void activitiesWhenListIdNamesAListOfAWorkspaceTheCallerCannotSeeThen1013() {
        long member = lead(allWriter, "Default", email("in-europe-list"));
        Api.Response added = api.post("/rest/v1/lists/" + europeList + "/leads.json", allWriter, Map.of("input", List.of(Map.of("id", member))));
        assertThat(added.result().get(0).path("status").asString()).as(added.text()).isEqualTo("added");
        assertThat(api.get("/rest/v1/lists/" + europeList + ".json", defaultReader).result()).as("the list is hidden from the caller").isEmpty();
        assertThat(api.post("/bulk/v1/leads/export/create.json", defaultReader,
                "{\"fields\":[\"email\"],\"filter\":{\"staticListId\":" + europeList + "}}").errorCode())
                .as("bulk extract already treats the hidden list as missing").isEqualTo("1013");

        String paging = pagingToken(defaultReader);
        Api.Response acts = api.get("/rest/v1/activities.json?activityTypeIds=12&listId=" + europeList + "&nextPageToken=" + paging,
                defaultReader);
        assertThat(acts.errorCode()).as("filtering by a hidden list reveals its members: %s", acts.text()).isEqualTo("1013");
        Api.Response unknown = api.get("/rest/v1/activities.json?activityTypeIds=12&listId=987654321&nextPageToken=" + paging, defaultReader);
        assertThat(acts.json().path("errors").get(0).path("message").asString().replace(String.valueOf(europeList), "N"))
                .as("the same answer as a list that does not exist")
                .isEqualTo(unknown.json().path("errors").get(0).path("message").asString().replace("987654321", "N"));

        String europePaging = pagingToken(europeReader);
        Api.Response own = api.get("/rest/v1/activities.json?activityTypeIds=12&listId=" + europeList + "&nextPageToken=" + europePaging,
                europeReader);
        assertThat(own.success()).as("a list of the caller's own workspace still filters: %s", own.text()).isTrue();
    }

    @Test
    void userManagementWhenAnAccessApiCallerOfOneWorkspaceGrantsItselfAnotherThen403AndItStillCannotReadThatWorkspacesLeads() {
        long apac = lead(asiaWriter, null, email("apac-um"));
        String role = AdminClient.unique("integration");
        admin.role(role, "Access API");
        AdminClient.Service s = service("integration", role + "@Europe");
        String token = admin.token(s);
        assertThat(visible(token, apac)).as("Access API in Europe only").isFalse();

        String base = "/userservice/management/v1/users/";
        long roleId = api.get(base + URLEncoder.encode(s.userEmail(), StandardCharsets.UTF_8) + "/roles.json", token).json().get(0)
                .path("accessRoleId").asLong();
        long asia = 0;
        for (JsonNode w : api.get(base + "workspaces.json", token).json()) {
            if (w.path("name").asString().equals("Asia")) {
                asia = w.path("id").asLong();
            }
        }
        Api.Response grant = api.post(base + URLEncoder.encode(s.userEmail(), StandardCharsets.UTF_8) + "/roles/create.json", token,
                List.of(Map.of("accessRoleId", roleId, "workspaceId", asia)));
        assertThat(grant.status()).as(grant.text()).isEqualTo(403);
        assertThat(visible(token, apac)).as("after the caller's own User Management call answered %s %s", grant.status(), grant.text())
                .isFalse();
    }

    // ----- partitions and workspaces on every path ----------------------------------------------

    @Test
    void activitiesWhenLeadIsInAPartitionTheCallerCannotSeeThenNoneAreReturned() {
        String paging = pagingToken(europeReader);
        long id = lead(asiaWriter, null, email("apac-acts"));
        Api.Response acts = api.get("/rest/v1/activities.json?activityTypeIds=12&leadIds=" + id + "&nextPageToken=" + paging, europeReader);
        assertThat(acts.success()).as(acts.text()).isTrue();
        assertThat(acts.result()).isEmpty();
        Api.Response own = api.get("/rest/v1/activities.json?activityTypeIds=12&leadIds=" + id + "&nextPageToken=" + pagingToken(europeReader),
                asiaWriter);
        assertThat(own.errorCode()).as("Read-Write Lead alone grants no activity access").isEqualTo("603");
    }

    @Test
    void staticListWhenAMemberIsInAPartitionTheCallerCannotSeeThenItIsNotFound() {
        long hidden = lead(allWriter, "EMEA", email("emea-member"));
        long shown = lead(allWriter, "Default", email("default-member"));
        Api.Response added = api.post("/rest/v1/lists/" + defaultList + "/leads.json", allWriter,
                Map.of("input", List.of(Map.of("id", hidden), Map.of("id", shown))));
        assertThat(added.result()).extracting(n -> n.path("status").asString()).containsExactly("added", "added");

        List<Long> members = new ArrayList<>();
        api.get("/rest/v1/lists/" + defaultList + "/leads.json", defaultReader).result().forEach(n -> members.add(n.path("id").asLong()));
        assertThat(members).contains(shown).doesNotContain(hidden);
        Api.Response member = api.get("/rest/v1/lists/" + defaultList + "/leads/ismember.json?id=" + hidden + "," + shown, defaultReader);
        assertThat(member.result().get(0).path("reasons").get(0).path("code").asString()).isEqualTo("1004");
        assertThat(member.result().get(1).path("status").asString()).isEqualTo("memberof");
        assertThat(api.get("/rest/v1/leads/" + hidden + "/listMembership.json", defaultReader).errorCode()).isEqualTo("1004");
        Api.Response removed = api.method("DELETE", "/rest/v1/lists/" + defaultList + "/leads.json?id=" + hidden, asiaWriter, null, null);
        assertThat(removed.errorCode()).as("the list's workspace is not the caller's").isEqualTo("1013");
    }

    @Test
    void bulkLeadExportWhenStaticListBelongsToAnotherWorkspaceThen1013LikeAMissingOne() {
        for (String filter : List.of("{\"staticListId\":" + europeList + "}", "{\"staticListName\":\"Europe Only\"}")) {
            Api.Response r = api.post("/bulk/v1/leads/export/create.json", defaultReader, "{\"fields\":[\"email\"],\"filter\":" + filter + "}");
            assertThat(r.errorCode()).as(filter + " -> " + r.text()).isEqualTo("1013");
        }
    }

    @Test
    void requestCampaignWhenALeadIsOutsideTheCampaignsWorkspaceThen1004() {
        long apac = lead(asiaWriter, null, email("apac-trigger"));
        long emea = lead(europeWriter, null, email("emea-trigger"));
        Api.Response outside = api.post("/rest/v1/campaigns/" + europeCampaign + "/trigger.json", europeExecutor,
                Map.of("input", Map.of("leads", List.of(Map.of("id", emea), Map.of("id", apac)))));
        assertThat(outside.errorCode()).as(outside.text()).isEqualTo("1004");
        Api.Response inside = api.post("/rest/v1/campaigns/" + europeCampaign + "/trigger.json", europeExecutor,
                Map.of("input", Map.of("leads", List.of(Map.of("id", emea)))));
        assertThat(inside.success()).as(inside.text()).isTrue();
        Api.Response notTheirs = api.post("/rest/v1/campaigns/" + europeCampaign + "/trigger.json", token("asia-executor", "Executor@Asia"),
                Map.of("input", Map.of("leads", List.of(Map.of("id", apac)))));
        assertThat(notTheirs.errorCode()).isEqualTo("1013");
    }

    @Test
    void queryTokenWhenTheInstanceAllowsItThenStillRefusedOnUserManagementAndInFormBodies() {
        String token = admin.tokenWith("Access User Management Api", "Read-Only Lead");
        assertThat(admin.patch("/instance", Map.of("allowQueryToken", true)).status()).isEqualTo(200);
        try {
            assertThat(api.get("/rest/v1/leads/describe.json?access_token=" + token, null).success()).isTrue();
            Api.Response um = api.get("/userservice/management/v1/users/allusers.json?access_token=" + token, null);
            assertThat(um.status()).as(um.text()).isEqualTo(401);
            assertThat(um.errorCode()).isEqualTo("600");
            Api.Response form = api.postForm("/rest/v1/leads.json?_method=GET", null,
                    "access_token=" + token + "&filterType=email&filterValues=x%40example.com");
            assertThat(form.errorCode()).as(form.text()).isEqualTo("600");
            Api.Response json = api.post("/rest/v1/leads.json", null, Map.of("access_token", token, "input", List.of()));
            assertThat(json.errorCode()).as(json.text()).isEqualTo("600");
        } finally {
            admin.patch("/instance", Map.of("allowQueryToken", false));
        }
    }

    @Test
    void allowlistWhenNoProxyIsTrustedThenNoForwardingHeaderNamesTheClient() {
        String token = admin.tokenWith("Read-Only Lead");
        Api.Response on = admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("198.51.100.23"))));
        assertThat(on.status()).as(on.text()).isEqualTo(200);
        try {
            for (String[] h : List.of(new String[] {"X-Forwarded-For", "198.51.100.23"}, new String[] {"Forwarded", "for=198.51.100.23"},
                    new String[] {"X-Real-IP", "198.51.100.23"}, new String[] {"True-Client-IP", "198.51.100.23"},
                    new String[] {"X-Client-IP", "198.51.100.23"}, new String[] {"CF-Connecting-IP", "198.51.100.23"})) {
                Api.Response r = api.send(api.request("/rest/v1/leads/describe.json", token).header(h[0], h[1]));
                assertThat(r.errorCode()).as(h[0] + " -> " + r.text()).isEqualTo("603");
            }
            Api.Response bulk = api.send(api.request("/bulk/v1/leads/export.json", token).header("X-Forwarded-For", "198.51.100.23"));
            assertThat(bulk.errorCode()).isEqualTo("603");
        } finally {
            admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", false, "entries", List.of(), "trustedProxies", List.of())));
        }
    }
}
