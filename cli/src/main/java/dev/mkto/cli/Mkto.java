package dev.mkto.cli;

import dev.mkto.cli.admin.AdminCommand;
import dev.mkto.cli.auth.AuthCommand;
import dev.mkto.cli.auth.TokenCommand;
import dev.mkto.cli.leads.LeadsCommand;
import dev.mkto.cli.perms.PermsCommand;
import dev.mkto.cli.usage.UsageCommand;
import dev.mkto.client.InvalidEndpointException;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The root command. {@link #run} is the only place where failures become output and exit codes:
 * commands throw {@link CliException} (or return a code) and never print errors themselves.
 */
@Command(name = "mkto", mixinStandardHelpOptions = true, versionProvider = Mkto.Version.class,
        description = "The integration side of Marketo's API, for people and scripts: saved authentications, connection diagnosis, lead import and export, usage, least-privilege plans, and mkto-server's admin API.",
        subcommands = {AuthCommand.class, TokenCommand.class, LeadsCommand.class, UsageCommand.class, PermsCommand.class,
                AdminCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok                          4  auth test: the diagnosis is not OK",
                "  1  bad usage or input          5  the vault key is wrong",
                "  2  refused by the API          6  the vault cannot be read",
                "  3  cannot connect              7  done, but some records were rejected",
                "", "Environment: MKTO_HOME (default ~/.mkto), MKTO_AUTH, MKTO_VAULT_KEY, MKTO_ADMIN_TOKEN, MKTO_SERVER.",
                "See docs/cli.md."})
public final class Mkto implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final Context ctx;

    Mkto(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    /** The command tree for this context. */
    static CommandLine commandLine(Context ctx) {
        return new CommandLine(new Mkto(ctx), new Factory(ctx));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(Context ctx, String... args) {
        CommandLine cl = commandLine(ctx);
        cl.setOut(new PrintWriter(ctx.out(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(ctx.err(), true, StandardCharsets.UTF_8));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpWidth(100);
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler((e, a) -> {
            if (Arrays.asList(a).contains("--json")) {
                ctx.json(true);
            }
            String help = e.getCommandLine().getCommandSpec().qualifiedName() + " --help";
            String message = e.getMessage();
            if (e instanceof CommandLine.UnmatchedArgumentException u) {
                // name the unknown options only: a value after one (or after its '=') may be a secret someone tried to pass
                List<String> options = u.getUnmatched().stream().filter(x -> x.startsWith("-"))
                        .map(x -> x.contains("=") ? x.substring(0, x.indexOf('=')) + "=…" : x).toList();
                message = options.isEmpty() ? "unexpected argument" + (u.getUnmatched().size() > 1 ? "s" : "")
                        : "Unknown option" + (options.size() > 1 ? "s" : "") + ": " + String.join(", ", options);
                if (options.stream().anyMatch(o -> o.startsWith("--secret") || o.startsWith("--client-secret") || o.startsWith("--password"))) {
                    message += " (a secret is never taken as an argument: use --secret-stdin, --secret-env VAR or the prompt)";
                }
            }
            return report(ctx, new CliException(ExitCode.USAGE, message + " (see '" + help + "')", null));
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(ctx, translate(e)));
        try {
            return cl.execute(args);
        } finally {
            ctx.out().flush();
            ctx.err().flush();
        }
    }

    private static CliException translate(Exception e) {
        if (e instanceof CliException c) {
            return c;
        }
        if (e instanceof InvalidEndpointException bad) {
            return CliException.usage(bad.getMessage());
        }
        if (e instanceof dev.mkto.client.TransportException t) {
            return CliException.unreachable(t.getMessage());
        }
        if (e instanceof IllegalArgumentException bad) {
            return CliException.usage(bad.getMessage());
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            // a file mkto reads or writes (an output, a rejects file), not a bug: which file and why
            String why = f instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : f instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            return CliException.usage(f.getFile() + ": " + why + "; check the path and its permissions");
        }
        if (e instanceof java.io.IOException io) {
            return CliException.usage("reading or writing a file failed: " + (io.getMessage() == null ? io.getClass().getSimpleName()
                    : io.getMessage()));
        }
        StringBuilder trace = new StringBuilder("unexpected error (a bug in mkto): ").append(e);
        for (StackTraceElement el : e.getStackTrace()) {
            if (trace.length() > 2000) {
                break;
            }
            trace.append("\n    at ").append(el);
        }
        return new CliException(ExitCode.INTERNAL, trace.toString(), null);
    }

    private static int report(Context ctx, CliException e) {
        ctx.err().println("mkto: " + e.getMessage());
        if (ctx.json()) {
            Output.json(ctx, Output.map("error", Output.map("exitCode", e.exitCode(), "code", e.code(), "message", e.getMessage())));
        }
        return e.exitCode();
    }

    /** Commands take the run's {@link Context} in their constructor. */
    private record Factory(Context ctx) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(Context.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Mkto.class.getPackage().getImplementationVersion();
            return new String[] {"mkto " + (v == null ? "dev" : v) + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
