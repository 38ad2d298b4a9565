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
 * NUL (U+0000) in every kind of input the API reads. H2 stores it; PostgreSQL text cannot hold it
 * and refuses to bind it, which made these 611s and 500s there. The answers are the same on both:
 * a value with NUL is invalid (1001, 400), a lookup with NUL finds nothing.
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
