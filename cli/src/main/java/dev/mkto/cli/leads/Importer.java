package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.auth.Connections;
import dev.mkto.cli.term.Progress;
import dev.mkto.client.ApiResult;
import dev.mkto.client.Leads;
import dev.mkto.client.MarketoClient;
import dev.mkto.client.MarketoError;
import dev.mkto.client.RecordResult;
import dev.mkto.client.TransportException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Imports a CSV file of leads in batches through the SDK's sync (which respects 606, 615 and
 * 607), so that an interruption at any moment loses nothing and duplicates nothing:
 *
 * <ul>
 *   <li>rows are upserted by a lookup field ({@code createOrUpdate} or {@code updateOnly}), never
 *       created blindly, so a batch sent twice updates the leads the first sending created;
 *   <li>after each batch Marketo answered, the rejects of that batch are appended and forced to
 *       disk, then the checkpoint (byte offset and row after the batch, a fingerprint of the file
 *       up to there, the length of the rejects file) is replaced atomically;
 *   <li>{@code --resume} continues after the checkpoint, cutting the rejects file back to the
 *       length it records; a batch cut off between its sync and its checkpoint is sent again.
 * </ul>
 *
 * <p>Up to {@code parallel} batches are in flight at once, but their answers are taken in file
 * order, so the checkpoint only ever moves past batches whose every predecessor was answered.
 */
final class Importer {

    /** What to import and how. */
    record Options(Path input, Map<String, String> map, Set<String> ignore, String lookupField, Leads.SyncAction action,
                   @Nullable String partition, Path rejects, boolean resume, boolean restart, int batchSize, int parallel) {
    }

    /** How the import went. */
    record Summary(Path input, long rows, long sent, long created, long updated, long rejected, long batches, long resumedAfterRow,
                   @Nullable Path rejects, Duration elapsed) {
    }

    private final MarketoClient client;
    private final Context ctx;
    private final boolean showProgress;

    Importer(MarketoClient client, Context ctx, boolean showProgress) {
        this.client = client;
        this.ctx = ctx;
        this.showProgress = showProgress;
    }

    static Path checkpointFor(Path input) {
        return input.resolveSibling(input.getFileName() + ".mkto-import");
    }

