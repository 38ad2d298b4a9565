package dev.mkto.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.SwaggerSchema;
import dev.mkto.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Marketo's User Management API ({@code /userservice/management/v1/users/…}), every endpoint over
 * HTTP through a custom service whose role holds "Access User Management Api"; successful bodies
 * are held against Adobe's swagger-user.json.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserManagementApiTest {

    private static final String USERS = "/userservice/management/v1/users";
    private static final String DATETIME = "\\d{8}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}t[+-]\\d{4}";
    private static final DateTimeFormatter MARKETO = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm:ss.SSS't'xx");

    private TestServer server;
    private Api api;
    private AdminClient admin;
    private AdminClient.Service manager;
    private AdminClient.Service lacksPermission;
    private String readerRole;
    private long readerRoleId;
    private long writerRoleId;
    private long defaultWorkspaceId;
    private long europeWorkspaceId;
    private String europeWorkspace;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        api = server.api();
        admin = server.admin();
        europeWorkspace = AdminClient.unique("Europe");
        europeWorkspaceId = admin.workspace(europeWorkspace, "Default");
        String managerRole = AdminClient.unique("Manager");
        admin.role(managerRole, "Access User Management Api");
        String managerEmail = AdminClient.unique("manager") + "@example.com";
        admin.apiUser(managerEmail, managerRole, "Default", europeWorkspace);
        manager = admin.service(AdminClient.unique("svc"), managerEmail);
        lacksPermission = admin.serviceWith("Read-Write Lead", "Read-Write Activity");
        readerRole = AdminClient.unique("Reader");
        readerRoleId = admin.role(readerRole, "Read-Only Lead");
        writerRoleId = admin.role(AdminClient.unique("Writer"), "Read-Write Lead");
        for (JsonNode w : admin.get("/workspaces").json()) {
            if (w.path("name").asString().equals("Default")) {
                defaultWorkspaceId = w.path("id").asLong();
            }
        }
        assertThat(defaultWorkspaceId).isPositive();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    // ----- helpers ---------------------------------------------------------------------------

    /** The manager's token; a fresh one once a test has moved the clock past its expiry. */
    private String token() {
        return admin.token(manager);
    }

    private Api.Response get(String path) {
        return api.get(USERS + path, token());
    }

    private Api.Response post(String path, Object body) {
        return api.post(USERS + path, token(), body);
    }

    private Api.Response postRaw(String path, String contentType, String body) {
        return api.method("POST", USERS + path, token(), contentType, body);
    }

    private static JsonNode swagger() {
        return SharedSpec.json("swagger-user.json");
    }

    /** A 200 whose body fits the operation's 200 schema in swagger-user.json. */
    private static JsonNode ok(String method, String path, Api.Response r) {
        assertThat(r.status()).as("%s %s -> %s", method, path, r.text()).isEqualTo(200);
        assertThat(SwaggerSchema.responseProblems(swagger(), method, USERS + path, r.json())).as(r.text()).isEmpty();
        return r.json();
    }

    /** An error: the status, a body of one {@code {code, message}} (swagger's Error), no {@code success}. */
    private static void error(Api.Response r, int status, int code) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.json().has("success")).isFalse();
        JsonNode errors = r.json().path("errors");
        assertThat(errors.isArray()).as(r.text()).isTrue();
        assertThat(errors).hasSize(1);
        assertThat(SwaggerSchema.problems(swagger(), "Error", errors.get(0))).as(r.text()).isEmpty();
        assertThat(errors.get(0).path("code").isIntegralNumber()).as(r.text()).isTrue();
        assertThat(errors.get(0).path("code").asInt()).as(r.text()).isEqualTo(code);
        assertThat(errors.get(0).path("message").asString()).isNotBlank();
    }

    private static String email(String prefix) {
        return AdminClient.unique(prefix).toLowerCase() + "@example.com";
    }

    /** An API-only user with the reader role in Default, made through the admin API. */
    private String apiUser() {
        String email = email("um");
        admin.create("/users", Map.of("email", email, "firstName", "Ada", "lastName", "Lovelace", "apiOnly", true,
                "roles", List.of(Map.of("role", readerRole, "workspace", "Default"))));
        return email;
    }

    private static Map<String, Object> invite(String email, boolean apiOnly, long roleId, long workspaceId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("emailAddress", email);
        body.put("firstName", "Daenerys");
        body.put("lastName", "Targaryen");
        body.put("apiOnly", apiOnly);
        body.put("reason", "Keeper of dragons");
        body.put("userRoleWorkspaces", List.of(Map.of("accessRoleId", roleId, "workspaceId", workspaceId)));
        return body;
    }

    private static Map<String, Object> roleRef(long roleId, long workspaceId) {
        return Map.of("accessRoleId", roleId, "workspaceId", workspaceId);
    }

    private static List<String> pairs(JsonNode roles) {
        List<String> out = new ArrayList<>();
        roles.forEach(r -> out.add(r.path("accessRoleId").asLong() + "/" + r.path("workspaceId").asLong()));
        return out;
    }

    private JsonNode adminUser(String email) {
        for (JsonNode u : admin.get("/users").json()) {
            if (u.path("email").asString().equalsIgnoreCase(email)) {
                return u;
            }
        }
        return null;
    }

    // ----- browse ----------------------------------------------------------------------------

    @Test
    void allUsersWhenListedThenEveryAcceptedUserInSwaggerShape() {
        String email = apiUser();
        JsonNode all = ok("GET", "/allusers.json?pageSize=200", get("/allusers.json?pageSize=200"));
        JsonNode mine = null;
        for (JsonNode u : all) {
            if (u.path("userid").asString().equals(email)) {
                mine = u;
            }
        }
        assertThat(mine).as(all.toString()).isNotNull();
        assertThat(mine.path("emailAddress").asString()).isEqualTo(email);
        assertThat(mine.path("firstName").asString()).isEqualTo("Ada");
        assertThat(mine.path("lastName").asString()).isEqualTo("Lovelace");
        assertThat(mine.path("apiOnly").asBoolean()).isTrue();
        assertThat(mine.path("id").asLong()).isEqualTo(adminUser(email).path("id").asLong());
    }

    @Test
    void allUsersWhenPageOffsetAndPageSizeGivenThenThatSliceInIdOrder() {
        for (int i = 0; i < 4; i++) {
            apiUser();
        }
        JsonNode all = ok("GET", "/allusers.json", get("/allusers.json?pageSize=200"));
        List<Long> ids = new ArrayList<>();
        all.forEach(u -> ids.add(u.path("id").asLong()));
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        JsonNode page = ok("GET", "/allusers.json", get("/allusers.json?pageOffset=1&pageSize=2"));
        assertThat(page).extracting(u -> u.path("id").asLong()).containsExactly(ids.get(1), ids.get(2));
        JsonNode last = ok("GET", "/allusers.json", get("/allusers.json?pageOffset=" + (ids.size() - 1) + "&pageSize=5"));
        assertThat(last).extracting(u -> u.path("id").asLong()).containsExactly(ids.getLast());
        JsonNode beyond = ok("GET", "/allusers.json", get("/allusers.json?pageOffset=" + ids.size()));
        assertThat(beyond).isEmpty();
    }

    @Test
    void allUsersWhenNoPageSizeThenTwentyFromTheStart() {
        int have = get("/allusers.json?pageSize=200").json().size();
        for (int i = have; i < 21; i++) {
            apiUser();
        }
        JsonNode all = get("/allusers.json?pageSize=200").json();
        JsonNode page = ok("GET", "/allusers.json", get("/allusers.json"));
        assertThat(page).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(page.get(i).path("id").asLong()).isEqualTo(all.get(i).path("id").asLong());
        }
    }

    @Test
    void allUsersWhenPageSizeOrOffsetOutOfRangeThen400() {
        for (String query : List.of("pageSize=0", "pageSize=201", "pageSize=ten", "pageOffset=-1", "pageOffset=x")) {
            Api.Response r = get("/allusers.json?" + query);
            error(r, 400, 1003);
            assertThat(r.json().path("errors").get(0).path("message").asString()).as(query)
                    .contains(query.substring(0, query.indexOf('=')));
        }
        assertThat(get("/allusers.json?pageSize=200").status()).isEqualTo(200);
    }

    @Test
    void rolesWhenListedThenEveryRoleInSwaggerShapeWithMarketoDatetimes() {
        JsonNode roles = ok("GET", "/roles.json", get("/roles.json"));
        JsonNode reader = null;
        for (JsonNode r : roles) {
            assertThat(r.path("createdAt").asString()).matches(DATETIME);
            assertThat(r.path("updatedAt").asString()).matches(DATETIME);
            if (r.path("id").asLong() == readerRoleId) {
                reader = r;
            }
        }
        assertThat(reader).as(roles.toString()).isNotNull();
        assertThat(reader.path("name").asString()).isEqualTo(readerRole);
        assertThat(reader.path("type").asString()).isEqualTo("custom");
        assertThat(reader.path("isHidden").asBoolean()).isFalse();
        assertThat(roles).extracting(r -> r.path("id").asLong()).contains(writerRoleId);
        assertThat(roles.size()).isEqualTo(admin.get("/roles").json().size());
    }

    @Test
    void workspacesWhenListedThenEveryWorkspaceInSwaggerShape() {
        JsonNode workspaces = ok("GET", "/workspaces.json", get("/workspaces.json"));
        assertThat(workspaces).extracting(w -> w.path("id").asLong()).contains(defaultWorkspaceId, europeWorkspaceId);
        for (JsonNode w : workspaces) {
            assertThat(w.path("status").asString()).isEqualTo("active");
            assertThat(w.path("createdAt").asString()).matches(DATETIME);
            if (w.path("id").asLong() == europeWorkspaceId) {
                assertThat(w.path("name").asString()).isEqualTo(europeWorkspace);
            }
        }
    }

    // ----- one user --------------------------------------------------------------------------

    @Test
    void userWhenAcceptedThenFullRecordInSwaggerShape() {
        String email = apiUser();
        JsonNode u = ok("GET", "/{userid}/user.json", get("/" + email + "/user.json"));
        assertThat(u.path("userid").asString()).isEqualTo(email);
        assertThat(u.path("emailAddress").asString()).isEqualTo(email);
        assertThat(u.path("firstName").asString()).isEqualTo("Ada");
        assertThat(u.path("apiOnly").asBoolean()).isTrue();
        assertThat(u.path("isLocked").asBoolean()).isFalse();
        assertThat(u.path("id").asLong()).isEqualTo(adminUser(email).path("id").asLong());
        assertThat(u.path("expiresAt").isNull()).isTrue();
        assertThat(u.path("userRoleWorkspaces")).hasSize(1);
        JsonNode role = u.path("userRoleWorkspaces").get(0);
        assertThat(role.path("accessRoleId").asLong()).isEqualTo(readerRoleId);
        assertThat(role.path("accessRoleName").asString()).isEqualTo(readerRole);
        assertThat(role.path("workspaceId").asLong()).isEqualTo(defaultWorkspaceId);
        assertThat(role.path("workspaceName").asString()).isEqualTo("Default");
    }

    @Test
    void userWhenUseridInOtherCaseThenSameUser() {
        String email = apiUser();
        JsonNode u = ok("GET", "/{userid}/user.json", get("/" + email.toUpperCase() + "/user.json"));
        assertThat(u.path("userid").asString()).isEqualTo(email);
    }

    @Test
    void userWhenDeactivatedThenLockedWithAReason() {
        String email = apiUser();
        long id = adminUser(email).path("id").asLong();
        assertThat(admin.patch("/users/" + id, Map.of("active", false)).status()).isEqualTo(200);
        JsonNode u = ok("GET", "/{userid}/user.json", get("/" + email + "/user.json"));
        assertThat(u.path("isLocked").asBoolean()).isTrue();
        assertThat(u.path("lockedReason").asString()).isNotBlank();
    }

    @Test
    void userRolesWhenListedThenEachRoleWithItsWorkspace() {
        String email = apiUser();
        JsonNode roles = ok("GET", "/{userid}/roles.json", get("/" + email + "/roles.json"));
        assertThat(pairs(roles)).containsExactly(readerRoleId + "/" + defaultWorkspaceId);
        assertThat(roles.get(0).path("accessRoleName").asString()).isEqualTo(readerRole);
        assertThat(roles.get(0).path("workspaceName").asString()).isEqualTo("Default");
    }

    // ----- invite ----------------------------------------------------------------------------

    @Test
    void inviteWhenApiOnlyThenTrueAndTheUserIsActiveAtOnce() {
        String email = email("invited-api");
        Api.Response r = post("/invite.json", invite(email, true, writerRoleId, europeWorkspaceId));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        // Adobe's guide: "The endpoint returns a value of "true" if successful" (the swagger declares a string)
        assertThat(r.json().isBoolean()).as(r.text()).isTrue();
        assertThat(r.json().asBoolean()).isTrue();
        JsonNode u = ok("GET", "/{userid}/user.json", get("/" + email + "/user.json"));
        assertThat(u.path("apiOnly").asBoolean()).isTrue();
        assertThat(u.path("firstName").asString()).isEqualTo("Daenerys");
        assertThat(u.path("lastName").asString()).isEqualTo("Targaryen");
        assertThat(pairs(u.path("userRoleWorkspaces"))).containsExactly(writerRoleId + "/" + europeWorkspaceId);
        assertThat(adminUser(email).path("status").asString()).isEqualTo("active");
        error(get("/" + email + "/invite.json"), 404, 404);
        assertThat(get("/allusers.json?pageSize=200").json()).extracting(n -> n.path("userid").asString()).contains(email);
        // an active API-only user can own a custom service at once
        assertThat(admin.post("/services", Map.of("name", AdminClient.unique("svc"), "user", email)).status()).isEqualTo(201);
    }

    @Test
    void inviteWhenNotApiOnlyThenPendingInvitationVisibleAtInviteJsonUntilDeleted() {
        String email = email("invited");
        Instant before = server.clock().instant();
        Api.Response r = post("/invite.json", invite(email, false, readerRoleId, defaultWorkspaceId));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().asBoolean()).isTrue();

        JsonNode pending = ok("GET", "/{userid}/invite.json", get("/" + email + "/invite.json"));
        assertThat(pending.path("status").asString()).isEqualTo("pending");
        assertThat(pending.path("userid").asString()).isEqualTo(email);
        assertThat(pending.path("emailAddress").asString()).isEqualTo(email);
        assertThat(pending.path("firstName").asString()).isEqualTo("Daenerys");
        assertThat(pending.path("subscriptionId").asString()).isEqualTo(server.server().munchkinId());
        assertThat(pending.path("createdAt").asString()).matches(DATETIME);
        Instant created = OffsetDateTime.parse(pending.path("createdAt").asString(), MARKETO).toInstant();
        Instant expires = OffsetDateTime.parse(pending.path("expiresAt").asString(), MARKETO).toInstant();
        assertThat(created).isBetween(before.minusMillis(1), server.clock().instant().plusMillis(1));
        assertThat(Duration.between(created, expires)).isEqualTo(Duration.ofDays(7));

        // a pending invitation is not a user yet
        error(get("/" + email + "/user.json"), 404, 404);
        error(get("/" + email + "/roles.json"), 404, 404);
        error(post("/" + email + "/update.json", Map.of("firstName", "X")), 404, 404);
        error(post("/" + email + "/delete.json", Map.of()), 404, 404);
        assertThat(get("/allusers.json?pageSize=200").json()).extracting(n -> n.path("userid").asString()).doesNotContain(email);
        assertThat(adminUser(email).path("status").asString()).isEqualTo("invited");

        Api.Response deleted = post("/" + email + "/invite/delete.json", Map.of());
        assertThat(deleted.status()).as(deleted.text()).isEqualTo(200);
        assertThat(deleted.text()).isEmpty();
        error(get("/" + email + "/invite.json"), 404, 404);
        assertThat(adminUser(email)).isNull();
    }

    @Test
    void inviteWhenExpiresAtGivenThenTheUserExpiresThen() {
        String email = email("expiring");
        Map<String, Object> body = invite(email, true, readerRoleId, defaultWorkspaceId);
        body.put("expiresAt", "2031-12-31T23:59:59-05:00");
        assertThat(post("/invite.json", body).status()).isEqualTo(200);
        JsonNode u = ok("GET", "/{userid}/user.json", get("/" + email + "/user.json"));
        assertThat(u.path("expiresAt").asString()).isEqualTo("20320101T04:59:59.000t+0000");
        assertThat(adminUser(email).path("expiresAt").asString()).isEqualTo("2032-01-01T04:59:59Z");
    }

    @Test
    void inviteWhenUseridDiffersFromEmailThen400() {
        Map<String, Object> body = invite(email("userid"), true, readerRoleId, defaultWorkspaceId);
        body.put("userid", "someone-else@example.com");
        error(post("/invite.json", body), 400, 400);
    }

    @Test
    void inviteWhenRequiredFieldMissingThen400NamingItAndNoUser() {
        for (String missing : List.of("emailAddress", "firstName", "lastName", "userRoleWorkspaces")) {
            String email = email("incomplete");
            Map<String, Object> body = invite(email, true, readerRoleId, defaultWorkspaceId);
            body.remove(missing);
            Api.Response r = post("/invite.json", body);
            error(r, 400, 701);
            assertThat(r.json().path("errors").get(0).path("message").asString()).isEqualTo(missing + " cannot be blank");
            assertThat(adminUser(email)).isNull();
        }
        Map<String, Object> empty = invite(email("no-roles"), true, readerRoleId, defaultWorkspaceId);
        empty.put("userRoleWorkspaces", List.of());
        error(post("/invite.json", empty), 400, 701);
    }

    @Test
    void inviteWhenValuesInvalidThen400AndNoUser() {
        String email = email("bad");
        List<Map<String, Object>> bodies = new ArrayList<>();
        Map<String, Object> badEmail = invite("not-an-email", true, readerRoleId, defaultWorkspaceId);
        bodies.add(badEmail);
        Map<String, Object> unknownRole = invite(email, true, 987_654, defaultWorkspaceId);
        bodies.add(unknownRole);
        Map<String, Object> unknownWorkspace = invite(email, true, readerRoleId, 987_654);
        bodies.add(unknownWorkspace);
        Map<String, Object> stringIds = invite(email, true, readerRoleId, defaultWorkspaceId);
        stringIds.put("userRoleWorkspaces", List.of(Map.of("accessRoleId", "x", "workspaceId", "y")));
        bodies.add(stringIds);
        Map<String, Object> badExpiry = invite(email, true, readerRoleId, defaultWorkspaceId);
        badExpiry.put("expiresAt", "next tuesday");
        bodies.add(badExpiry);
        Map<String, Object> numberName = invite(email, true, readerRoleId, defaultWorkspaceId);
        numberName.put("firstName", 42);
        bodies.add(numberName);
        Map<String, Object> nul = invite(email, true, readerRoleId, defaultWorkspaceId);
        nul.put("lastName", "Tar\u0000garyen");
        bodies.add(nul);
        bodies.add(invite("nul\u0000" + email, true, readerRoleId, defaultWorkspaceId));
        Map<String, Object> stringApiOnly = invite(email, true, readerRoleId, defaultWorkspaceId);
        stringApiOnly.put("apiOnly", "sometimes");
        bodies.add(stringApiOnly);
        for (Map<String, Object> body : bodies) {
            Api.Response r = post("/invite.json", body);
            assertThat(r.status()).as("%s -> %s", body, r.text()).isEqualTo(400);
            assertThat(r.json().path("errors").get(0).path("message").asString()).isNotBlank();
        }
        assertThat(adminUser(email)).isNull();
        assertThat(adminUser("not-an-email")).isNull();
    }

    @Test
    void inviteWhenEmailAlreadyAUserThen409() {
        String email = apiUser();
        error(post("/invite.json", invite(email.toUpperCase(), true, readerRoleId, defaultWorkspaceId)), 409, 409);
    }

    @Test
    void inviteWhenBodyIsNotJsonThen400With609Or612() {
        error(postRaw("/invite.json", "application/json", "{\"emailAddress\": "), 400, 609);
        error(postRaw("/invite.json", "text/plain", "emailAddress=a@example.com"), 400, 612);
        error(postRaw("/invite.json", "application/json", "[1, 2]"), 400, 609);
    }

    // ----- update ----------------------------------------------------------------------------

    @Test
    void updateWhenNamesAndExpiryGivenThenChangedAndTheUserReturned() {
        String email = apiUser();
        Api.Response r = post("/" + email + "/update.json", Map.of("firstName", "JAMIE", "lastName", "LANNISTER",
                "expiresAt", "20311231T08:00:00.000t+0000"));
        JsonNode u = ok("POST", "/{userid}/update.json", r);
        assertThat(u.path("firstName").asString()).isEqualTo("JAMIE");
        assertThat(u.path("lastName").asString()).isEqualTo("LANNISTER");
        assertThat(u.path("expiresAt").asString()).isEqualTo("20311231T08:00:00.000t+0000");
        JsonNode again = ok("GET", "/{userid}/user.json", get("/" + email + "/user.json"));
        assertThat(again.path("firstName").asString()).isEqualTo("JAMIE");
        assertThat(again.path("userRoleWorkspaces")).hasSize(1);
        JsonNode iso = ok("POST", "/{userid}/update.json", post("/" + email + "/update.json", Map.of("expiresAt", "2033-06-30T12:00:00Z")));
        assertThat(iso.path("expiresAt").asString()).isEqualTo("20330630T12:00:00.000t+0000");
    }

    @Test
    void updateWhenEmailChangesThenTheUseridFollows() {
        String email = apiUser();
        String renamed = email("renamed");
        JsonNode u = ok("POST", "/{userid}/update.json", post("/" + email + "/update.json", Map.of("emailAddress", renamed)));
        assertThat(u.path("userid").asString()).isEqualTo(renamed);
        assertThat(u.path("emailAddress").asString()).isEqualTo(renamed);
        assertThat(get("/" + renamed + "/user.json").status()).isEqualTo(200);
        error(get("/" + email + "/user.json"), 404, 404);
    }

    @Test
    void updateWhenEmailBelongsToAnotherUserThen409AndUnchanged() {
        String email = apiUser();
        String other = apiUser();
        error(post("/" + email + "/update.json", Map.of("emailAddress", other)), 409, 409);
        assertThat(get("/" + email + "/user.json").status()).isEqualTo(200);
    }

    @Test
    void updateWhenKeyUnknownOrValueBadThen400AndUnchanged() {
        String email = apiUser();
        List<Map<String, Object>> bodies = List.of(
                Map.of("firstNmae", "Typo"),
                Map.of("firstName", 7),
                Map.of("emailAddress", "nobody"),
                Map.of("expiresAt", "31/12/2031"),
                Map.of("expiresAt", 20311231),
                Map.of("apiOnly", "maybe"),
                Map.of("apiOnly", List.of(true)));
        for (Map<String, Object> body : bodies) {
            Api.Response r = post("/" + email + "/update.json", body);
            assertThat(r.status()).as("%s -> %s", body, r.text()).isEqualTo(400);
            assertThat(r.json().path("errors").get(0).path("message").asString()).isNotBlank();
        }
        JsonNode u = get("/" + email + "/user.json").json();
        assertThat(u.path("firstName").asString()).isEqualTo("Ada");
        assertThat(u.path("apiOnly").asBoolean()).isTrue();
        assertThat(u.path("expiresAt").isNull()).isTrue();
    }

    @Test
    void updateWhenTurningOffApiOnlyWhileOwningAServiceThen409() {
        String email = apiUser();
        String service = AdminClient.unique("owned");
        admin.create("/services", Map.of("name", service, "user", email));
        Api.Response r = post("/" + email + "/update.json", Map.of("apiOnly", false));
        error(r, 409, 409);
        assertThat(r.json().path("errors").get(0).path("message").asString()).contains(service);
        assertThat(get("/" + email + "/user.json").json().path("apiOnly").asBoolean()).isTrue();
    }

    // ----- roles of a user -------------------------------------------------------------------

    @Test
    void addRolesWhenBareArrayOrInputObjectThenBothAccepted() {
        String email = apiUser();
        JsonNode afterBare = ok("POST", "/{userid}/roles/create.json",
                post("/" + email + "/roles/create.json", List.of(roleRef(writerRoleId, europeWorkspaceId))));
        assertThat(pairs(afterBare)).containsExactlyInAnyOrder(readerRoleId + "/" + defaultWorkspaceId,
                writerRoleId + "/" + europeWorkspaceId);
        JsonNode afterInput = ok("POST", "/{userid}/roles/create.json",
                post("/" + email + "/roles/create.json", Map.of("input", List.of(roleRef(writerRoleId, defaultWorkspaceId)))));
        assertThat(pairs(afterInput)).containsExactlyInAnyOrder(readerRoleId + "/" + defaultWorkspaceId,
                writerRoleId + "/" + europeWorkspaceId, writerRoleId + "/" + defaultWorkspaceId);
        assertThat(pairs(get("/" + email + "/roles.json").json())).containsExactlyInAnyOrderElementsOf(pairs(afterInput));
    }

    /** Concurrent additions of different roles each stay: each reads the user's roles as the one before left them. */
    @Test
    void addRolesWhenFourCallsAddDifferentRolesAtOnceThenTheUserHoldsThemAll() throws Exception {
        String email = apiUser();
        List<Map<String, Object>> refs = List.of(roleRef(writerRoleId, europeWorkspaceId), roleRef(writerRoleId, defaultWorkspaceId),
                roleRef(readerRoleId, europeWorkspaceId), roleRef(admin.role(AdminClient.unique("Third"), "Read-Only Activity"), defaultWorkspaceId));
        ExecutorService pool = Executors.newFixedThreadPool(refs.size());
        try {
            List<Future<Api.Response>> calls = new ArrayList<>();
            refs.forEach(ref -> calls.add(pool.submit(() -> post("/" + email + "/roles/create.json", List.of(ref)))));
            for (Future<Api.Response> c : calls) {
                ok("POST", "/{userid}/roles/create.json", c.get());
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> expected = new ArrayList<>(List.of(readerRoleId + "/" + defaultWorkspaceId));
        refs.forEach(r -> expected.add(r.get("accessRoleId") + "/" + r.get("workspaceId")));
        assertThat(pairs(get("/" + email + "/roles.json").json())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void addRolesWhenAlreadyHeldThenKeptOnce() {
        String email = apiUser();
        JsonNode roles = ok("POST", "/{userid}/roles/create.json", post("/" + email + "/roles/create.json",
                List.of(roleRef(readerRoleId, defaultWorkspaceId), roleRef(readerRoleId, defaultWorkspaceId))));
        assertThat(pairs(roles)).containsExactly(readerRoleId + "/" + defaultWorkspaceId);
    }

    @Test
    void addRolesWhenRoleOrWorkspaceUnknownOrBodyMalformedThen400AndUnchanged() {
        String email = apiUser();
        error(post("/" + email + "/roles/create.json", List.of(roleRef(987_654, defaultWorkspaceId))), 400, 400);
        error(post("/" + email + "/roles/create.json", List.of(roleRef(writerRoleId, 987_654))), 400, 400);
        error(post("/" + email + "/roles/create.json", List.of()), 400, 701);
        error(post("/" + email + "/roles/create.json", Map.of("roles", List.of(roleRef(writerRoleId, defaultWorkspaceId)))), 400, 609);
        error(post("/" + email + "/roles/create.json", List.of(Map.of("accessRoleId", writerRoleId))), 400, 400);
        assertThat(pairs(get("/" + email + "/roles.json").json())).containsExactly(readerRoleId + "/" + defaultWorkspaceId);
    }

    @Test
    void deleteRolesWhenBareArrayOrInputObjectThenRemoved() {
        String email = apiUser();
        post("/" + email + "/roles/create.json", List.of(roleRef(writerRoleId, europeWorkspaceId), roleRef(writerRoleId, defaultWorkspaceId)));
        JsonNode afterBare = ok("POST", "/{userid}/roles/delete.json",
                post("/" + email + "/roles/delete.json", List.of(roleRef(writerRoleId, europeWorkspaceId))));
        assertThat(pairs(afterBare)).containsExactlyInAnyOrder(readerRoleId + "/" + defaultWorkspaceId, writerRoleId + "/" + defaultWorkspaceId);
        JsonNode afterInput = ok("POST", "/{userid}/roles/delete.json",
                post("/" + email + "/roles/delete.json", Map.of("input", List.of(roleRef(readerRoleId, defaultWorkspaceId)))));
        assertThat(pairs(afterInput)).containsExactly(writerRoleId + "/" + defaultWorkspaceId);
        assertThat(pairs(get("/" + email + "/roles.json").json())).containsExactly(writerRoleId + "/" + defaultWorkspaceId);
    }

    @Test
    void deleteRolesWhenItWouldRemoveTheLastRoleThen400AndTheRoleStays() {
        String email = apiUser();
        error(post("/" + email + "/roles/delete.json", List.of(roleRef(readerRoleId, defaultWorkspaceId))), 400, 400);
        assertThat(pairs(get("/" + email + "/roles.json").json())).containsExactly(readerRoleId + "/" + defaultWorkspaceId);
    }

    // ----- delete ----------------------------------------------------------------------------

    @Test
    void deleteWhenUserOwnsNoServiceThenGone() {
        String email = apiUser();
        Api.Response r = post("/" + email + "/delete.json", Map.of());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.text()).isEmpty();
        error(get("/" + email + "/user.json"), 404, 404);
        assertThat(adminUser(email)).isNull();
        error(post("/" + email + "/delete.json", Map.of()), 404, 404);
    }

    @Test
    void deleteWhenUserOwnsAServiceThen409NamingItAndTheUserStays() {
        String email = apiUser();
        String service = AdminClient.unique("keeps-user");
        admin.create("/services", Map.of("name", service, "user", email));
        Api.Response r = post("/" + email + "/delete.json", Map.of());
        error(r, 409, 409);
        assertThat(r.json().path("errors").get(0).path("message").asString()).contains(service);
        assertThat(get("/" + email + "/user.json").status()).isEqualTo(200);
    }

    @Test
    void deleteInviteWhenUserAcceptedThen404AndUserStays() {
        String email = apiUser();
        error(post("/" + email + "/invite/delete.json", Map.of()), 404, 404);
        assertThat(get("/" + email + "/user.json").status()).isEqualTo(200);
    }

    // ----- errors ----------------------------------------------------------------------------

    @Test
    void callWhenNoTokenThen401With600() {
        error(api.get(USERS + "/allusers.json", null), 401, 600);
        error(api.send(api.request(USERS + "/roles.json", null).header("Authorization", "Basic " + "eDp5")), 401, 600);
    }

    @Test
    void callWhenTokenUnknownThen401With601() {
        error(api.get(USERS + "/allusers.json", "not-a-token"), 401, 601);
        error(api.get(USERS + "/roles.json", "cdf01657-110d-4155-99a7-f986b2ff13a0:int"), 401, 601);
    }

    @Test
    void callWhenTokenOnlyInQueryStringThen401EvenWhereTheInstanceAllowsItForRest() {
        String t = token();
        error(api.get(USERS + "/allusers.json?access_token=" + t, null), 401, 600);
        assertThat(admin.patch("/instance", Map.of("allowQueryToken", true)).status()).isEqualTo(200);
        try {
            error(api.get(USERS + "/allusers.json?access_token=" + t, null), 401, 600);
        } finally {
            admin.patch("/instance", Map.of("allowQueryToken", false));
        }
    }

    @Test
    void callWhenTokenExpiredThen401With602OnceThen601() {
        AdminClient.Service s = admin.serviceWith("Access User Management Api");
        String t = admin.token(s);
        assertThat(api.get(USERS + "/roles.json", t).status()).isEqualTo(200);
        server.clock().advance(Duration.ofSeconds(3601));
        error(api.get(USERS + "/roles.json", t), 401, 602);
        error(api.get(USERS + "/roles.json", t), 401, 601);
        assertThat(api.get(USERS + "/roles.json", admin.token(s)).status()).isEqualTo(200);
    }

    @Test
    void callWhenRoleLacksTheUserManagementPermissionThen403With603() {
        String t = admin.token(lacksPermission);
        error(api.get(USERS + "/allusers.json", t), 403, 603);
        error(api.get(USERS + "/" + lacksPermission.userEmail() + "/user.json", t), 403, 603);
        error(api.post(USERS + "/invite.json", t, invite(email("nope"), true, readerRoleId, defaultWorkspaceId)), 403, 603);
        assertThat(api.get(USERS + "/" + lacksPermission.userEmail() + "/user.json", token()).status()).isEqualTo(200);
    }

    // ----- which workspaces a caller manages --------------------------------------------------

    /** A token of a new API-only user holding {@code permission} in Default only. */
    private String defaultOnly(String permission) {
        String role = AdminClient.unique("Scoped");
        admin.role(role, permission);
        String email = email("scoped");
        admin.apiUser(email, role, "Default");
        return admin.token(admin.service(AdminClient.unique("svc"), email));
    }

    @Test
    void rolesWhenTheCallerManagesUsersInAnotherWorkspaceOnlyThen403AndUnchanged() {
        for (String permission : List.of("Access User Management Api", "Access API")) {
            String t = defaultOnly(permission);
            String email = apiUser();
            error(api.post(USERS + "/" + email + "/roles/create.json", t, List.of(roleRef(writerRoleId, europeWorkspaceId))), 403, 603);
            post("/" + email + "/roles/create.json", List.of(roleRef(writerRoleId, europeWorkspaceId)));
            error(api.post(USERS + "/" + email + "/roles/delete.json", t, List.of(roleRef(writerRoleId, europeWorkspaceId))), 403, 603);
            assertThat(pairs(get("/" + email + "/roles.json").json())).as(permission)
                    .containsExactlyInAnyOrder(readerRoleId + "/" + defaultWorkspaceId, writerRoleId + "/" + europeWorkspaceId);

            JsonNode added = ok("POST", "/{userid}/roles/create.json",
                    api.post(USERS + "/" + email + "/roles/create.json", t, List.of(roleRef(writerRoleId, defaultWorkspaceId))));
            assertThat(pairs(added)).as("its own workspace: " + permission).contains(writerRoleId + "/" + defaultWorkspaceId);
        }
    }

    @Test
    void inviteWhenARoleIsInAWorkspaceTheCallerDoesNotManageThen403AndNoUser() {
        String t = defaultOnly("Access User Management Api");
        String email = email("outside");
        error(api.post(USERS + "/invite.json", t, invite(email, true, writerRoleId, europeWorkspaceId)), 403, 603);
        assertThat(adminUser(email)).isNull();
        assertThat(api.post(USERS + "/invite.json", t, invite(email, true, writerRoleId, defaultWorkspaceId)).status()).isEqualTo(200);
        assertThat(adminUser(email)).isNotNull();
    }

    @Test
    void updateOrDeleteWhenTheUserHoldsRolesWhereTheCallerDoesNotManageThen403AndUnchanged() {
        String t = defaultOnly("Access User Management Api");
        String email = apiUser();
        post("/" + email + "/roles/create.json", List.of(roleRef(writerRoleId, europeWorkspaceId)));
        error(api.post(USERS + "/" + email + "/update.json", t, Map.of("firstName", "Mallory")), 403, 603);
        error(api.post(USERS + "/" + email + "/delete.json", t, Map.of()), 403, 603);
        assertThat(get("/" + email + "/user.json").json().path("firstName").asString()).isEqualTo("Ada");

        post("/" + email + "/roles/delete.json", List.of(roleRef(writerRoleId, europeWorkspaceId)));
        assertThat(api.post(USERS + "/" + email + "/update.json", t, Map.of("firstName", "Grace")).status()).isEqualTo(200);
        assertThat(api.post(USERS + "/" + email + "/delete.json", t, Map.of()).status()).isEqualTo(200);
        assertThat(adminUser(email)).isNull();
    }

    @Test
    void rolesOrUpdateWhenTheUserIsTheCallerThen403AndUnchanged() {
        String self = manager.userEmail();
        error(post("/" + self + "/roles/create.json", List.of(roleRef(writerRoleId, defaultWorkspaceId))), 403, 603);
        error(post("/" + self + "/roles/delete.json", List.of(roleRef(readerRoleId, defaultWorkspaceId))), 403, 603);
        error(post("/" + self + "/update.json", Map.of("expiresAt", "2099-01-01T00:00:00Z")), 403, 603);
        JsonNode user = get("/" + self + "/user.json").json();
        assertThat(pairs(user.path("userRoleWorkspaces"))).doesNotContain(writerRoleId + "/" + defaultWorkspaceId);
        assertThat(user.path("expiresAt").isNull()).as(user.toString()).isTrue();
    }

    @Test
    void callWhenRoleHoldsTheAccessApiParentThenAllowed() {
        String t = admin.tokenWith("Access API");
        assertThat(api.get(USERS + "/allusers.json", t).status()).isEqualTo(200);
    }

    @Test
    void callWhenUseridUnknownThen404OnEveryUserEndpoint() {
        String nobody = "nobody-" + AdminClient.unique("x") + "@example.com";
        error(get("/" + nobody + "/user.json"), 404, 404);
        error(get("/" + nobody + "/roles.json"), 404, 404);
        error(get("/" + nobody + "/invite.json"), 404, 404);
        error(post("/" + nobody + "/update.json", Map.of("firstName", "X")), 404, 404);
        error(post("/" + nobody + "/roles/create.json", List.of(roleRef(readerRoleId, defaultWorkspaceId))), 404, 404);
        error(post("/" + nobody + "/roles/delete.json", List.of(roleRef(readerRoleId, defaultWorkspaceId))), 404, 404);
        error(post("/" + nobody + "/delete.json", Map.of()), 404, 404);
        error(post("/" + nobody + "/invite/delete.json", Map.of()), 404, 404);
        error(get("/nul%00" + nobody + "/user.json"), 404, 404);
    }

    @Test
    void callWhenMethodWrongThen405AndWhenPathUnknownThen404() {
        error(get("/invite.json"), 405, 605);
        error(post("/allusers.json", Map.of()), 405, 605);
        error(api.method("DELETE", USERS + "/someone@example.com/user.json", token(), null, null), 405, 605);
        error(get("/nothing/here/at/all.json"), 404, 610);
        error(api.get("/userservice/management/v2/users/allusers.json", token()), 404, 610);
    }
}
