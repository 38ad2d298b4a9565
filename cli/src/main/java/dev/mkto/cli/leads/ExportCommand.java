package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.Output;
import dev.mkto.cli.auth.Authentication;
import dev.mkto.cli.auth.Connections;
import dev.mkto.client.Leads;
import dev.mkto.client.MarketoClient;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mkto leads export}: leads to CSV, by bulk extract or paging. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports leads to CSV (standard output, or --output FILE), with progress on standard error. With --created-since, Marketo's bulk extract is used where the instance offers it; otherwise leads are paged through a filter: --by FIELD with values, or lead ids from 1 upwards until --max-gap ids hold none.")
public final class ExportCommand extends LeadsCommand.Base {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The CSV file to write (default: standard output).")
    @Nullable Path output;
    @Option(names = "--fields", split = ",", paramLabel = "FIELD",
            defaultValue = "id,email,firstName,lastName,createdAt,updatedAt", description = "Columns (default: ${DEFAULT-VALUE}).")
    List<String> fields = new ArrayList<>();
    @Option(names = "--by", paramLabel = "FIELD", description = "Page through leads whose FIELD holds one of the --values.")
    @Nullable String by;
    @Option(names = "--values", split = ",", paramLabel = "VALUE", description = "The values for --by.")
    List<String> values = new ArrayList<>();
    @Option(names = "--values-file", paramLabel = "FILE", description = "The values for --by, one a line.")
    @Nullable Path valuesFile;
    @Option(names = "--ids", paramLabel = "FROM-TO", description = "Only lead ids in this range (paging by id).")
    @Nullable String ids;
    @Option(names = "--max-gap", defaultValue = "3000", paramLabel = "N",
            description = "Paging by id stops after N ids in a row hold no lead (default 3000).")
    long maxGap = 3000;
    @Option(names = "--created-since", paramLabel = "DATE", description = "Leads created at or after DATE (2026-11-01 or an ISO instant).")
    @Nullable String createdSince;
    @Option(names = "--created-until", paramLabel = "DATE", description = "Leads created before DATE.")
    @Nullable String createdUntil;
    @Option(names = "--paging", description = "Page even where bulk extract is offered.")
    boolean paging;
    @Option(names = "--poll-seconds", defaultValue = "5", paramLabel = "N", description = "How often to ask about a bulk extract job (default 5 s).")
    int pollSeconds = 5;
    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;
    @Option(names = "--force", description = "Replace the --output file if it exists (otherwise an existing file is refused).")
    boolean force;

    ExportCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws IOException {
        List<String> vals = new ArrayList<>(values);
        if (valuesFile != null) {
            try {
                Files.readAllLines(valuesFile.toAbsolutePath(), StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty())
                        .forEach(vals::add);
            } catch (IOException e) {
                throw CliException.usage("cannot read --values-file " + valuesFile.toAbsolutePath() + ": " + reason(e)
                        + "; give a UTF-8 text file with one value a line");
            }
        }
        if (by == null && !vals.isEmpty()) {
            throw CliException.usage("--values and --values-file go with --by FIELD");
        }
        if (by != null && vals.isEmpty()) {
            throw CliException.usage("--by " + by + " needs values: --values a,b or --values-file FILE");
        }
        long from = 1;
        long to = Long.MAX_VALUE;
        if (ids != null) {
            String[] p = ids.split("-", 2);
            try {
                from = Long.parseLong(p[0].strip());
                to = p.length > 1 && !p[1].isBlank() ? Long.parseLong(p[1].strip()) : Long.MAX_VALUE;
            } catch (NumberFormatException e) {
                throw CliException.usage("--ids must be FROM-TO, e.g. 1-50000");
            }
            if (from < 1 || to < from) {
                throw CliException.usage("--ids " + ids + " holds no lead id: FROM must be 1 or more and TO at least FROM, e.g. 1-50000");
            }
        }
        if (maxGap < 1) {
            throw CliException.usage("--max-gap must be 1 or more (ids in a row without a lead before paging stops), got " + maxGap);
        }
        if (pollSeconds < 1) {
            throw CliException.usage("--poll-seconds must be 1 or more, got " + pollSeconds);
        }
        if (fields.stream().anyMatch(String::isBlank)) {
            throw CliException.usage("--fields names an empty field; give field names separated by commas, e.g. id,email");
        }
        Instant since = instant(createdSince, "--created-since");
        Instant until = instant(createdUntil, "--created-until");
        if (since != null && until != null && !since.isBefore(until)) {
            throw CliException.usage("--created-since " + createdSince + " is not before --created-until " + createdUntil
                    + ": no lead can have been created between them");
        }
        @Nullable Path target = output == null || output.toString().equals("-") ? null : output.toAbsolutePath(); // "-": standard output
        if (target != null && Files.exists(target) && !force) {
            throw CliException.usage(target + " exists; choose another --output, or add --force to replace it");
        }
        if (target != null) {
            WritableFile.check(target, "the output file", "-o FILE");
        }
        Authentication a = auth.resolve();
        MarketoClient client = Connections.client(a, ctx);
        Exporter.Options o = new Exporter.Options(LeadsCommand.fields(fields), by, List.copyOf(new LinkedHashSet<>(vals)), from, to,
                ids != null ? Long.MAX_VALUE : maxGap, since, until, paging, Duration.ofSeconds(pollSeconds));
        Exporter exporter = new Exporter(client, a, ctx, !noProgress);
        Exporter.Summary s;
        if (target != null) {
            Path temp = target.resolveSibling(target.getFileName() + ".part");
            // a failed or stopped (Ctrl-C) export leaves no partial file behind
            try (Unfinished partial = Unfinished.onStop("export-file", () -> deleteQuietly(temp))) {
                try {
                    try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                        s = exporter.run(o, w);
                    }
                    Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException | RuntimeException e) {
                    partial.now();
                    throw e;
                }
            }
        } else if (ctx.json()) {
            StringWriter w = new StringWriter();
            s = exporter.run(o, w);
            Output.json(ctx, Output.map("leads", s.leads(), "requests", s.requests(), "method", s.method(), "csv", w.toString()));
            return ExitCode.OK;
        } else {
            Writer w = new OutputStreamWriter(new CheckedStdout(ctx.out()), StandardCharsets.UTF_8);
            try {
                s = exporter.run(o, w);
                w.flush();
            } catch (CheckedStdout.Closed e) {
                throw new CliException(ExitCode.OUTPUT_CLOSED, "standard output was closed (as head does) before the export was complete;"
                        + " it stopped. Use -o FILE for the whole export", null);
            }
        }
        if (ctx.json()) {
            Output.json(ctx, Output.map("leads", s.leads(), "requests", s.requests(), "method", s.method(),
                    "output", target == null ? null : target.toString()));
        } else {
            ctx.note(String.format("Exported %,d leads (%s, %,d requests)%s.", s.leads(), s.method(), s.requests(),
                    target == null ? "" : " to " + output));
        }
        return ExitCode.OK;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more to do for it: the export's own failure is reported
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return "it is not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Standard output that fails once a write to it failed: a {@link PrintStream} only records that
     * (a pipe whose reader is gone, a full disk), and an export would otherwise go on asking
     * Marketo for leads nobody reads.
     */
    static final class CheckedStdout extends FilterOutputStream {
        /** Standard output was closed. */
        static final class Closed extends IOException {
            private static final long serialVersionUID = 1L;

            Closed() {
                super("standard output was closed");
            }
        }

        CheckedStdout(PrintStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            check();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            check();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
            check();
        }

        private void check() throws Closed {
            if (((PrintStream) out).checkError()) {
                throw new Closed();
            }
        }
    }

    private static @Nullable Instant instant(@Nullable String text, String option) {
        if (text == null) {
            return null;
        }
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw CliException.usage(option + " must be a date (2026-11-01) or an ISO instant (2026-11-01T00:00:00Z), got " + text);
        }
    }
}