    Summary run(Options o) throws IOException {
        Instant started = ctx.clock().instant();
        if (o.action() != Leads.SyncAction.CREATE_OR_UPDATE && o.action() != Leads.SyncAction.UPDATE_ONLY) {
            throw CliException.usage("an import upserts, so that it can be resumed without duplicates: use --action createOrUpdate or updateOnly");
        }
        if (!Files.isRegularFile(o.input())) {
            throw CliException.usage(Files.isDirectory(o.input()) ? o.input() + " is a directory; give the CSV file to import"
                    : "no such file: " + o.input());
        }
        if (o.rejects().toAbsolutePath().equals(o.input().toAbsolutePath())) {
            throw CliException.usage("the rejects file " + o.rejects() + " is the file being imported; nothing was sent."
                    + " Choose another with --rejects FILE");
        }
        WritableFile.check(o.rejects(), "the rejects file", "--rejects FILE");
        long size = Files.size(o.input());
        CsvReader.Row header;
        try (CsvReader r = new CsvReader(new BufferedInputStream(Files.newInputStream(o.input())), 0, 0, null)) {
            header = r.next();
        }
        if (header == null || header.error() != null) {
            throw CliException.usage(o.input() + (header == null ? " has no header row" : ": the header row cannot be read: " + header.error()));
        }
        Path checkpointFile = checkpointFor(o.input());
        if (!o.resume() && !o.restart() && Files.exists(checkpointFile)) {
            startingPoint(o, checkpointFile, ""); // refuses, saying how far the earlier import got, before Marketo is asked anything
        }
        List<Leads.Field> fields = Connections.value(Connections.call(() -> client.leads().describe()), "reading the lead fields");
        ColumnMapping mapping = ColumnMapping.of(header.fields(), fields, o.map(), o.ignore(), o.lookupField());
        String options = "map=" + mapping.describe(header.fields()) + "; lookupField=" + o.lookupField() + "; action=" + o.action().wireName()
                + "; partition=" + o.partition();

        Checkpoint start = startingPoint(o, checkpointFile, options);
        MessageDigest digest = sha256();
        long offset = start == null ? 0 : start.offset();
        boolean rejectsKept = true;
        if (start != null) {
            verifyPrefix(o.input(), start, digest);
            rejectsKept = truncateRejects(o.rejects(), start.rejectsLength());
            if (!rejectsKept) {
                ctx.note("The rejects file " + o.rejects() + " is missing or shorter than the last run left it: the " + start.rejected()
                        + " rows rejected before are no longer listed in it (they are counted still); rows rejected from now on are.");
            }
            ctx.note("Resuming " + o.input().getFileName() + " after row " + start.row() + " (" + start.sent() + " rows sent in "
                    + start.batches() + " batches).");
        } else {
            Files.deleteIfExists(o.rejects());
        }
        State s = new State(start);
        if (!rejectsKept) {
            s.rejectsLength = 0; // a new rejects file, with its header
        }
        Progress progress = new Progress(ctx.err(), ctx.terminal(), showProgress, ctx.clock(), "importing " + o.input().getFileName(),
                "rows", size, offset, s.rows);
        ExecutorService senders = Executors.newFixedThreadPool(o.parallel(), r -> {
            Thread t = new Thread(r, "mkto-import");
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Batch> inFlight = new ArrayDeque<>();
        // stopped (Ctrl-C, a kill): what is imported stays, and the user is told how to go on
        try (Unfinished notice = Unfinished.onStop("import", () -> ctx.err().println(System.lineSeparator() + (s.row == 0
                ? "mkto: stopped before a batch was committed; nothing of " + o.input().getFileName()
                        + " was imported: run the same command again"
                : "mkto: stopped; " + o.input().getFileName() + " is imported up to row " + s.row + " (its checkpoint says so):"
                        + " run the same command with --resume to go on")));
             InputStream in = new BufferedInputStream(Files.newInputStream(o.input()), 1 << 16)) {
            in.skipNBytes(offset);
            CsvReader reader = new CsvReader(in, offset, start == null ? 0 : start.row(), digest);
            if (start == null) {
                reader.next(); // the header
            }
            Batch batch = new Batch();
            while (true) {
                CsvReader.Row row = reader.next();
                if (row != null) {
                    String problem = problem(row, header.fields().size(), mapping, o.lookupField());
                    if (problem != null) {
                        batch.rejects.add(reject(row, problem));
                    } else {
                        batch.records.add(record(row, mapping));
                        batch.rows.add(row);
                    }
                }
                if (row == null || batch.records.size() >= o.batchSize()) {
                    batch.end(reader.offset(), reader.row(), hex(clone(digest)));
                    if (!batch.records.isEmpty()) {
                        Set<String> keys = keys(batch.records, o.lookupField());
                        batch.keys = keys;
                        // two calls upserting one key at once can each create the lead (Marketo's duplicates):
                        // a batch sharing a key with one in flight waits for its answer
                        while (!inFlight.isEmpty() && inFlight.stream().anyMatch(b -> overlap(b.keys, keys))) {
                            commit(o, inFlight.removeFirst(), header, s, checkpointFile, options);
                            progress.update(s.offset, s.rows);
                        }
                        List<Map<String, Object>> records = batch.records;
                        batch.result = senders.submit(() -> client.leads().sync(records, o.action(), o.lookupField(), o.partition()));
                    }
                    inFlight.addLast(batch);
                    while (inFlight.size() > (row == null ? 0 : o.parallel() - 1)) {
                        commit(o, inFlight.removeFirst(), header, s, checkpointFile, options);
                        progress.update(s.offset, s.rows);
                    }
                    batch = new Batch();
                }
                if (row == null) {
                    break;
                }
            }
        } finally {
            senders.shutdownNow();
        }
        progress.finish();
        Files.deleteIfExists(checkpointFile);
        return new Summary(o.input(), s.rows, s.sent, s.created, s.updated, s.rejected, s.batches, start == null ? 0 : start.row(),
                s.rejectsLength > 0 ? o.rejects() : null, Duration.between(started, ctx.clock().instant()));
    }

    /** Counts carried from batch to batch (and from the checkpoint of an earlier run). */
    private static final class State {
        long rows;
        long sent;
        long created;
        long updated;
        long rejected;
        long batches;
        long offset;
        /** The last row committed, read by the notice mkto prints when stopped. */
        volatile long row;
        long rejectsLength;

        State(@Nullable Checkpoint c) {
            if (c != null) {
                rows = c.row() - 1;
                sent = c.sent();
                created = c.created();
                updated = c.updated();
                rejected = c.rejected();
                batches = c.batches();
                offset = c.offset();
                row = c.row();
                rejectsLength = c.rejectsLength();
            }
        }
    }

    private @Nullable Checkpoint startingPoint(Options o, Path checkpointFile, String options) throws IOException {
        if (o.restart() && Files.exists(checkpointFile) && !Checkpoint.readable(checkpointFile)) {
            Files.delete(checkpointFile); // --restart starts over whatever the checkpoint holds
            ctx.note("Starting " + o.input().getFileName() + " over (its checkpoint could not be read).");
            return null;
        }
        var existing = Checkpoint.load(checkpointFile);
        if (existing.isEmpty()) {
            if (o.resume()) {
                ctx.note("Nothing to resume for " + o.input().getFileName() + ": starting from the first row.");
            }
            return null;
        }
        Checkpoint c = existing.get();
        if (o.restart()) {
            Files.delete(checkpointFile);
            ctx.note("Starting " + o.input().getFileName() + " over (the earlier import had reached row " + c.row() + ").");
            return null;
        }
        if (!o.resume()) {
            throw CliException.usage(o.input() + " was partly imported (up to row " + c.row() + ", " + c.sent() + " rows sent); continue with"
                    + " --resume, or start over with --restart");
        }
        if (!c.options().equals(options)) {
            throw CliException.usage("--resume must repeat the earlier import's options (" + c.options() + "); this one has " + options
                    + ". Use --restart to start over with the new ones");
        }
        return c;
    }

    /** Feeds the digest with the already-imported bytes and checks they are what was imported. */
    private static void verifyPrefix(Path input, Checkpoint c, MessageDigest digest) throws IOException {
        if (Files.size(input) < c.offset()) {
            throw CliException.usage(input + " is shorter than when it was partly imported; it changed. Use --restart to import it anew");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(input), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            long left = c.offset();
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                digest.update(buf, 0, n);
                left -= n;
            }
        }
        if (!hex(clone(digest)).equals(c.prefixSha256())) {
            throw CliException.usage(input + " changed in the part already imported (up to row " + c.row() + "); resuming would skip or"
                    + " repeat rows. Use --restart to import it anew");
        }
    }

    private static @Nullable String problem(CsvReader.Row row, int columns, ColumnMapping mapping, String lookupField) {
        if (row.error() != null) {
            return "not valid CSV: " + row.error();
        }
        if (row.fields().size() != columns) {
            return "the row has " + row.fields().size() + " fields; the header has " + columns;
        }
        int lookup = mapping.indexOf(lookupField);
        if (row.fields().get(lookup).isBlank()) {
            return "no value for the lookup field '" + lookupField + "'";
        }
        return null;
    }

    /** The lead record of a row: every mapped, non-empty cell (an empty cell leaves the field as it is). */
    private static Map<String, Object> record(CsvReader.Row row, ColumnMapping mapping) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (int i = 0; i < mapping.columns(); i++) {
            String field = mapping.field(i);
            String value = row.fields().get(i);
            if (field != null && !value.isEmpty()) {
                r.put(field, value);
            }
        }
        return r;
    }

