package dev.mkto.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where answers and errors become response bodies, per {@link Surface}. Messages
 * come from the exceptions, which never carry secrets; unexpected failures become 611 (or a plain
 * 500 outside the REST API) without details.
 */
public final class Responses {

    public static final String JSON = "application/json;charset=UTF-8";

    private Responses() {
    }

    /** A rendered response. */
    public record Rendered(int status, byte[] body) {
    }

    public static Rendered envelope(String requestId, Reply.Envelope e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", requestId);
        if (e.result() != null) {
            out.put("result", e.result());
        }
        out.put("success", true);
        if (e.nextPageToken() != null) {
            out.put("nextPageToken", e.nextPageToken());
        }
        if (e.moreResult() != null) {
            out.put("moreResult", e.moreResult());
        }
        if (!e.warnings().isEmpty()) {
            out.put("warnings", e.warnings());
        }
        out.putAll(e.extra());
        return new Rendered(200, Json.write(out));
    }

    public static Rendered body(Reply.Body b) {
        return new Rendered(b.status(), b.body() == null ? new byte[0] : Json.write(b.body()));
    }

    public static Rendered error(Surface surface, String requestId, ApiException e) {
        return switch (surface) {
            case MAPI -> mapi(requestId, e);
            case USER_MANAGEMENT -> userManagement(e);
            case IDENTITY -> identity(e);
            case ADMIN -> admin(e);
        };
    }

    /**
     * What Helidon answers, before any route, to a request it cannot read as HTTP (a malformed
     * percent-escape, a header too long or holding a control character, broken chunked framing, a
     * Content-Encoding): HTTP 400 in the error shape of the face the path names, saying what to
     * look at. Helidon's own description is not repeated: it may quote a header's value.
     */
    public static DirectHandler unreadable(RequestIds requestIds) {
        return transportError(requestIds, Status.BAD_REQUEST_400, UNREADABLE);
    }

    /**
     * What Helidon answers to a request of another HTTP version than 1.1 (HTTP/1.0, as ApacheBench
     * and {@code curl --http1.0} send): HTTP 505 in the error shape of the face the path names,
     * saying to send HTTP/1.1; the connection is closed after it.
     */
    public static DirectHandler otherHttpVersion(RequestIds requestIds) {
        return transportError(requestIds, Status.HTTP_VERSION_NOT_SUPPORTED_505, OTHER_VERSION);
    }

    private static DirectHandler transportError(RequestIds requestIds, Status answer, String description) {
        return (request, event, status, headers, message) -> {
            String path = request.path() == null ? "" : request.path();
            Surface surface = Surface.of(path);
            Rendered r = error(surface, requestIds.next(), surface == Surface.IDENTITY ? IdentityException.invalidRequest(description)
                    : surface == Surface.ADMIN ? AdminException.invalid(description) : new MarketoException(ErrorCode.BAD_REQUEST, description));
            return DirectHandler.TransportResponse.builder()
                    .status(answer)
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8")
                    .entity(r.body())
                    .build();
        };
    }

    private static final String OTHER_VERSION = "mkto-server speaks HTTP/1.1: send the request as HTTP/1.1 (HTTP/1.0 is not supported)";

    private static final String UNREADABLE = "The request could not be read as HTTP/1.1: look for a '%' in the path or query that is"
            + " not followed by two hex digits (send '%25' for '%'), a header that is too long or holds a control character, a body"
            + " whose chunked framing or Content-Length is wrong, or a Content-Encoding (send the body uncompressed)";

    /** The answer to a failure nobody anticipated: no details leave the server. */
    public static Rendered unexpected(Surface surface, String requestId) {
        return switch (surface) {
            case MAPI -> mapi(requestId, MarketoException.of(ErrorCode.SYSTEM_ERROR));
            case USER_MANAGEMENT -> new Rendered(500, Json.write(Map.of("errors",
                    List.of(Map.of("code", 611, "message", ErrorCode.SYSTEM_ERROR.message())))));
            case IDENTITY -> new Rendered(500, Json.write(Map.of("error", "server_error",
                    "error_description", "Internal error; see the server log for request " + requestId)));
            case ADMIN -> new Rendered(500, Json.write(Map.of("error", Map.of("status", 500, "code", "internal",
                    "message", "Internal error; see the server log for request " + requestId))));
        };
    }

    private static Rendered mapi(String requestId, ApiException e) {
        String code;
        if (e instanceof MarketoException m) {
            code = m.code().code();
        } else {
            code = e.httpStatus() == 404 ? ErrorCode.NOT_FOUND.code() : ErrorCode.INVALID_DATA.code();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", requestId);
        out.put("success", false);
        out.put("errors", List.of(error(code, message(e))));
        // errors are HTTP 200, as Marketo's are, but for the HTTP-level ones (400, 413, 414)
        return new Rendered(e instanceof MarketoException m && m.code().httpStatus() != 200 ? m.code().httpStatus() : 200, Json.write(out));
    }

    private static Rendered userManagement(ApiException e) {
        int status;
        int code;
        if (e instanceof MarketoException m) {
            code = Integer.parseInt(m.code().code());
            status = switch (m.code()) {
                case ACCESS_TOKEN_NOT_SPECIFIED, ACCESS_TOKEN_INVALID, ACCESS_TOKEN_EXPIRED -> 401;
                case ACCESS_DENIED -> 403;
                case NOT_FOUND -> 404;
                case METHOD_NOT_SUPPORTED -> 405;
                case RATE_LIMIT_EXCEEDED, DAILY_QUOTA_REACHED, CONCURRENT_LIMIT_REACHED -> 429;
                case TEMPORARILY_UNAVAILABLE -> 503;
                case PAYLOAD_TOO_LARGE -> 413;
                case URI_TOO_LONG -> 414;
                case SYSTEM_ERROR -> 500;
                default -> 400;
            };
        } else {
            status = e.httpStatus();
            code = status;
        }
        return new Rendered(status, Json.write(Map.of("errors", List.of(Map.of("code", code, "message", message(e))))));
    }

    private static Rendered identity(ApiException e) {
        String error = e instanceof IdentityException i ? i.error() : "invalid_request";
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", error);
        out.put("error_description", e.getMessage());
        return new Rendered(e.httpStatus() == 200 ? 400 : e.httpStatus(), Json.write(out));
    }

    private static Rendered admin(ApiException e) {
        if (e instanceof IdentityException) {
            // On the admin face, 401 means "the admin credential failed". An identity refusal here
            // comes from "Get Token" for a service that may not have one now: a conflict with its state.
            e = AdminException.conflict(e.getMessage());
        }
        String code = e instanceof AdminException a ? a.code()
                : e instanceof MarketoException m ? m.code().code() : "invalid";
        int status = e.httpStatus() == 200 ? 400 : e.httpStatus();
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("status", status);
        inner.put("code", code);
        inner.put("message", e.getMessage());
        return new Rendered(status, Json.write(Map.of("error", inner)));
    }

    /**
     * An error's message as a caller sees it: never a control character, whatever a message quoted
     * (each quote of input is cut by {@link Echo#of} where it is made; this is the net behind them).
     */
    private static String message(ApiException e) {
        return e.getMessage() == null ? "" : Echo.printable(e.getMessage());
    }

    private static Map<String, String> error(String code, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("code", code);
        m.put("message", message);
        return m;
    }
}
