package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.cli.auth.Authentication;
import dev.mkto.cli.auth.AuthOption;
import dev.mkto.cli.auth.Connections;
import dev.mkto.cli.term.Table;
import dev.mkto.client.ApiResult;
import dev.mkto.client.Lead;
import dev.mkto.client.Leads;
import dev.mkto.client.MarketoClient;
import dev.mkto.client.MarketoError;
import dev.mkto.client.RecordResult;
import java.io.IOException;
import java.io.OutputStreamWriter;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mkto leads}: the Lead Database through a saved authentication. */
@Command(name = "leads", mixinStandardHelpOptions = true,
        description = "Leads: get, find, sync, delete, and import and export CSV files.",
        subcommands = {LeadsCommand.Get.class, LeadsCommand.Find.class, LeadsCommand.Sync.class, LeadsCommand.Delete.class,
                LeadsCommand.Import.class, LeadsCommand.Export.class})
public final class LeadsCommand implements Callable<Integer> {

    private final Context ctx;
    @Spec CommandSpec spec;

    LeadsCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    /** Base of the lead commands: a context, --json, --auth. */
    abstract static class Base implements Callable<Integer> {
        final Context ctx;
        @Mixin final JsonOption json;
        @Mixin final AuthOption auth;

        Base(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
            this.auth = new AuthOption(ctx);
        }
    }

