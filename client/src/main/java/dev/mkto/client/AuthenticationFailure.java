package dev.mkto.client;

/**
 * The identity service refused to issue an access token: its HTTP status and its OAuth 2.0 answer,
 * e.g. {@code 401 invalid_client "Bad client credentials"} or {@code 401 unauthorized "No client with
 * requested id: …"}. When the identity service did not answer like one (a wrong endpoint), {@code error}
 * is {@code unexpected_response} and the description says what came back.
 *
 * @param httpStatus       the identity service's HTTP status
 * @param error            OAuth 2.0 {@code error}, e.g. {@code invalid_client}, {@code unauthorized}
 * @param errorDescription OAuth 2.0 {@code error_description}; never contains the client secret
 */
public record AuthenticationFailure(int httpStatus, String error, String errorDescription) {

    @Override
    public String toString() {
        return "HTTP " + httpStatus + " " + error + ": " + errorDescription;
    }
}
