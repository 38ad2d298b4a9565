package dev.mkto.server.http;

/** The server's faces, each with its own error vocabulary (see {@link Responses}). */
public enum Surface {
    /** Lead Database REST and bulk API: Marketo's envelope, errors as HTTP 200 with a code. */
    MAPI,
    /** Marketo's User Management API: bare JSON, errors as HTTP status with {@code errors[]}. */
    USER_MANAGEMENT,
    /** The identity service: OAuth 2.0 error bodies. */
    IDENTITY,
    /** The admin JSON API: {@code {"error":{status, code, message}}}. */
    ADMIN;

    /** The face a request path belongs to (the console's pages answer as the admin API does). */
    public static Surface of(String path) {
        if (path.startsWith("/identity")) {
            return IDENTITY;
        }
        if (path.startsWith("/admin")) {
            return ADMIN;
        }
        return path.startsWith("/userservice/") ? USER_MANAGEMENT : MAPI;
    }
}
