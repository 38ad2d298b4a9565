package dev.mkto.server.http;

import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading requests and writing responses on Helidon, shared by every surface. */
public final class HttpIO {

    private HttpIO() {
    }

    /** Thrown by {@link #readBody} when the body is larger than allowed. */
    public static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * The whole body, at most {@code limit} bytes; {@link TooLarge} beyond that. A body that cannot
     * be read (a malformed chunk, a connection closed mid-body) is an HTTP-level fault like a bad
     * Content-Length: {@link BadRequestException}, which callers leave to Helidon (400, connection closed).
     */
    public static byte[] readBody(ServerRequest req, int limit) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > limit) {
            throw new TooLarge();
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(limit + 1);
        } catch (IOException | RuntimeException e) {
            throw new BadRequestException("Malformed request body");
        }
        if (bytes.length > limit) {
            throw new TooLarge();
        }
        return bytes;
    }

    public static void send(ServerResponse res, Responses.Rendered rendered) {
        res.status(rendered.status());
        res.header(HeaderNames.CONTENT_TYPE, Responses.JSON);
        res.send(rendered.body());
    }

    /**
     * A form or query string that cannot be read as sent: a '%' not followed by two hex digits (as
     * Helidon refuses it in a query), or, where the text is to be stored, percent-escapes that are
     * not UTF-8. Each face answers it as its bad request (the text was kept with the stray '%', or
     * with U+FFFD in place of the bytes: changed silently).
     */
    public static final class MalformedForm extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedForm(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses {@code a=1&b=2} (form bodies, raw query strings), percent- and plus-decoding; a stray
     * '%' is {@link MalformedForm}, escapes that are not UTF-8 read as U+FFFD (a lookup then finds
     * nothing, as it would in Marketo).
     */
    public static Map<String, List<String>> parseForm(String text) {
        return parseForm(text, false);
    }

    /** As {@link #parseForm(String)}, for text that is stored: escapes that are not UTF-8 are {@link MalformedForm} too. */
    public static Map<String, List<String>> parseStoredForm(String text) {
        return parseForm(text, true);
    }

    private static Map<String, List<String>> parseForm(String text, boolean exactUtf8) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), exactUtf8);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), exactUtf8);
            out.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        return out;
    }

    /** The request's path for the log: as sent (percent-encoded), so that a decoded line break cannot forge a log line. */
    public static String loggedPath(ServerRequest req) {
        return Echo.printable(req.prologue().uriPath().rawPath());
    }

    /** The client's address as seen on the socket. */
    public static String remoteAddress(ServerRequest req) {
        SocketAddress a = req.remotePeer().address();
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(a);
    }

    /**
     * The Content-Type header as sent, or null. Read raw: Helidon's parsed view throws on a value it
     * cannot parse, and an unparseable type is simply not one the server accepts (612, not 611).
     */
    public static String contentType(ServerRequest req) {
        return req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
    }

    public static boolean isForm(String contentType) {
        return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    private static String decode(String s, boolean exactUtf8) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(s.length());
        StringBuilder run = new StringBuilder(); // text between escapes, encoded as a whole (a pair of surrogates stays one character)
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                run.append(c == '+' ? ' ' : c);
                continue;
            }
            bytes.writeBytes(run.toString().getBytes(StandardCharsets.UTF_8));
            run.setLength(0);
            int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
            if (lo < 0) {
                throw new MalformedForm("'" + Echo.of(s) + "' holds a '%' not followed by two hex digits; send '%25' for '%'");
            }
            bytes.write(hi * 16 + lo);
            i += 2;
        }
        bytes.writeBytes(run.toString().getBytes(StandardCharsets.UTF_8));
        if (!exactUtf8) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedForm("'" + Echo.of(s) + "' holds percent-escapes that are not UTF-8");
        }
    }
}
