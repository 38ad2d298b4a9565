package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.StandIn.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An instance may apply its IP allowlist to the identity service too; mkto-server does so only
 * when configured, with an answer this test does not presume, so a scripted identity service gives
 * the refusal here.
 */
class DiagnosisIdentityAllowlistTest {

    private final StandIn marketo = new StandIn();

    @AfterEach
    void stop() {
        marketo.close();
    }

    @Test
    void diagnoseWhenTheIdentityServiceRefusesThisMachinesAddressThenIpNotAllowed() {
        marketo.script("POST /identity/oauth/token", new Reply(403, "{\"error\":\"access_denied\",\"error_description\":\"Access denied\"}", false));

        Diagnosis d = marketo.client().diagnose();

        assertThat(d.outcome()).as("%s", d).isEqualTo(Diagnosis.Outcome.IP_NOT_ALLOWED);
        assertThat(d.evidence()).singleElement().satisfies(step -> {
            assertThat(step.httpStatus()).isEqualTo(403);
            assertThat(step.code()).isEqualTo("access_denied");
        });
        assertThat(d.fix()).contains("IP Restrictions");
    }
}
