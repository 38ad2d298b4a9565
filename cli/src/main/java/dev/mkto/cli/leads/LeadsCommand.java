package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
                ImportCommand.class, ExportCommand.class})
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
            if (id < 1) {
                throw CliException.usage("a lead id is 1 or more, got " + id);
            }
            MarketoClient client = Connections.client(auth.resolve(), ctx);
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
            MarketoClient client = Connections.client(auth.resolve(), ctx);
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
            description = "Creates or updates leads: one with --set field=value …, or many from a JSON array (--file, '-' for standard input). Prints each record's status; exit code 7 when some were skipped.")
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
                set.keySet().stream().filter(String::isBlank).findFirst().ifPresent(blank -> {
                    throw CliException.usage("--set needs FIELD=VALUE with a field name, e.g. --set firstName=Ada");
                });
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
            MarketoClient client = Connections.client(auth.resolve(), ctx);
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
            MarketoClient client = Connections.client(auth.resolve(), ctx);
            ApiResult<List<RecordResult>> r = Connections.call(() -> client.leads().delete(ids));
            if (!r.success()) {
                throw Connections.refused(r, "deleting leads");
            }
            return printResults(ctx, r.value().orElseThrow(), ids);
        }
    }

    static String read(Context ctx, String file) {
        try {
            return "-".equals(file) ? new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file).toAbsolutePath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.charset.CharacterCodingException ? "it is not UTF-8 text"
                    : Files.isDirectory(Path.of(file)) ? "it is a directory" : String.valueOf(e.getMessage())));
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
