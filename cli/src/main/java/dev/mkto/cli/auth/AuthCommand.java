package dev.mkto.cli.auth;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.cli.term.Table;
import dev.mkto.client.Diagnosis;
import dev.mkto.client.Endpoint;
import dev.mkto.client.InvalidEndpointException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mkto auth}: saved authentications. */
@Command(name = "auth", mixinStandardHelpOptions = true,
        description = "Saved authentications: a Marketo endpoint with a custom service's client id and secret, kept in the encrypted vault and reused by every command.",
        subcommands = {AuthCommand.Add.class, AuthCommand.ListCommand.class, AuthCommand.Show.class, AuthCommand.Test.class,
                AuthCommand.Rename.class, AuthCommand.Remove.class, AuthCommand.Use.class})
public final class AuthCommand implements Callable<Integer> {

    private final Context ctx;
    @Spec CommandSpec spec;

    AuthCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    static Map<String, @Nullable Object> view(Authentication a, boolean isDefault) {
        return Output.map("name", a.name(), "endpoint", a.endpoint(), "clientId", a.clientId(), "clientSecret", a.maskedSecret(),
                "limits", a.limits(), "createdAt", a.createdAt().toString(), "default", isDefault);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Saves an authentication. The secret is read from a prompt without echo, standard input (--secret-stdin) or an environment variable (--secret-env VAR), never from an argument. The endpoint is checked and normalised: whatever Web Services shows, or a Munchkin id, or an mkto-server URL.")
    static final class Add implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;
        @Mixin final SecretInput secret;

        @Parameters(index = "0", paramLabel = "NAME", description = "What commands will call it by.")
        String name = "";

        @Option(names = "--endpoint", required = true, paramLabel = "URL",
                description = "The REST API endpoint (Admin > Integration > Web Services), e.g. https://123-ABC-456.mktorest.com/rest.")
        String endpoint = "";

        @Option(names = "--client-id", required = true, paramLabel = "ID", description = "The custom service's Client Id (LaunchPoint > View Details).")
        String clientId = "";

        @Option(names = "--limits", paramLabel = "LIMITS", defaultValue = "marketo",
                description = "Client-side limits: marketo (100 calls / 20 s, 10 in flight; the default), share:0.5, CALLS/SECONDS/CONCURRENT, or unlimited.")
        String limits = "marketo";

        @Option(names = "--default", description = "Also make it the default authentication.")
        boolean makeDefault;

        Add(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
            this.secret = new SecretInput(ctx);
        }

        @Override
        public Integer call() {
            Endpoint e;
            try {
                e = Endpoint.parse(endpoint);
            } catch (InvalidEndpointException bad) {
                throw CliException.usage(bad.getMessage() + " Nothing was saved.");
            }
            Connections.limits(limits);
            if (clientId.isBlank()) {
                throw CliException.usage("the client id is empty");
            }
            Authentications auths = new Authentications(ctx);
            String s = secret.read("Client secret for '" + name + "': ");
            Authentication a = new Authentication(name, e.restUrl().toString(), clientId.strip(), s, limits.strip(), ctx.clock().instant());
            auths.add(a);
            if (makeDefault) {
                auths.use(name);
            }
            boolean isDefault = auths.defaultName().filter(name::equals).isPresent();
            if (ctx.json()) {
                Map<String, @Nullable Object> v = view(a, isDefault);
                v.put("endpointNotes", e.notes());
                Output.json(ctx, v);
            } else {
                for (String note : e.notes()) {
                    ctx.note("endpoint: " + note);
                }
                ctx.out().println("Saved '" + name + "': " + a.endpoint() + ", client id " + a.clientId() + ", secret " + a.maskedSecret()
                        + (isDefault ? " (default)" : ""));
                ctx.out().println("Check it with: mkto auth test " + name);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Lists the saved authentications (secrets masked).")
    static final class ListCommand implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        ListCommand(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            Authentications auths = new Authentications(ctx);
            List<Authentication> all = auths.all();
            Optional<String> dflt = all.isEmpty() ? Optional.empty() : auths.defaultName();
            if (ctx.json()) {
                Output.json(ctx, all.stream().map(a -> view(a, dflt.filter(a.name()::equals).isPresent())).toList());
                return ExitCode.OK;
            }
            if (all.isEmpty()) {
                ctx.out().println("No authentication saved. Add one with: mkto auth add NAME --endpoint URL --client-id ID");
                return ExitCode.OK;
            }
            Table t = new Table("", "NAME", "ENDPOINT", "CLIENT ID", "SECRET", "LIMITS");
            for (Authentication a : all) {
                t.row(dflt.filter(a.name()::equals).isPresent() ? "*" : "", a.name(), a.endpoint(), a.clientId(), a.maskedSecret(), a.limits());
            }
            t.print(ctx.out());
            return ExitCode.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one authentication (the secret masked).")
    static final class Show implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        @Parameters(index = "0", paramLabel = "NAME", arity = "0..1", description = "The authentication (default: the default one).")
        @Nullable String name;

        Show(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            Authentications auths = new Authentications(ctx);
            Authentication a = auths.resolve(name);
            boolean isDefault = auths.defaultName().filter(a.name()::equals).isPresent();
            if (ctx.json()) {
                Output.json(ctx, view(a, isDefault));
                return ExitCode.OK;
            }
            Map<String, @Nullable Object> v = view(a, isDefault);
            v.forEach((k, val) -> ctx.out().printf("%-13s %s%n", k, val));
            return ExitCode.OK;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Diagnoses the connection: authenticates afresh, reads lead fields and, if refused, usage statistics, then prints the outcome, the evidence and the fix. Exit code 0 only when the outcome is OK, else 4. Outcomes: OK, ENDPOINT_FORMAT, UNREACHABLE, INVALID_CLIENT_ID, INVALID_CLIENT_SECRET, API_USER_INACTIVE, IP_NOT_ALLOWED, MISSING_READ_PERMISSION.")
    static final class Test implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        @Parameters(index = "0", paramLabel = "NAME", arity = "0..1", description = "The authentication (default: the default one).")
        @Nullable String name;

        Test(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            Authentication a = new Authentications(ctx).resolve(name);
            Diagnosis d = Connections.client(a, ctx).diagnose();
            if (ctx.json()) {
                Output.json(ctx, Output.map("authentication", a.name(), "endpoint", a.endpoint(), "diagnosis", d.outcome().name(),
                        "ok", d.ok(), "summary", d.summary(),
                        "evidence", d.evidence().stream().map(s -> Output.map("request", s.request(), "httpStatus", s.httpStatus(),
                                "code", s.code(), "message", s.message())).toList(),
                        "endpointNotes", d.endpointNotes(), "fix", d.fix()));
            } else {
                ctx.out().println(a.name() + ": " + d.outcome().name());
                ctx.out().println("  " + d.summary());
                ctx.out().println("Evidence:");
                for (Diagnosis.Step s : d.evidence()) {
                    ctx.out().println("  " + s);
                }
                for (String n : d.endpointNotes()) {
                    ctx.out().println("  endpoint: " + n);
                }
                ctx.out().println("Fix: " + d.fix());
            }
            return d.ok() ? ExitCode.OK : ExitCode.DIAGNOSIS;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Renames an authentication (the default follows).")
    static final class Rename implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        @Parameters(index = "0", paramLabel = "NAME") String from = "";
        @Parameters(index = "1", paramLabel = "NEW_NAME") String to = "";

        Rename(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            new Authentications(ctx).rename(from, to);
            if (ctx.json()) {
                Output.json(ctx, Output.map("renamed", from, "to", to));
            } else {
                ctx.out().println("Renamed '" + from + "' to '" + to + "'.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Removes an authentication from the vault.")
    static final class Remove implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        @Parameters(index = "0", paramLabel = "NAME") String name = "";

        Remove(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            new Authentications(ctx).remove(name);
            if (ctx.json()) {
                Output.json(ctx, Output.map("removed", name));
            } else {
                ctx.out().println("Removed '" + name + "'.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true, description = "Makes an authentication the default for every command.")
    static final class Use implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        @Parameters(index = "0", paramLabel = "NAME") String name = "";

        Use(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            new Authentications(ctx).use(name);
            if (ctx.json()) {
                Output.json(ctx, Output.map("default", name));
            } else {
                ctx.out().println("'" + name + "' is the default authentication.");
            }
            return ExitCode.OK;
        }
    }
}
