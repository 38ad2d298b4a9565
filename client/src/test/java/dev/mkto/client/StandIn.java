package dev.mkto.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local HTTP endpoint that answers with scripted Marketo answers, for what a real mkto-server
 * cannot be made to do on demand (604, 608, 611, 713, a dropped connection, a token in its last
 * second) and for calls whose endpoints it does not serve yet. It records every request.
 */
final class StandIn implements AutoCloseable {

    /** A request as it arrived. */
    record Request(String method, String path, String query, String body, String authorization, String contentType) {
    }

    /** A scripted answer: a status and body, or a connection dropped without an answer; sent after {@code delay}. */
    record Reply(int status, String body, boolean drop, Duration delay) {
        Reply(int status, String body, boolean drop) {
            this(status, body, drop, Duration.ZERO);
        }

        /** This answer, sent only after {@code d} (so that other requests arrive while it is awaited). */
        Reply after(Duration d) {
            return new Reply(status, body, drop, d);
        }

        static Reply json(String body) {
            return new Reply(200, body, false);
        }

        static Reply error(String code, String message) {
            return json("{\"requestId\":\"e1#1\",\"success\":false,\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}");
        }

        static Reply ok(String result) {
            return json("{\"requestId\":\"a1#1\",\"success\":true,\"result\":" + result + "}");
        }

        static Reply dropped() {
            return new Reply(0, "", true);
        }
    }

    static final String TOKEN = "0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b:st";
    static final Reply DEFAULT_TOKEN = Reply.json("{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}");

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();

    StandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/rest";
    }

    /** Answers the next requests to {@code "METHOD /path"} with these replies, in order; afterwards the default. */
    StandIn script(String methodAndPath, Reply... replies) {
        scripts.computeIfAbsent(methodAndPath, k -> new ArrayDeque<>()).addAll(List.of(replies));
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests to this path, identity requests excluded unless asked for. */
    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    MarketoClient client() {
        return builder(new RecordingTrace()).build();
    }

    MarketoClient.Builder builder(RecordingTrace trace) {
        return TestClients.builder(endpoint(), "client-id-1", "client-secret-1", trace).sleeper(d -> { });
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        requests.add(new Request(method, path, ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery(), body,
                String.valueOf(ex.getRequestHeaders().getFirst("Authorization")), String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"))));
        Deque<Reply> script = scripts.get(method + " " + path);
        Reply reply;
        synchronized (this) {
            reply = script == null || script.isEmpty() ? null : script.poll();
        }
        if (reply == null) {
            reply = path.equals("/identity/oauth/token") ? DEFAULT_TOKEN : Reply.ok("[]");
        }
        if (!reply.delay().isZero()) {
            try {
                Thread.sleep(reply.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reply.drop()) {
            ex.getHttpContext().getServer(); // nothing is sent: the connection is closed under the request
            ex.close();
            return;
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(reply.status(), bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
