package dev.mkto.cli.admin;

import static dev.mkto.cli.admin.AdminCommand.idOf;

import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.Output;
import dev.mkto.cli.admin.AdminCommand.DeleteVerb;
import dev.mkto.cli.admin.AdminCommand.Kind;
import dev.mkto.cli.admin.AdminCommand.ListVerb;
import dev.mkto.cli.admin.AdminCommand.ShowVerb;
import dev.mkto.cli.admin.AdminCommand.Verb;
import dev.mkto.cli.auth.Authentication;
import dev.mkto.cli.auth.Authentications;
import dev.mkto.cli.term.Table;
import dev.mkto.cli.term.Text;
import dev.mkto.client.Endpoint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mkto admin services}: LaunchPoint custom services, their details and tokens. */
@Command(name = "services", mixinStandardHelpOptions = true, description = "LaunchPoint custom services: a client id and secret for an API-only user.",
        subcommands = {ServicesCommand.ServiceCreate.class, ServicesCommand.ServiceList.class, ServicesCommand.ServiceShow.class,
                ServicesCommand.ServiceDelete.class, ServicesCommand.ServiceDetails.class, ServicesCommand.ServiceToken.class})
public final class ServicesCommand implements Callable<Integer> {
    private final Context ctx;
    @Spec CommandSpec spec;

    ServicesCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    /** Shows "View Details" with the secret masked unless asked for, and saves it as an authentication if asked to. */
    abstract static class DetailsVerb extends Verb {
        @Option(names = "--save-as", paramLabel = "AUTH",
                description = "Save the service's credentials as an authentication of this name (the secret goes to the vault, not the screen).")
        @Nullable String saveAs;
        @Option(names = "--reveal", description = "Show the client secret in full (masked otherwise).")
        boolean reveal;

        DetailsVerb(Context ctx) {
            super(ctx);
        }

        int show(JsonNode details) {
            String secret = details.path("clientSecret").asString("");
            if (saveAs != null) {
                String endpoint = Endpoint.parse(admin.base().replaceAll("/admin/api/v1$", "")).restUrl().toString();
                new Authentications(ctx).add(new Authentication(saveAs, endpoint, details.path("clientId").asString(""), secret, "marketo",
                        ctx.clock().instant()));
                ctx.note("Saved the service's credentials as the authentication '" + saveAs + "' (" + endpoint + "); check it with: mkto auth test " + saveAs);
            }
            Map<String, @Nullable Object> view = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : details.properties()) {
                view.put(e.getKey(), Output.plain(e.getValue()));
            }
            view.put("clientSecret", reveal ? secret : Authentication.mask(secret));
            if (saveAs != null) {
                view.put("savedAs", saveAs);
            }
            if (ctx.json()) {
                Output.json(ctx, view);
            } else {
                view.forEach((k, v) -> ctx.out().printf("%-13s %s%n", Text.safe(k), v == null ? "" : Text.safe(String.valueOf(v))));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a custom service for an active API-only user. Prints View Details (secret masked); --save-as NAME saves it as an authentication at once.")
    static final class ServiceCreate extends DetailsVerb {
        @Parameters(index = "0", paramLabel = "NAME") String name = "";
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "EMAIL", description = "The API-only user the service acts as.")
        String user = "";
        @Option(names = "--description") @Nullable String description;

        ServiceCreate(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("user", user);
            if (description != null) {
                body.put("description", description);
            }
            return show(admin.post("/services", body));
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Lists the custom services.")
    static final class ServiceList extends ListVerb {
        ServiceList(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.SERVICE;
        }

        @Override
        Table table(JsonNode all) {
            Table t = new Table("ID", "NAME", "USER", "CLIENT ID", "ENABLED", "LAST USED");
            for (JsonNode s : all) {
                t.row(s.path("id").asLong(), s.path("name").asString(""), s.path("user").asString(""), s.path("clientId").asString(""),
                        s.path("enabled").asBoolean() ? "yes" : "no", s.path("lastUsedAt").asString(""));
            }
            return t;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a custom service (by id or name).")
    static final class ServiceShow extends ShowVerb {
        ServiceShow(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.SERVICE;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Deletes a custom service (by id or name); its tokens stop at once.")
    static final class ServiceDelete extends DeleteVerb {
        ServiceDelete(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.SERVICE;
        }
    }

    @Command(name = "details", mixinStandardHelpOptions = true,
            description = "LaunchPoint's View Details: client id, client secret (masked unless --reveal) and owner; --save-as NAME saves them as an authentication.")
    static final class ServiceDetails extends DetailsVerb {
        @Parameters(index = "0", paramLabel = "ID|NAME") String ref = "";

        ServiceDetails(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            return show(admin.get("/services/" + idOf(admin, Kind.SERVICE, ref) + "/details"));
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "LaunchPoint's Get Token: the service's live access token.")
    static final class ServiceToken extends Verb {
        @Parameters(index = "0", paramLabel = "ID|NAME") String ref = "";

        ServiceToken(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            JsonNode t = admin.post("/services/" + idOf(admin, Kind.SERVICE, ref) + "/token", null);
            if (ctx.json()) {
                Output.json(ctx, Output.plain(t));
            } else {
                ctx.out().println(t.path("access_token").asString(""));
                ctx.note("expires in " + t.path("expires_in").asLong() + " s; API user " + Text.safe(t.path("scope").asString("")));
            }
            return ExitCode.OK;
        }
    }
}
