package dev.mkto.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A LaunchPoint custom service's client id and secret. The secret leaves this object only as the
 * identity request's form body; {@link #toString()} never shows it.
 */
final class Credentials {

    private final String clientId;
    private final String clientSecret;
    private final byte[] secretDigest;

    Credentials(String clientId, String clientSecret) {
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank (LaunchPoint > View Details > Client Id)");
        }
        if (clientSecret.isBlank()) {
            throw new IllegalArgumentException("clientSecret must not be blank (LaunchPoint > View Details > Client Secret)");
        }
        this.clientId = clientId.strip();
        this.clientSecret = clientSecret.strip();
        this.secretDigest = sha256(this.clientSecret);
    }

    String clientId() {
        return clientId;
    }

    String clientSecret() {
        return clientSecret;
    }

    /** Whether a cached token was obtained with this secret (a token is never shared with a client holding another one). */
    boolean issued(byte[] digest) {
        return MessageDigest.isEqual(secretDigest, digest);
    }

    byte[] secretDigest() {
        return secretDigest.clone();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "Credentials[clientId=" + clientId + ", clientSecret=***]";
    }
}
