package dev.mkto.server.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a handler answers; the chain renders it for the handler's surface. */
public sealed interface Reply {

    /**
     * A Lead Database envelope: {@code result} (omitted when null), optional paging fields,
     * optional warnings, and any extra top-level fields (e.g. a paging-token call's token).
     */
    record Envelope(List<?> result, String nextPageToken, Boolean moreResult, List<?> warnings,
                    Map<String, Object> extra) implements Reply {

        public static Envelope of(List<?> result) {
            return new Envelope(result, null, null, List.of(), Map.of());
        }

        public static Envelope page(List<?> result, String nextPageToken, boolean moreResult) {
            return new Envelope(result, nextPageToken, moreResult, List.of(), Map.of());
        }

        public Envelope withExtra(String name, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(extra);
            more.put(name, value);
            return new Envelope(result, nextPageToken, moreResult, warnings, more);
        }
    }

    /** A file (bulk extract): status (200, or 206 for a range), content type, extra headers, bytes. */
    record File(int status, String contentType, Map<String, String> headers, byte[] bytes) implements Reply {
    }

    /** A plain JSON body with a status (User Management API, admin API). */
    record Body(int status, Object body) implements Reply {
        public static Body ok(Object body) {
            return new Body(200, body);
        }
    }
}
