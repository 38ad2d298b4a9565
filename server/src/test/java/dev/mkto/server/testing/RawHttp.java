package dev.mkto.server.testing;

import dev.mkto.server.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: for what {@code java.net.http} refuses to
 * send (control characters or Latin-1 bytes in a header, raw query bytes, broken framing). Every
 * request asks the server to close the connection, so an answer is read to the end of the stream.
 */
public final class RawHttp {

    /** An answer: its status (-1 when the server closed without one), its head and its body. */
    public record Response(int status, String head, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as JSON, or a missing node when it is empty or not JSON. */
        public JsonNode json() {
            try {
                return body.length == 0 ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(body);
            } catch (RuntimeException notJson) {
                return Json.MAPPER.missingNode();
            }
        }

        @Override
        public String toString() {
            String t = text();
            return status + " " + (t.length() > 300 ? t.substring(0, 300) + "…" : t);
        }
    }

    private RawHttp() {
    }

    /**
     * A request: {@code target} is sent as is, header values as Latin-1 bytes (one byte per char,
     * as HTTP carries them), a body with its Content-Length.
     */
    public static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Host", "localhost");
        all.putAll(headers);
        if (body != null) {
            all.put("Content-Length", Integer.toString(body.length));
        }
        all.put("Connection", "close");
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        all.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return h;
        }
        byte[] out = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    public static Response exchange(int port, byte[] request) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            try {
                for (int n; !complete(got.toByteArray()) && (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // a server that answered and then reset the connection: keep what arrived
            }
            return parse(got.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the head and as much body as its Content-Length announces have arrived (the server need not close). */
    private static boolean complete(byte[] raw) {
        Response r = parse(raw);
        if (r.status() < 0) {
            return false;
        }
        for (String line : r.head().split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return r.body().length >= Integer.parseInt(line.substring(15).strip());
            }
        }
        return false;
    }

    private static Response parse(byte[] raw) {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (!all.startsWith("HTTP/1.1 ") || end < 0) {
            return new Response(-1, all, new byte[0]);
        }
        String head = all.substring(0, end);
        int status = Integer.parseInt(head.substring(9, 12));
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                int length = Integer.parseInt(line.substring(15).strip());
                body = Arrays.copyOf(body, Math.min(length, body.length));
            }
        }
        return new Response(status, head, body);
    }
}
