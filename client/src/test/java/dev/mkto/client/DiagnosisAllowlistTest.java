package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.Diagnosis.Outcome;
import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The IP allowlist told apart from a missing permission, on a server of its own (the allowlist is
 * an instance setting). Needs the server to enforce the allowlist: with
 * {@code ipAllowlist.enabled} and an entry that is not 127.0.0.1, every REST call answers
 * {@code 603 Access denied} while the identity service stays open.
 */
class DiagnosisAllowlistTest {

    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void diagnoseWhenTheAllowlistExcludesThisMachineThenIpNotAllowedEvenThoughTheRoleCanRead() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        server.admin().instance(Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("10.9.9.9"))));
        try {
            Diagnosis d = TestClients.builder(server, s, new RecordingTrace()).build().diagnose();

            assertThat(d.outcome()).as("%s", d).isEqualTo(Outcome.IP_NOT_ALLOWED);
            assertThat(d.evidence()).hasSize(3);
            assertThat(d.evidence().get(0).httpStatus()).as("identity stays open").isEqualTo(200);
            assertThat(d.evidence().get(1).request()).endsWith("/rest/v1/leads/describe.json");
            assertThat(d.evidence().get(1).code()).isEqualTo("603");
            assertThat(d.evidence().get(2).request()).endsWith("/rest/v1/stats/usage.json");
            assertThat(d.evidence().get(2).code()).isEqualTo("603");
            assertThat(d.fix()).contains("IP Restrictions");
        } finally {
            server.admin().instance(Map.of("ipAllowlist", Map.of("enabled", false)));
        }
    }

    @Test
    void callWhenTheAllowlistExcludesThisMachineThen603AsAValueAndNotRetried() {
        ServerAdmin.Service s = server.admin().serviceWith("Read-Write Lead");
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = TestClients.builder(server, s, trace).build();
        server.admin().instance(Map.of("ipAllowlist", Map.of("enabled", true, "entries", List.of("10.9.9.9"))));
        try {
            ApiResult<List<Leads.Partition>> r = client.leads().partitions();

            assertThat(r.success()).isFalse();
            assertThat(r.errors()).containsExactly(new MarketoError("603", "Access denied"));
            assertThat(r.requestIds()).hasSize(1);
            assertThat(trace.retryReasons).isEmpty();
        } finally {
            server.admin().instance(Map.of("ipAllowlist", Map.of("enabled", false)));
        }
    }
}