    /** One batch read from the file: its rows, records, local rejects, where it ends, and its sync once sent. */
    private static Set<String> keys(List<Map<String, Object>> records, String lookupField) {
        Set<String> keys = new HashSet<>();
        for (Map<String, Object> r : records) {
            Object v = r.get(lookupField);
            if (v != null) {
                keys.add(String.valueOf(v).strip().toLowerCase(Locale.ROOT));
            }
        }
        return keys;
    }

    private static boolean overlap(Set<String> a, Set<String> b) {
        Set<String> small = a.size() <= b.size() ? a : b;
        Set<String> large = small == a ? b : a;
        return small.stream().anyMatch(large::contains);
    }

    private static final class Batch {
        final List<Map<String, Object>> records = new ArrayList<>();
        final List<CsvReader.Row> rows = new ArrayList<>();
        final List<String> rejects = new ArrayList<>();
        @Nullable Future<ApiResult<List<RecordResult>>> result;
        /** The lookup values of its records, as Marketo matches them (case aside). */
        Set<String> keys = Set.of();
        long offset;
        long row;
        String prefixSha256 = "";

        void end(long offset, long row, String prefixSha256) {
            this.offset = offset;
            this.row = row;
            this.prefixSha256 = prefixSha256;
        }
    }

    /**
     * Takes a sent batch's answer in file order: counts, rejects appended and forced, then the
     * checkpoint moved past it. A batch refused as a whole or without an answer stops the import
     * with the checkpoint before it; later batches already sent are sent again on resume.
     */
    private void commit(Options o, Batch b, CsvReader.Row header, State s, Path checkpointFile, String options) throws IOException {
        if (b.result != null) {
            ApiResult<List<RecordResult>> result;
            try {
                result = b.result.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.unreachable("interrupted; run again with --resume");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TransportException t) {
                    throw CliException.unreachable(t.getMessage() + ". Imported up to row " + s.row + "; run again with --resume"
                            + " (rows sent twice are updated, not duplicated)");
                }
                throw new IllegalStateException(e.getCause());
            }
            if (!result.success()) {
                CliException refused = Connections.refused(result, "the batch of rows " + b.rows.get(0).row() + "-"
                        + b.rows.get(b.rows.size() - 1).row() + " was refused");
                throw new CliException(ExitCode.REFUSED, refused.getMessage() + " Imported up to row " + s.row + "; run again with --resume"
                        + result.quotaResetsAt().map(t -> " after " + t).orElse("") + " to continue.", refused.code());
            }
            List<String> rejected = new ArrayList<>(b.rejects);
            for (RecordResult r : result.value().orElseThrow()) {
                switch (r.status()) {
                    case "created" -> s.created++;
                    case "updated" -> s.updated++;
                    default -> {
                        if (!r.succeeded()) {
                            rejected.add(reject(b.rows.get(r.index()), r.reasons().isEmpty() ? r.status()
                                    : r.reasons().stream().map(MarketoError::toString).collect(Collectors.joining("; "))));
                        }
                    }
                }
            }
            rejected.sort(java.util.Comparator.comparingLong(l -> Long.parseLong(l.substring(0, l.indexOf(',')))));
            b.rejects.clear();
            b.rejects.addAll(rejected);
            s.sent += b.records.size();
            s.batches++;
        }
        s.rejected += b.rejects.size();
        s.rejectsLength = appendRejects(o.rejects(), header, b.rejects, s.rejectsLength);
        s.offset = b.offset;
        s.row = b.row;
        s.rows = b.row - 1;
        new Checkpoint(o.input().toString(), s.offset, s.row, b.prefixSha256, options, s.batches, s.sent, s.created, s.updated,
                s.rejected, o.rejects().toString(), s.rejectsLength).save(checkpointFile);
    }

    private static String reject(CsvReader.Row row, String reason) {
        List<String> line = new ArrayList<>();
        line.add(String.valueOf(row.row()));
        line.add(reason);
        if (row.error() == null) {
            line.addAll(row.fields());
        } else {
            line.add(row.original());
        }
        return CsvWriter.line(line);
    }

    /** Appends the lines, forced to disk; writes the header first into a new file. Returns the file's length. */
    private static long appendRejects(Path file, CsvReader.Row header, List<String> lines, long length) throws IOException {
        if (lines.isEmpty()) {
            return length;
        }
        StringBuilder b = new StringBuilder();
        if (length == 0) {
            List<String> h = new ArrayList<>(List.of("row", "reason"));
            h.addAll(header.fields());
            b.append(CsvWriter.line(h));
        }
        lines.forEach(b::append);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.position(length);
            ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
            return ch.position();
        }
    }

    /** Cuts the rejects file back to what the checkpoint recorded; false if it holds less than that (removed, cut). */
    private static boolean truncateRejects(Path file, long length) throws IOException {
        if (!Files.exists(file)) {
            return length == 0;
        }
        if (length == 0) {
            Files.delete(file);
            return true;
        }
        if (Files.size(file) < length) {
            Files.delete(file);
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
            ch.force(true);
        }
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest clone(MessageDigest d) {
        try {
            return (MessageDigest) d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }
}
