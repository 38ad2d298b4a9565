package dev.mkto.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The driver's own calls: tokens, a checked request, and loading leads through Sync Leads. */
final class Http {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    Http(String base) {
        this.base = base;
    }

    String token(int service) throws IOException, InterruptedException {
        JsonNode body = get("/identity/oauth/token?grant_type=client_credentials&client_id=" + Seeds.clientId(service)
                + "&client_secret=" + URLEncoder.encode(Seeds.clientSecret(service), StandardCharsets.UTF_8), null);
        JsonNode token = body.get("access_token");
        if (token == null) {
            throw new IllegalStateException("no token for service " + service + ": " + body);
        }
        return token.asString();
    }

    /** A GET whose answer must be HTTP 200 and, for the REST API, {@code success: true}. */
    JsonNode get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Seeds.MAPPER.readTree(r.body());
        if (r.statusCode() != 200 || (body.has("success") && !body.get("success").asBoolean())) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return body;
    }

    /**
     * Creates leads {@code from} (inclusive) to {@code to} (exclusive) as lead{n}@example.com with
     * Sync Leads, 300 per call, createOrUpdate on email, {@code inFlight} calls at once; the elapsed
     * nanoseconds. Every record must come back created.
     */
    long syncLeads(String token, long from, long to, int inFlight) throws InterruptedException {
        Semaphore slots = new Semaphore(inFlight);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        for (long first = from; first < to && failures.isEmpty(); first += 300) {
            long batchFirst = first;
            long batchEnd = Math.min(to, first + 300);
            slots.acquire();
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    syncBatch(token, batchFirst, batchEnd);
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("sync failed", failures.getFirst());
        }
        return System.nanoTime() - started;
    }

    private void syncBatch(String token, long from, long to) throws IOException, InterruptedException {
        ObjectNode body = Seeds.MAPPER.createObjectNode().put("action", "createOrUpdate").put("lookupField", "email");
        ArrayNode input = body.putArray("input");
        for (long n = from; n < to; n++) {
            input.addObject().put("email", "lead" + n + "@example.com").put("firstName", "Ada").put("lastName", "Lovelace " + n);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/rest/v1/leads.json")).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = Seeds.MAPPER.readTree(r.body());
        if (!answer.path("success").asBoolean()) {
            throw new IllegalStateException("sync answered " + r.body());
        }
        for (JsonNode record : answer.path("result")) {
            if (!record.path("status").asString().equals("created")) {
                throw new IllegalStateException("a lead was not created: " + record);
            }
        }
    }
}
