package dev.mkto.server.leads;

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
import tools.jackson.databind.JsonNode;

/**
 * Workspaces and partitions scope every lead read and write: a caller sees exactly the leads in
 * the partitions of the workspaces where it holds the permission, and nothing else leaks.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class PartitionIsolationTest extends OnEveryBackend {

    private String europe;        // Read-Write Lead in Europe (EMEA)
    private String asia;          // Read-Write Lead in Asia (APAC)
    private String both;          // Read-Write Lead in Europe and Asia
    private String readsEurope;   // Read-Only Lead in Europe, Read-Write Lead in Asia
    private String defaultOnly;   // Read-Write Lead in Default
    private long emeaId;
    private long apacId;

    @Override
    protected void fixtures() {
        emeaId = admin.partition("EMEA");
        apacId = admin.partition("APAC");
        admin.workspace("Europe", "EMEA");
        admin.workspace("Asia", "APAC");
        admin.role("Writer", "Read-Write Lead");
        admin.role("Reader", "Read-Only Lead");
        europe = token("europe", List.of(Map.of("role", "Writer", "workspace", "Europe")));
        asia = token("asia", List.of(Map.of("role", "Writer", "workspace", "Asia")));
        both = token("both", List.of(Map.of("role", "Writer", "workspace", "Europe"), Map.of("role", "Writer", "workspace", "Asia")));
        readsEurope = token("mixed", List.of(Map.of("role", "Reader", "workspace", "Europe"), Map.of("role", "Writer", "workspace", "Asia")));
        defaultOnly = token("default", List.of(Map.of("role", "Writer", "workspace", "Default")));
    }

    private String token(String name, List<Map<String, String>> roles) {
        String email = name + "@example.com";
        admin.create("/users", Map.of("email", email, "apiOnly", true, "roles", roles));
        return admin.token(admin.service(name, email));
    }

    private Api.Response sync(String token, Map<String, Object> body) {
        return api.post("/rest/v1/leads.json", token, body);
    }

    private long create(String token, String email) {
        Api.Response r = sync(token, Map.of("input", List.of(Map.of("email", email))));
        assertThat(r.result().get(0).path("status").asString()).as(r.text()).isEqualTo("created");
        return r.result().get(0).path("id").asLong();
    }

    private JsonNode find(String token, String email) {
        return api.get("/rest/v1/leads.json?filterType=email&filterValues=" + email + "&fields=email,leadPartitionId", token).result();
    }

    private static String code(Api.Response r, int i) {
        return r.result().get(i).path("reasons").get(0).path("code").asString();
    }

    @Test
    void sameEmailInTwoPartitionsThenTwoLeadsEachSeenOnlyByItsWorkspace() {
        String email = AdminClient.unique("shared") + "@example.com";
        long eu = create(europe, email);
        long ap = create(asia, email);
        assertThat(eu).isNotEqualTo(ap);
        assertThat(find(europe, email)).extracting(n -> n.path("id").asLong()).containsExactly(eu);
        assertThat(find(europe, email).get(0).path("leadPartitionId").asLong()).isEqualTo(emeaId);
        assertThat(find(asia, email)).extracting(n -> n.path("id").asLong()).containsExactly(ap);
        assertThat(find(defaultOnly, email)).isEmpty();
        assertThat(find(both, email)).extracting(n -> n.path("id").asLong()).containsExactlyInAnyOrder(eu, ap);
    }

    @Test
    void readWhenLeadIsInAnotherWorkspacesPartitionThenItDoesNotExist() {
        long eu = create(europe, AdminClient.unique("hidden") + "@example.com");
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", asia).result()).isEmpty();
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", defaultOnly).result()).isEmpty();
        assertThat(api.get("/rest/v1/leads.json?filterType=id&filterValues=" + eu, asia).result()).isEmpty();
        assertThat(api.get("/rest/v1/leads.json?filterType=leadPartitionId&filterValues=" + emeaId, asia).result()).isEmpty();
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", europe).result()).hasSize(1);
    }

    @Test
    void writeWhenLeadIsInAnotherWorkspacesPartitionThenNotFoundAndUnchanged() {
        String email = AdminClient.unique("guarded") + "@example.com";
        long eu = create(europe, email);
        Api.Response update = sync(asia, Map.of("action", "updateOnly", "input", List.of(Map.of("id", eu, "firstName", "Hacked"))));
        assertThat(code(update, 0)).isEqualTo("1004");
        Api.Response delete = api.post("/rest/v1/leads/delete.json", asia, Map.of("input", List.of(Map.of("id", eu))));
        assertThat(code(delete, 0)).isEqualTo("1004");
        Api.Response move = api.post("/rest/v1/leads/partitions.json", asia, Map.of("input", List.of(Map.of("id", eu, "partitionName", "APAC"))));
        assertThat(code(move, 0)).isEqualTo("1004");
        JsonNode still = api.get("/rest/v1/lead/" + eu + ".json?fields=firstName,leadPartitionId", europe).result().get(0);
        assertThat(still.has("firstName")).isFalse();
        assertThat(still.path("leadPartitionId").asLong()).isEqualTo(emeaId);
    }

    @Test
    void syncWhenPartitionNotWritableOrUnknownThen1008() {
        Map<String, Object> lead = Map.of("email", AdminClient.unique("p") + "@example.com");
        for (String partition : List.of("APAC", "Default", "Atlantis")) {
            Api.Response r = sync(europe, Map.of("partitionName", partition, "input", List.of(lead)));
            assertThat(code(r, 0)).as(partition).isEqualTo("1008");
            assertThat(r.result().get(0).path("reasons").get(0).path("message").asString())
                    .isEqualTo("Access denied to partition '" + partition + "'");
        }
        Api.Response ok = sync(europe, Map.of("partitionName", "EMEA", "input", List.of(lead)));
        assertThat(ok.result().get(0).path("status").asString()).isEqualTo("created");
    }

    @Test
    void syncWhenPartitionNotWritableOrUnknownThenAnExistingLeadIsNotUpdatedEither() {
        String email = AdminClient.unique("kept") + "@example.com";
        long eu = create(europe, email);
        for (String action : List.of("createOrUpdate", "updateOnly")) {
            for (String partition : List.of("APAC", "Atlantis")) {
                Api.Response r = sync(europe, Map.of("action", action, "partitionName", partition,
                        "input", List.of(Map.of("email", email, "firstName", "Changed"), Map.of("id", eu, "firstName", "Changed"))));
                assertThat(r.result()).as(r.text()).hasSize(2)
                        .allSatisfy(x -> assertThat(x.path("status").asString()).as("%s %s: %s", action, partition, r.text()).isEqualTo("skipped"));
                // the second record names id: refused as such outside updateOnly, else by the partition
                assertThat(code(r, 0)).as("%s %s: %s", action, partition, r.text()).isEqualTo("1008");
                assertThat(code(r, 1)).as("%s %s: %s", action, partition, r.text()).isEqualTo(action.equals("updateOnly") ? "1008" : "1003");
            }
        }
        assertThat(api.get("/rest/v1/lead/" + eu + ".json?fields=firstName", europe).result().get(0).has("firstName")).isFalse();
        Api.Response own = sync(europe, Map.of("partitionName", "EMEA", "input", List.of(Map.of("email", email, "firstName", "Mine"))));
        assertThat(own.result().get(0).path("status").asString()).as(own.text()).isEqualTo("updated");
    }

    @Test
    void syncWhenCallerWritesSeveralWorkspacesWithoutPartitionNameThen1009() {
        String email = AdminClient.unique("which") + "@example.com";
        Api.Response r = sync(both, Map.of("input", List.of(Map.of("email", email))));
        assertThat(code(r, 0)).isEqualTo("1009");
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString()).isEqualTo("Partition name must be specified");
        Api.Response named = sync(both, Map.of("partitionName", "APAC", "input", List.of(Map.of("email", email))));
        assertThat(named.result().get(0).path("status").asString()).isEqualTo("created");
        assertThat(find(both, email).get(0).path("leadPartitionId").asLong()).isEqualTo(apacId);
    }

    @Test
    void syncWhenUpdateByIdNamesAnotherPartitionThen1010() {
        long eu = create(europe, AdminClient.unique("stay") + "@example.com");
        Api.Response r = sync(both, Map.of("action", "updateOnly", "partitionName", "APAC",
                "input", List.of(Map.of("id", eu, "firstName", "Moved"))));
        assertThat(code(r, 0)).isEqualTo("1010");
        assertThat(r.result().get(0).path("reasons").get(0).path("message").asString()).isEqualTo("Partition update not allowed");
    }

    @Test
    void writeWhenLeadIsReadOnlyToCallerThen1008ButItStaysReadable() {
        long eu = create(europe, AdminClient.unique("ro") + "@example.com");
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", readsEurope).result()).hasSize(1);
        Api.Response update = sync(readsEurope, Map.of("action", "updateOnly", "input", List.of(Map.of("id", eu, "firstName", "No"))));
        assertThat(code(update, 0)).isEqualTo("1008");
        Api.Response delete = api.post("/rest/v1/leads/delete.json", readsEurope, Map.of("input", List.of(Map.of("id", eu))));
        assertThat(code(delete, 0)).isEqualTo("1008");
        Api.Response move = api.post("/rest/v1/leads/partitions.json", readsEurope, Map.of("input", List.of(Map.of("id", eu, "partitionName", "APAC"))));
        assertThat(code(move, 0)).isEqualTo("1008");
    }

    @Test
    void moveWhenCallerWritesBothPartitionsThenLeadMovesAndVisibilityFollows() {
        String email = AdminClient.unique("mover") + "@example.com";
        long eu = create(europe, email);
        Api.Response move = api.post("/rest/v1/leads/partitions.json", both, Map.of("input", List.of(Map.of("id", eu, "partitionName", "APAC"))));
        assertThat(move.result().get(0).path("status").asString()).isEqualTo("updated");
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", europe).result()).isEmpty();
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", asia).result()).hasSize(1);
        Api.Response back = api.post("/rest/v1/leads/partitions.json", asia, Map.of("input", List.of(Map.of("id", eu, "partitionName", "EMEA"))));
        assertThat(code(back, 0)).isEqualTo("1008");
    }

    @Test
    void partitionsWhenListedThenOnlyTheCallersOwn() {
        assertThat(api.get("/rest/v1/leads/partitions.json", europe).result()).extracting(n -> n.path("name").asString()).containsExactly("EMEA");
        assertThat(api.get("/rest/v1/leads/partitions.json", both).result()).extracting(n -> n.path("name").asString())
                .containsExactlyInAnyOrder("EMEA", "APAC");
        assertThat(api.get("/rest/v1/leads/partitions.json", readsEurope).result()).extracting(n -> n.path("name").asString())
                .containsExactlyInAnyOrder("EMEA", "APAC");
    }

    @Test
    void grantsWhenRoleMovesToAnotherWorkspaceThenVisibilityChangesAtOnce() {
        String email = AdminClient.unique("regrant") + "@example.com";
        admin.create("/users", Map.of("email", email, "apiOnly", true, "roles", List.of(Map.of("role", "Writer", "workspace", "Europe"))));
        AdminClient.Service s = admin.service(AdminClient.unique("regrant"), email);
        String token = admin.token(s);
        long eu = create(token, AdminClient.unique("r") + "@example.com");
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", token).result()).hasSize(1);
        assertThat(admin.patch("/users/" + s.userId(), Map.of("roles", List.of(Map.of("role", "Writer", "workspace", "Asia")))).status())
                .isEqualTo(200);
        assertThat(api.get("/rest/v1/lead/" + eu + ".json", token).result()).isEmpty();
    }
}
