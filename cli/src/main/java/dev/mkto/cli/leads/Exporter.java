package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.Output;
import dev.mkto.cli.auth.Authentication;
import dev.mkto.cli.auth.Connections;
import dev.mkto.cli.auth.TokenCommand;
import dev.mkto.cli.term.Progress;
import dev.mkto.client.ApiResult;
import dev.mkto.client.Endpoint;
import dev.mkto.client.Lead;
import dev.mkto.client.MarketoClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Exports leads to CSV. With a creation-date range, Marketo's bulk extract is used (one job per
 * 31 days, as Marketo requires) unless paging is asked for; otherwise leads are paged through a
 * filter: the values given ({@code --filter FIELD --values …}), or lead ids from 1 upwards in
 * requests of 300 until a long run of ids holds no lead.
 */
final class Exporter {

    /** What to export. */
    record Options(List<String> fields, @Nullable String filter, List<String> values, long fromId, long toId, long maxGap,
                   @Nullable Instant createdSince, @Nullable Instant createdUntil, boolean paging, Duration pollEvery) {
    }

    /** How it went. */
    record Summary(long leads, long requests, String method) {
    }

    private static final int BATCH = 300;
    private static final Duration BULK_WINDOW = Duration.ofDays(31);

    private final MarketoClient client;
    private final Authentication auth;
    private final Context ctx;
    private final boolean showProgress;

    Exporter(MarketoClient client, Authentication auth, Context ctx, boolean showProgress) {
        this.client = client;
        this.auth = auth;
        this.ctx = ctx;
        this.showProgress = showProgress;
    }

    Summary run(Options o, Writer out) throws IOException {
        BufferedWriter w = new BufferedWriter(out, 1 << 16);
        Summary s;
        if (o.createdSince() != null && !o.paging() && o.filter() == null) {
            s = bulk(o, w);
        } else {
            s = page(o, w);
        }
        w.flush();
        return s;
    }

    // ---- paging

    private Summary page(Options o, BufferedWriter w) throws IOException {
        List<String> fields = new ArrayList<>(o.fields());
        boolean filterCreated = o.createdSince() != null || o.createdUntil() != null;
        List<String> asked = new ArrayList<>(fields);
        if (filterCreated && !asked.contains("createdAt")) {
            asked.add("createdAt");
        }
        w.write(CsvWriter.line(fields));
        Progress progress = new Progress(ctx.err(), ctx.terminal(), showProgress, ctx.clock(), "exporting leads", "leads",
                o.filter() != null ? o.values().size() : 0, 0, 0);
        long leads = 0;
        long requests = 0;
        if (o.filter() != null) {
            for (int from = 0; from < o.values().size(); from += BATCH) {
                List<String> batch = o.values().subList(from, Math.min(from + BATCH, o.values().size()));
                ApiResult<List<Lead>> r = Connections.call(() -> client.leads().query(o.filter(), batch, asked));
                List<Lead> found = Connections.value(r, "reading leads by " + o.filter());
                requests += r.requestIds().size();
                leads += write(w, found, fields, o);
                w.flush(); // a page at a time, so a closed standard output stops the export
                progress.update(from + batch.size(), leads);
            }
        } else {
            long gap = 0;
            for (long from = o.fromId(); from <= o.toId() && gap < o.maxGap(); from += BATCH) {
                List<Long> ids = new ArrayList<>();
                for (long id = from; id < from + BATCH && id <= o.toId(); id++) {
                    ids.add(id);
                }
                ApiResult<List<Lead>> r = Connections.call(() -> client.leads().query("id", ids, asked));
                List<Lead> found = Connections.value(r, "reading leads " + ids.get(0) + "-" + ids.get(ids.size() - 1));
                requests += r.requestIds().size();
                gap = found.isEmpty() ? gap + ids.size() : 0;
                leads += write(w, found, fields, o);
                w.flush();
                progress.update(0, leads);
            }
        }
        progress.finish();
        return new Summary(leads, requests, o.filter() != null ? "paging by " + o.filter() : "paging by id");
    }

    private static long write(BufferedWriter w, List<Lead> leads, List<String> fields, Options o) throws IOException {
        long n = 0;
        List<Lead> sorted = new ArrayList<>(leads);
        sorted.sort(java.util.Comparator.comparingLong(Lead::id));
        for (Lead l : sorted) {
            if (!created(l, o)) {
                continue;
            }
            List<String> line = new ArrayList<>(fields.size());
            for (String f : fields) {
                line.add(l.string(f).orElse(""));
            }
            w.write(CsvWriter.line(line));
            n++;
        }
        return n;
    }

    private static boolean created(Lead l, Options o) {
        if (o.createdSince() == null && o.createdUntil() == null) {
            return true;
        }
        Optional<String> at = l.string("createdAt");
        if (at.isEmpty()) {
            return false;
        }
        Instant t = Instant.parse(at.get());
        return (o.createdSince() == null || !t.isBefore(o.createdSince())) && (o.createdUntil() == null || t.isBefore(o.createdUntil()));
    }

    // ---- bulk extract

