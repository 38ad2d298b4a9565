package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.Output;
import dev.mkto.cli.auth.Connections;
import dev.mkto.client.Leads;
import dev.mkto.client.MarketoClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mkto leads import}: a CSV file of leads, in resumable batches. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Imports a CSV file with a header row: columns map to lead fields by name (or --map COLUMN=FIELD), rows are upserted by the lookup field in batches of 300, with a progress bar on standard error. Rows Marketo or mkto refuse go to a rejects file (row number, reason, the original row). A checkpoint next to the file records each committed batch: after an interruption, run again with --resume; rows sent twice are updated, never duplicated. Exit code 7 when some rows were rejected.")
public final class ImportCommand extends LeadsCommand.Base {
    @Parameters(index = "0", paramLabel = "FILE.csv") Path file = Path.of("");
    @Option(names = "--map", paramLabel = "COLUMN=FIELD", description = "Fill FIELD from COLUMN (repeat).")
    Map<String, String> map = new LinkedHashMap<>();
    @Option(names = "--ignore", paramLabel = "COLUMN", description = "Leave COLUMN out (repeat).")
    List<String> ignore = new ArrayList<>();
    @Option(names = "--lookup-field", defaultValue = "email", paramLabel = "FIELD", description = "The field matching rows to leads (default: email).")
    String lookupField = "email";
    @Option(names = "--action", defaultValue = "CREATE_OR_UPDATE", paramLabel = "ACTION", converter = LeadsCommand.ActionConverter.class,
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

    ImportCommand(Context ctx) {
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
        if (file.toString().equals("-")) {
            throw CliException.usage("an import reads a file, not standard input (it resumes by the file's bytes): save the CSV to a file"
                    + " and import that");
        }
        Path input = file.toAbsolutePath();
        String base = input.getFileName().toString().replaceAll("(?i)\\.csv$", "");
        Path rejectsFile = rejects != null ? rejects.toAbsolutePath() : input.resolveSibling(base + ".rejects.csv");
        MarketoClient client = Connections.client(auth.resolve(), ctx);
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
