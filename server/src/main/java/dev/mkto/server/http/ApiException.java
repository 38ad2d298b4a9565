package dev.mkto.server.http;

/**
 * The root of every error a caller can be told about. Each subclass belongs to one surface and
 * carries that surface's stable code; {@link ErrorResponses} turns them into responses, in one
 * place. Expected errors carry no stack trace: they are answers, not faults.
 */
public abstract sealed class ApiException extends RuntimeException
        permits MarketoException, IdentityException, AdminException {

    protected ApiException(String message) {
        super(message, null, false, false);
    }

    /** HTTP status of the response. */
    public abstract int httpStatus();
}
