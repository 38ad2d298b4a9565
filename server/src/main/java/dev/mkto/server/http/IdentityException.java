package dev.mkto.server.http;

/**
 * An error of the identity service, in OAuth 2.0's vocabulary ({@code error},
 * {@code error_description}); never carries a secret.
 */
public final class IdentityException extends ApiException {

    private final int status;
    private final String error;

    private IdentityException(int status, String error, String description) {
        super(description);
        this.status = status;
        this.error = error;
    }

    /** 401 {@code unauthorized}: unknown client, or a client that may not have a token now. */
    public static IdentityException unauthorized(String description) {
        return new IdentityException(401, "unauthorized", description);
    }

    /** 401 {@code invalid_client}: the secret does not match. */
    public static IdentityException badCredentials() {
        return new IdentityException(401, "invalid_client", "Bad client credentials");
    }

    /** 403 {@code access_denied}: the caller's address is not on the instance's allowlist. */
    public static IdentityException accessDenied(String description) {
        return new IdentityException(403, "access_denied", description);
    }

    /** 400 {@code invalid_request}: a required parameter is missing or repeated. */
    public static IdentityException invalidRequest(String description) {
        return new IdentityException(400, "invalid_request", description);
    }

    /** 400 {@code unsupported_grant_type}. */
    public static IdentityException unsupportedGrantType(String grantType) {
        return new IdentityException(400, "unsupported_grant_type", "Unsupported grant type: " + Echo.of(grantType));
    }

    public String error() {
        return error;
    }

    @Override
    public int httpStatus() {
        return status;
    }
}
