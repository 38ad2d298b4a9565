package dev.mkto.client;

/**
 * No answer could be had from Marketo: the connection failed, timed out or was reset, after the
 * retries the call allowed (calls that are not safe to repeat are not retried once a request may
 * have reached the server). The message names the method and the URL without its query string.
 */
public final class TransportException extends MarketoException {

    private static final long serialVersionUID = 1L;

    TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
