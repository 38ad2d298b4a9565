package dev.mkto.cli.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a secret is shown: never enough of it that the rest could be guessed. */
class AuthenticationTest {

    @Test
    void maskWhenTheSecretIsShorterThan32ThenNothingOfItIsShown() {
        for (String secret : new String[] {"s", "secret-12chr", "a-secret-of-thirty-one-chars-xx"}) {
            assertThat(Authentication.mask(secret)).as(secret).matches("…+").hasSizeLessThanOrEqualTo(3);
        }
    }

    @Test
    void maskWhenTheSecretIs32OrLongerThenItsFirstAndLastFourOnly() {
        String secret = "AbCd" + "x".repeat(24) + "WxYz";
        assertThat(Authentication.mask(secret)).isEqualTo("AbCd…WxYz");
    }
}
