package dev.mkto.client;

/**
 * The root of every exception this SDK throws. Calls throw only when no answer could be had
 * ({@link TransportException}); an answer that reports a failure is an {@link ApiResult} value,
 * which {@link ApiResult#orElseThrow()} turns into an {@link ApiFailureException} on request.
 * Configuration errors are {@link InvalidEndpointException}s or the JDK's argument exceptions.
 *
 * <p>No message of any of them carries a client secret or an access token.
 */
public abstract sealed class MarketoException extends RuntimeException
        permits TransportException, ApiFailureException, InvalidEndpointException {

    private static final long serialVersionUID = 1L;

    MarketoException(String message, Throwable cause) {
        super(message, cause);
    }

    MarketoException(String message) {
        super(message);
    }
}
