package dev.mkto.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.MutableClock;
import dev.mkto.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The IP allowlist over HTTP, from IPv4 and IPv6 clients, directly and behind a trusted proxy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllowlistTest {

    private TestServer server;
    private Api v4;
    private Api v6;
    private AdminClient admin;
    private AdminClient.Service service;
    private String token;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2, MutableClock.startingNow(), List.of(), Map.of("MKTO_HOST", "::"));
        int port = Integer.parseInt(server.api().base().replaceAll(".*:(\\d+)$", "$1"));
        v4 = new Api("http://127.0.0.1:" + port);
        v6 = new Api("http://[::1]:" + port);
        admin = server.admin();
        service = admin.serviceWith("Read-Only Lead");
        token = admin.token(service);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @AfterEach
    void disable() {
        admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", false, "entries", List.of(), "applyToIdentity", false,
                "trustedProxies", List.of())));
    }

    private void allowlist(Map<String, Object> settings) {
        Api.Response r = admin.patch("/instance", Map.of("ipAllowlist", settings));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    @Test
    void restWhenAddressNotListedThen603AndWhenListedThenServed() {
        allowlist(Map.of("enabled", true, "entries", List.of("203.0.113.0/24")));
        Api.Response refused = v4.get("/rest/v1/leads/describe.json", token);
        assertThat(refused.errorCode()).isEqualTo("603");
        assertThat(refused.json().path("errors").get(0).path("message").asString()).isEqualTo("Access denied");
        assertThat(v4.get("/rest/v1/stats/usage.json", token).errorCode()).isEqualTo("603");
        assertThat(admin.identity(service.clientId(), service.clientSecret()).status()).isEqualTo(200);
        allowlist(Map.of("entries", List.of("203.0.113.0/24", "127.0.0.*")));
        assertThat(v4.get("/rest/v1/leads/describe.json", token).success()).isTrue();
    }

    @Test
    void restWhenClientIsIpv6ThenIpv6EntriesDecide() {
        allowlist(Map.of("enabled", true, "entries", List.of("127.0.0.1")));
        assertThat(v6.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("603");
        assertThat(v4.get("/rest/v1/leads/describe.json", token).success()).isTrue();
        allowlist(Map.of("entries", List.of("::1/128")));
        assertThat(v6.get("/rest/v1/leads/describe.json", token).success()).isTrue();
        assertThat(v4.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("603");
        allowlist(Map.of("entries", List.of("::-::ffff")));
        assertThat(v6.get("/rest/v1/leads/describe.json", token).success()).isTrue();
    }

    @Test
    void identityWhenAllowlistAppliesToItThen403AccessDeniedNamingTheAddress() {
        allowlist(Map.of("enabled", true, "entries", List.of("203.0.113.5"), "applyToIdentity", true));
        Api.Response r = admin.identity(service.clientId(), service.clientSecret());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("error").asString()).isEqualTo("access_denied");
        assertThat(r.json().path("error_description").asString()).contains("127.0.0.1");
        assertThat(r.text()).doesNotContain(service.clientSecret());
    }

    @Test
    void forwardedForWhenPeerIsTrustedThenTheForwardedClientIsChecked() {
        allowlist(Map.of("enabled", true, "entries", List.of("198.51.100.23"), "trustedProxies", List.of("127.0.0.1")));
        Api.Response direct = v4.get("/rest/v1/leads/describe.json", token);
        assertThat(direct.errorCode()).isEqualTo("603");
        Api.Response forwarded = v4.send(v4.request("/rest/v1/leads/describe.json", token).header("X-Forwarded-For", "198.51.100.23"));
        assertThat(forwarded.success()).isTrue();
        Api.Response spoofedChain = v4.send(v4.request("/rest/v1/leads/describe.json", token)
                .header("X-Forwarded-For", "198.51.100.23, 203.0.113.66"));
        assertThat(spoofedChain.errorCode()).isEqualTo("603");
        allowlist(Map.of("trustedProxies", List.of()));
        Api.Response untrusted = v4.send(v4.request("/rest/v1/leads/describe.json", token).header("X-Forwarded-For", "198.51.100.23"));
        assertThat(untrusted.errorCode()).isEqualTo("603");
    }

    @Test
    void settingsWhenEntryInvalidThen400NamingItAndNothingChanges() {
        Api.Response r = admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("10.0.0.1", "10.0.0.999"))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asString()).contains("'10.0.0.999'").contains("instance.ipAllowlist.entries");
        assertThat(admin.get("/instance").json().path("ipAllowlist").path("enabled").asBoolean()).isFalse();
        assertThat(v4.get("/rest/v1/leads/describe.json", token).success()).isTrue();
    }

    @Test
    void settingsWhenEnabledWithoutEntriesThenRefusedUnlessForced() {
        Api.Response r = admin.patch("/instance", Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of())));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asString()).contains("force");
        allowlist(Map.of("enabled", true, "entries", List.of(), "force", true));
        assertThat(v4.get("/rest/v1/leads/describe.json", token).errorCode()).isEqualTo("603");
        assertThat(admin.get("/instance").json().path("ipAllowlist").has("force")).isFalse();
    }

    @Test
    void ipCheckWhenAskedThenSaysWhetherAnAddressWouldPassAndWhy() {
        Api.Response r = admin.post("/instance/ip-check", Map.of("address", "10.0.3.4", "entries", List.of("192.168.0.0/16", "10.0.*.*")));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().path("allowed").asBoolean()).isTrue();
        assertThat(r.json().path("matchedEntry").asString()).isEqualTo("10.0.*.*");
        Api.Response no = admin.post("/instance/ip-check", Map.of("address", "2001:db8::1", "entries", List.of("10.0.0.0/8")));
        assertThat(no.json().path("allowed").asBoolean()).isFalse();
        assertThat(admin.post("/instance/ip-check", Map.of("address", "not-an-ip")).status()).isEqualTo(400);
        assertThat(admin.post("/instance/ip-check", Map.of("address", "1.2.3.4", "entries", List.of("1.2.3.4/99"))).status()).isEqualTo(400);
        Api.Response behind = admin.post("/instance/ip-check", Map.of("address", "127.0.0.1", "forwardedFor", List.of("10.9.9.9"),
                "trustedProxies", List.of("127.0.0.1"), "entries", List.of("10.9.9.9")));
        assertThat(behind.json().path("client").asString()).isEqualTo("10.9.9.9");
        assertThat(behind.json().path("allowed").asBoolean()).isTrue();
    }
}
