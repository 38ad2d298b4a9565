package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mkto leads export --created-since} through Marketo's bulk extract, against a scripted
 * endpoint answering as Marketo's documentation shows (mkto-server does not offer bulk extract
 * yet; the fallback to paging is tested against it in LeadsCommandsTest).
 */
class BulkExportTest {

    private HttpServer marketo;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    private final AtomicInteger jobs = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        marketo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        marketo.createContext("/", this::answer);
        marketo.start();
    }

    @AfterEach
    void stop() {
        marketo.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        requests.add(x.getRequestMethod() + " " + path);
        bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String body;
        String type = "application/json";
        if (path.equals("/identity/oauth/token")) {
            body = "{\"access_token\":\"0f8e0000-1111-4222-8333-444455556666:ab\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}";
        } else if (path.equals("/bulk/v1/leads/export/create.json")) {
            body = "{\"requestId\":\"1#1\",\"success\":true,\"result\":[{\"exportId\":\"job-" + jobs.incrementAndGet() + "\",\"status\":\"Created\"}]}";
        } else if (path.endsWith("/enqueue.json")) {
            body = "{\"requestId\":\"1#2\",\"success\":true,\"result\":[{\"status\":\"Queued\"}]}";
        } else if (path.endsWith("/status.json")) {
            int n = polls.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            body = "{\"requestId\":\"1#3\",\"success\":true,\"result\":[{\"status\":\"" + (n < 2 ? "Processing" : "Completed") + "\"}]}";
        } else if (path.endsWith("/file.json")) {
            String job = path.split("/")[5];
            body = "email,firstName\n" + job + "-a@example.com,\"Smith, Ada\"\n" + job + "-b@example.com,Bob\n";
            type = "text/csv";
        } else {
            body = "{\"requestId\":\"1#4\",\"success\":false,\"errors\":[{\"code\":\"610\",\"message\":\"Requested resource not found\"}]}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(200, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Test
    void exportWhenACreationRangeAndBulkIsOfferedThenOneJobPer31DaysPolledDownloadedAndJoined() {
        Cli cli = Cli.fresh().stdin("bulk-secret-0123456789");
        String endpoint = "http://127.0.0.1:" + marketo.getAddress().getPort() + "/rest";
        assertThat(cli.run("auth", "add", "b", "--endpoint", endpoint, "--client-id", "bulk-client", "--secret-stdin").code()).isZero();

        Cli.Result r = cli.run("leads", "export", "--fields", "email,firstName", "--created-since", "2026-09-01", "--created-until", "2026-10-15",
                "--poll-seconds", "1");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEqualTo("email,firstName\r\njob-1-a@example.com,\"Smith, Ada\"\r\njob-1-b@example.com,Bob\r\n"
                + "job-2-a@example.com,\"Smith, Ada\"\r\njob-2-b@example.com,Bob\r\n");
        assertThat(r.err()).contains("Exported 4 leads (bulk extract");
        assertThat(jobs.get()).isEqualTo(2);
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("\"createdAt\":{\"startAt\":\"2026-09-01T00:00:00Z\",\"endAt\":\"2026-10-02T00:00:00Z\"}"));
        assertThat(bodies).anySatisfy(b -> assertThat(b).contains("\"startAt\":\"2026-10-02T00:00:00Z\",\"endAt\":\"2026-10-15T00:00:00Z\""));
        assertThat(requests).contains("POST /bulk/v1/leads/export/job-1/enqueue.json", "GET /bulk/v1/leads/export/job-2/file.json");
        assertThat(polls.get("/bulk/v1/leads/export/job-1/status.json").get()).isEqualTo(2);
    }
}
