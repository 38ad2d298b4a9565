package dev.mkto.cli.auth;

import java.time.Instant;

/**
 * A saved authentication: what an integration needs to reach one Marketo instance as one custom
 * service. The secret never leaves through {@link #toString()}.
 *
 * @param name         what commands call it by ({@code --auth NAME})
 * @param endpoint     the REST endpoint, normalised when it was added
 * @param clientId     the custom service's Client Id
 * @param clientSecret the custom service's Client Secret
 * @param limits       the client-side limits: {@code marketo}, {@code unlimited}, {@code share:F} or {@code CALLS/SECONDS/CONCURRENT}
 * @param createdAt    when it was added
 */
public record Authentication(String name, String endpoint, String clientId, String clientSecret, String limits, Instant createdAt) {

    /** The secret as it may be shown: a few characters at each end, e.g. {@code t0kQ…b4Ge}. */
    public String maskedSecret() {
        return mask(clientSecret);
    }

    /**
     * A secret as it may be shown: its first and last four characters when it is at least 32 long
     * (as Marketo's are: 24 unseen characters), otherwise nothing of it — fewer unseen characters
     * could be guessed.
     */
    public static String mask(String secret) {
        if (secret.length() < 32) {
            return "…".repeat(Math.min(3, Math.max(1, secret.length())));
        }
        return secret.substring(0, 4) + "…" + secret.substring(secret.length() - 4);
    }

    Authentication renamed(String newName) {
        return new Authentication(newName, endpoint, clientId, clientSecret, limits, createdAt);
    }

    @Override
    public String toString() {
        return "Authentication[" + name + ", " + endpoint + ", clientId=" + clientId + ", clientSecret=" + maskedSecret() + "]";
    }
}
