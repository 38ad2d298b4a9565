package dev.mkto.server.http;

/** A response-level error on the REST API: {@code success:false} with one {@code {code, message}}. */
public final class MarketoException extends ApiException {

    private final ErrorCode code;

    public MarketoException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** The code with its documented message, {@code %s} filled from {@code args}. */
    public static MarketoException of(ErrorCode code, Object... args) {
        return new MarketoException(code, code.message(args));
    }

    public ErrorCode code() {
        return code;
    }

    @Override
    public int httpStatus() {
        return code.httpStatus();
    }
}