    static List<String> fields(@Nullable List<String> given) {
        return given == null ? List.of() : given.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Shows the lead with this id (exit 1 when there is none the API user can see).")
    static final class Get extends Base {
        @Parameters(index = "0", paramLabel = "ID") long id;
        @Option(names = "--fields", split = ",", paramLabel = "FIELD", description = "Fields to show (default: Marketo's default fields).")
        @Nullable List<String> fields;

        Get(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            MarketoClient client = Connections.client(auth.resolve());
            Optional<Lead> lead = Connections.value(Connections.call(() -> client.leads().get(id, fields(fields))), "reading lead " + id);
            if (lead.isEmpty()) {
                throw CliException.usage("no lead " + id + " (or it is in a partition this API user cannot see)");
            }
            if (ctx.json()) {
                Output.json(ctx, lead.get().fields());
            } else {
                lead.get().fields().forEach((k, v) -> ctx.out().printf("%-16s %s%n", k, v == null ? "" : v));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "find", mixinStandardHelpOptions = true,
            description = "Finds leads whose field holds one of the values, e.g. mkto leads find --by email ada@example.com")
    static final class Find extends Base {
        @Option(names = "--by", defaultValue = "email", paramLabel = "FIELD", description = "The field to search (default: email).")
        String by = "email";
        @Parameters(paramLabel = "VALUE", arity = "1..*") List<String> values = new ArrayList<>();
        @Option(names = "--fields", split = ",", paramLabel = "FIELD", description = "Fields to show (default: Marketo's default fields).")
        @Nullable List<String> fields;

        Find(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            MarketoClient client = Connections.client(auth.resolve());
            List<Lead> leads = Connections.value(Connections.call(() -> client.leads().query(by, values, fields(fields))), "finding leads by " + by);
            if (ctx.json()) {
                Output.json(ctx, leads.stream().map(Lead::fields).toList());
                return ExitCode.OK;
            }
            if (leads.isEmpty()) {
                ctx.out().println("No lead found.");
                return ExitCode.OK;
            }
            LinkedHashSet<String> columns = new LinkedHashSet<>();
            leads.forEach(l -> columns.addAll(l.fields().keySet()));
            Table t = new Table(columns.toArray(String[]::new));
            for (Lead l : leads) {
                t.row(columns.stream().map(c -> l.string(c).orElse("")).toArray());
            }
            t.print(ctx.out());
            return ExitCode.OK;
        }
    }

    static int printResults(Context ctx, List<RecordResult> results, List<?> inputs) {
        long rejected = results.stream().filter(r -> !r.succeeded()).count();
        if (ctx.json()) {
            Output.json(ctx, results.stream().map(r -> Output.map("index", r.index(), "id", r.id().orElse(null), "status", r.status(),
                    "reasons", r.reasons().stream().map(MarketoError::toString).toList())).toList());
        } else {
            Table t = new Table("#", "INPUT", "STATUS", "ID", "REASONS");
            for (RecordResult r : results) {
                Object in = r.index() < inputs.size() ? inputs.get(r.index()) : "";
                String shown = in instanceof Map<?, ?> m ? String.valueOf(m.isEmpty() ? "" : m.values().iterator().next()) : String.valueOf(in);
                t.row(r.index(), shown, r.status(), r.id().map(String::valueOf).orElse(""),
                        r.reasons().stream().map(MarketoError::toString).collect(Collectors.joining("; ")));
            }
            t.print(ctx.out());
        }
        return rejected == 0 ? ExitCode.OK : ExitCode.REJECTED;
    }

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = {"Creates or updates leads: one with --set field=value …, or many from a JSON array (--file, '-' for",
                    "standard input). Prints each record's status; exit code 7 when some were skipped."})
    static final class Sync extends Base {
        @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "A field of the one lead to sync (repeat).")
        Map<String, String> set = new LinkedHashMap<>();
        @Option(names = "--file", paramLabel = "FILE", description = "A JSON array of lead records; '-' for standard input.")
        @Nullable String file;
        @Option(names = "--action", defaultValue = "CREATE_OR_UPDATE", paramLabel = "ACTION",
                description = "createOrUpdate (default), createOnly, updateOnly or createDuplicate.", converter = ActionConverter.class)
        Leads.SyncAction action = Leads.SyncAction.CREATE_OR_UPDATE;
        @Option(names = "--lookup-field", paramLabel = "FIELD", description = "The field matching records to leads (default: email).")
        @Nullable String lookupField;
        @Option(names = "--partition", paramLabel = "NAME", description = "The partition new leads go to.")
        @Nullable String partition;

        Sync(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            List<Map<String, Object>> records = new ArrayList<>();
            if (!set.isEmpty() && file != null) {
                throw CliException.usage("give the leads one way: --set for one, or --file for many");
            }
            if (!set.isEmpty()) {
                records.add(new LinkedHashMap<>(set));
            } else if (file != null) {
                JsonNode arr = Output.parse(read(ctx, file), file);
                if (!arr.isArray()) {
                    throw CliException.usage(file + " must hold a JSON array of lead records");
                }
                for (JsonNode n : arr) {
                    if (!n.isObject()) {
                        throw CliException.usage(file + " must hold a JSON array of objects");
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) Output.plain(n);
                    records.add(m);
                }
            }
            if (records.isEmpty()) {
                throw CliException.usage("no lead to sync: give --set field=value …, or --file FILE");
            }
            MarketoClient client = Connections.client(auth.resolve());
            ApiResult<List<RecordResult>> r = Connections.call(() -> client.leads().sync(records, action, lookupField, partition));
            if (!r.success()) {
                throw Connections.refused(r, "syncing leads");
            }
            return printResults(ctx, r.value().orElseThrow(), records);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes leads by id; exit code 7 when some were skipped (e.g. not found).")
    static final class Delete extends Base {
        @Parameters(paramLabel = "ID", arity = "1..*") List<Long> ids = new ArrayList<>();

        Delete(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            MarketoClient client = Connections.client(auth.resolve());
            ApiResult<List<RecordResult>> r = Connections.call(() -> client.leads().delete(ids));
            if (!r.success()) {
                throw Connections.refused(r, "deleting leads");
            }
            return printResults(ctx, r.value().orElseThrow(), ids);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Imports a CSV file with a header row: columns map to lead fields by name (or --map COLUMN=FIELD),",
                    "rows are upserted by the lookup field in batches of 300, with a progress bar on standard error. Rows",
                    "Marketo or mkto refuse go to a rejects file (row number, reason, the original row). A checkpoint next to",
                    "the file records each committed batch: after an interruption, run again with --resume; rows sent twice",
                    "are updated, never duplicated. Exit code 7 when some rows were rejected."})
    static final class Import extends Base {
        @Parameters(index = "0", paramLabel = "FILE.csv") Path file = Path.of("");
        @Option(names = "--map", paramLabel = "COLUMN=FIELD", description = "Fill FIELD from COLUMN (repeat).")
        Map<String, String> map = new LinkedHashMap<>();
        @Option(names = "--ignore", paramLabel = "COLUMN", description = "Leave COLUMN out (repeat).")
        List<String> ignore = new ArrayList<>();
        @Option(names = "--lookup-field", defaultValue = "email", paramLabel = "FIELD", description = "The field matching rows to leads (default: email).")
        String lookupField = "email";
        @Option(names = "--action", defaultValue = "CREATE_OR_UPDATE", paramLabel = "ACTION", converter = ActionConverter.class,
                description = "createOrUpdate (default) or updateOnly: an import upserts, so that it can be resumed.")
        Leads.SyncAction action = Leads.SyncAction.CREATE_OR_UPDATE;
        @Option(names = "--partition", paramLabel = "NAME", description = "The partition new leads go to.")
        @Nullable String partition;
        @Option(names = "--rejects", paramLabel = "FILE", description = "Where rejected rows go (default: FILE.rejects.csv beside the input).")
        @Nullable Path rejects;
        @Option(names = "--resume", description = "Continue an interrupted import of this file after its last committed batch.")
        boolean resume;
        @Option(names = "--restart", description = "Forget an interrupted import of this file and start from the first row.")
        boolean restart;
        @Option(names = "--batch-size", defaultValue = "300", paramLabel = "N", description = "Rows per request, 1-300 (default 300, Marketo's maximum).")
        int batchSize = 300;
        @Option(names = "--parallel", defaultValue = "2", paramLabel = "N",
                description = "Batches in flight at once, 1-10 (default 2; the instance's 10 calls in flight are shared by every integration).")
        int parallel = 2;
        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        Import(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws IOException {
            if (batchSize < 1 || batchSize > 300) {
                throw CliException.usage("--batch-size must be from 1 to 300, got " + batchSize);
            }
            if (parallel < 1 || parallel > 10) {
                throw CliException.usage("--parallel must be from 1 to 10, got " + parallel);
            }
            if (resume && restart) {
                throw CliException.usage("--resume or --restart, not both");
            }
            Path input = file.toAbsolutePath();
            String base = input.getFileName().toString().replaceAll("(?i)\\.csv$", "");
            Path rejectsFile = rejects != null ? rejects.toAbsolutePath() : input.resolveSibling(base + ".rejects.csv");
            MarketoClient client = Connections.client(auth.resolve());
            Importer.Summary s = new Importer(client, ctx, !noProgress).run(new Importer.Options(input, map, new LinkedHashSet<>(ignore),
                    lookupField, action, partition, rejectsFile, resume, restart, batchSize, parallel));
            if (ctx.json()) {
                Output.json(ctx, Output.map("file", s.input().toString(), "rows", s.rows(), "sent", s.sent(), "created", s.created(),
                        "updated", s.updated(), "rejected", s.rejected(), "batches", s.batches(), "resumedAfterRow", s.resumedAfterRow(),
                        "rejects", s.rejects() == null ? null : s.rejects().toString(), "seconds", s.elapsed().toMillis() / 1000.0));
            } else {
                ctx.out().printf("Imported %s: %,d rows, %,d created, %,d updated, %,d rejected%s.%n", s.input().getFileName(), s.rows(),
                        s.created(), s.updated(), s.rejected(), s.resumedAfterRow() > 0 ? " (resumed after row " + s.resumedAfterRow() + ")" : "");
                if (s.rejects() != null) {
                    ctx.out().println("Rejected rows and their reasons: " + s.rejects());
                }
            }
            return s.rejected() == 0 ? ExitCode.OK : ExitCode.REJECTED;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Exports leads to CSV (standard output, or --output FILE), with progress on standard error. With",
                    "--created-since, Marketo's bulk extract is used where the instance offers it; otherwise leads are paged",
                    "through a filter: --by FIELD with values, or lead ids from 1 upwards until --max-gap ids hold none."})
    static final class Export extends Base {
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
        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        Export(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws IOException {
            List<String> vals = new ArrayList<>(values);
            if (valuesFile != null) {
                Files.readAllLines(valuesFile.toAbsolutePath(), StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty())
                        .forEach(vals::add);
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
            }
            Authentication a = auth.resolve();
            MarketoClient client = Connections.client(a);
            Exporter.Options o = new Exporter.Options(fields(fields), by, List.copyOf(new LinkedHashSet<>(vals)), from, to,
                    ids != null ? Long.MAX_VALUE : maxGap, instant(createdSince, "--created-since"), instant(createdUntil, "--created-until"),
                    paging, Duration.ofSeconds(5));
            Exporter exporter = new Exporter(client, a, ctx, !noProgress);
            Exporter.Summary s;
            if (output != null) {
                Path target = output.toAbsolutePath();
                Path temp = target.resolveSibling(target.getFileName() + ".part");
                try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                    s = exporter.run(o, w);
                }
                Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else if (ctx.json()) {
                StringWriter w = new StringWriter();
                s = exporter.run(o, w);
                Output.json(ctx, Output.map("leads", s.leads(), "requests", s.requests(), "method", s.method(), "csv", w.toString()));
                return ExitCode.OK;
            } else {
                Writer w = new OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8);
                s = exporter.run(o, w);
                w.flush();
            }
            if (ctx.json()) {
                Output.json(ctx, Output.map("leads", s.leads(), "requests", s.requests(), "method", s.method(),
                        "output", output == null ? null : output.toAbsolutePath().toString()));
            } else {
                ctx.note(String.format("Exported %,d leads (%s, %,d requests)%s.", s.leads(), s.method(), s.requests(),
                        output == null ? "" : " to " + output));
            }
            return ExitCode.OK;
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

    static String read(Context ctx, String file) {
        try {
            return "-".equals(file) ? new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file).toAbsolutePath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** {@code createOrUpdate} or {@code CREATE_OR_UPDATE} or {@code create-or-update}. */
    static final class ActionConverter implements picocli.CommandLine.ITypeConverter<Leads.SyncAction> {
        @Override
        public Leads.SyncAction convert(String value) {
            String v = value.replaceAll("[_\\-]", "").toLowerCase(java.util.Locale.ROOT);
            for (Leads.SyncAction a : Leads.SyncAction.values()) {
                if (a.wireName().toLowerCase(java.util.Locale.ROOT).equals(v)) {
                    return a;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not an action: createOrUpdate, createOnly, updateOnly, createDuplicate");
        }
    }
}
