package dev.mkto.server.http;

/**
 * An error of the admin API and the User Management API: an HTTP status, a short stable code and
 * a message that names the problem and, where there is one, the fix.
 */
public final class AdminException extends ApiException {

    private final int status;
    private final String code;

    private AdminException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static AdminException invalid(String message) {
        return new AdminException(400, "invalid", message);
    }

    public static AdminException unauthorized(String message) {
        return new AdminException(401, "unauthorized", message);
    }

    public static AdminException forbidden(String message) {
        return new AdminException(403, "forbidden", message);
    }

    public static AdminException notFound(String message) {
        return new AdminException(404, "not_found", message);
    }

    public static AdminException methodNotAllowed(String message) {
        return new AdminException(405, "method_not_allowed", message);
    }

    public static AdminException conflict(String message) {
        return new AdminException(409, "conflict", message);
    }

    public static AdminException inUse(String message) {
        return new AdminException(409, "in_use", message);
    }

    public static AdminException tooLarge(String message) {
        return new AdminException(413, "too_large", message);
    }

    /** The caller's address presented too many wrong credentials and is locked out for a while. */
    public static AdminException tooManyFailures(String message) {
        return new AdminException(429, "too_many_failures", message);
    }

    public static AdminException unsupportedMediaType(String message) {
        return new AdminException(415, "unsupported_media_type", message);
    }

    public String code() {
        return code;
    }

    @Override
    public int httpStatus() {
        return status;
    }
}