    /** The bulk extract; a refusal names its code and points at {@code --paging}. */
    private Summary bulk(Options o, BufferedWriter w) throws IOException {
        Instant until = o.createdUntil() != null ? o.createdUntil() : ctx.clock().instant();
        long requests = 0;
        long leads = 0;
        boolean first = true;
        for (Instant start = o.createdSince(); start.isBefore(until); start = start.plus(BULK_WINDOW)) {
            Instant from = start;
            Instant to = from.plus(BULK_WINDOW).isBefore(until) ? from.plus(BULK_WINDOW) : until;
            ApiResult<List<Map<String, @Nullable Object>>> created = Connections.call(() -> client.post("/bulk/v1/leads/export/create.json",
                    Map.of(), Output.map("fields", o.fields(), "format", "CSV",
                            "filter", Output.map("createdAt", Output.map("startAt", from.toString(), "endAt", to.toString())))));
            requests++;
            if (!created.success()) {
                ctx.note("Bulk extract was refused; --paging exports through the REST API instead.");
            }
            boolean withHeader = first;
            first = false;
            String id = String.valueOf(Connections.value(created, "creating a bulk export job").get(0).get("exportId"));
            Progress progress = new Progress(ctx.err(), ctx.terminal(), showProgress, ctx.clock(), "bulk export " + id, "polls", 0, 0, 0);
            // a job left running would hold one of the instance's export slots and its daily allowance:
            // cancelled when the export fails or is stopped (Ctrl-C) before the job completed
            JobEnd end;
            Runnable cancel = () -> client.post("/bulk/v1/leads/export/" + id + "/cancel.json", Map.of(), null);
            try (Unfinished job = Unfinished.onStop("export-job", cancel)) {
                try {
                    end = awaitEnd(id, o, progress);
                } catch (RuntimeException e) {
                    job.now();
                    throw e;
                }
            }
            requests += end.requests();
            if (!end.status().equals("Completed")) {
                throw CliException.refused("bulk export job " + id + " " + end.status().toLowerCase(java.util.Locale.ROOT) + ": "
                        + end.errorMsg(), null);
            }
            progress.finish();
            leads += download(id, w, withHeader);
            requests++;
        }
        return new Summary(leads, requests, "bulk extract");
    }

    /** How a bulk export job ended (Completed, Failed or Cancelled), and the requests it took to find out. */
    private record JobEnd(String status, String errorMsg, long requests) {
    }

    /** Enqueues job {@code id} and polls it until it completed, failed or was cancelled. */
    private JobEnd awaitEnd(String id, Options o, Progress progress) {
        Connections.value(Connections.call(() -> client.post("/bulk/v1/leads/export/" + id + "/enqueue.json", Map.of(), null)),
                "enqueuing bulk export job " + id);
        long requests = 1;
        long polls = 0;
        while (true) {
            Map<String, @Nullable Object> status = Connections.value(Connections.call(() -> client.get(
                    "/bulk/v1/leads/export/" + id + "/status.json", Map.of())), "reading bulk export job " + id).get(0);
            requests++;
            progress.update(0, ++polls);
            String st = String.valueOf(status.get("status"));
            if (st.equals("Completed") || st.equals("Failed") || st.equals("Cancelled")) {
                return new JobEnd(st, java.util.Objects.toString(status.get("errorMsg"), ""), requests);
            }
            sleep(o.pollEvery());
        }
    }

    private long download(String id, BufferedWriter w, boolean withHeader) throws IOException {
        String token = TokenCommand.fetch(auth).path("access_token").asString("");
        URI uri = URI.create(Endpoint.parse(auth.endpoint()).baseUrl() + "/bulk/v1/leads/export/" + id + "/file.json");
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(30)).GET().build();
        HttpResponse<InputStream> r;
        try {
            r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unreachable("interrupted");
        } catch (IOException e) {
            throw CliException.unreachable("GET " + uri + " (the bulk export's file) got no answer: " + e.getMessage()
                    + "; run the export again");
        }
        if (r.statusCode() != 200) {
            throw CliException.refused("GET " + uri + " answered HTTP " + r.statusCode(), String.valueOf(r.statusCode()));
        }
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            // Marketo answers a refused download (a limit, lost access to a partition) with its JSON envelope, not the file
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(64 * 1024);
            }
            var error = Optional.ofNullable(Output.tryParse(body)).map(j -> j.path("errors").path(0));
            String code = error.map(e -> e.path("code").asString("")).orElse("");
            throw CliException.refused("GET " + uri + " answered " + (code.isEmpty() ? "JSON instead of the file"
                    : code + " " + error.get().path("message").asString("")) + "; the export stopped without writing its output, run the export again",
                    code.isEmpty() ? null : code);
        }
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            return copyRecords(in, w, withHeader);
        }
    }

    /**
     * Copies a CSV file record by record, each ended with {@code \r\n}, leaving line breaks inside
     * quoted cells as they are; the header record only if asked. Answers the number of records
     * after the header.
     */
    static long copyRecords(java.io.Reader in, Writer w, boolean withHeader) throws IOException {
        StringBuilder record = new StringBuilder();
        boolean quoted = false;
        boolean header = true;
        long records = 0;
        int c;
        while (true) {
            c = in.read();
            if (c == -1 || (c == '\n' && !quoted)) {
                if (c == -1 && record.isEmpty()) {
                    break;
                }
                if (!record.isEmpty() && record.charAt(record.length() - 1) == '\r') {
                    record.setLength(record.length() - 1);
                }
                if (record.isEmpty()) { // a blank line holds no record
                    if (c == -1) {
                        break;
                    }
                    continue;
                }
                if (!header || withHeader) {
                    w.write(record.toString());
                    w.write("\r\n");
                }
                records += header ? 0 : 1;
                header = false;
                record.setLength(0);
                if (c == -1) {
                    break;
                }
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            record.append((char) c);
        }
        return records;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unreachable("interrupted");
        }
    }
}
