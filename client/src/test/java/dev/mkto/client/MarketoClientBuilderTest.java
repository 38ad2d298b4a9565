package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder fails fast, naming the setting; what it builds never shows the secret. */
class MarketoClientBuilderTest {

    @Test
    void buildWhenEndpointOrCredentialsMissingThenRefusedNamingThem() {
        assertThatThrownBy(() -> MarketoClient.builder().credentials("id", "secret").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("endpoint is required");
        assertThatThrownBy(() -> MarketoClient.builder().endpoint("123-ABC-456").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("credentials are required");
    }

    @Test
    void settingsWhenOutOfRangeThenRefusedNamingTheSetting() {
        MarketoClient.Builder b = MarketoClient.builder();
        assertThatThrownBy(() -> b.credentials(" ", "secret")).hasMessageContaining("clientId must not be blank");
        assertThatThrownBy(() -> b.credentials("id", "")).hasMessageContaining("clientSecret must not be blank");
        assertThatThrownBy(() -> b.retries(-1)).hasMessageContaining("retries");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ZERO)).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1))).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> b.tokenRefreshSkew(Duration.ofHours(1))).hasMessageContaining("tokenRefreshSkew");
        assertThatThrownBy(() -> b.endpoint("https://app-ab12.marketo.com")).isInstanceOf(InvalidEndpointException.class);
    }

    @Test
    void toStringWhenBuiltThenEndpointAndClientIdButNeverTheSecret() {
        MarketoClient client = MarketoClient.builder().endpoint("123-ABC-456").credentials("my-client-id", "my-very-secret-secret").build();

        assertThat(client).hasToString("MarketoClient[https://123-ABC-456.mktorest.com/rest, clientId=my-client-id]");
        assertThat(new Credentials("my-client-id", "my-very-secret-secret")).hasToString("Credentials[clientId=my-client-id, clientSecret=***]");
        assertThat(client.endpoint().munchkinId()).contains("123-ABC-456");
        assertThat(MarketoClient.USER_AGENT).startsWith("mkto-client/");
    }
}
