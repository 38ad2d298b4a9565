package dev.mkto.cli.admin;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.cli.term.Table;
import dev.mkto.cli.term.Text;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mkto admin}: what a Marketo admin does in Users & Roles and LaunchPoint, against mkto-server's admin API. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "mkto-server's admin API: roles, API-only users and custom services (LaunchPoint's View Details and Get Token), so a service can be set up from the terminal. The admin credential comes from MKTO_ADMIN_TOKEN or a prompt, never an argument.",
        subcommands = {RolesCommand.class, UsersCommand.class, ServicesCommand.class})
public final class AdminCommand implements Callable<Integer> {

    private final Context ctx;
    @Spec CommandSpec spec;

    AdminCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    /** One kind of entity: its path and the field people name it by. */
    enum Kind {
        ROLE("/roles", "name", "role"), USER("/users", "email", "user"), SERVICE("/services", "name", "custom service");

        final String path;
        final String key;
        final String noun;

        Kind(String path, String key, String noun) {
            this.path = path;
            this.key = key;
            this.noun = noun;
        }
    }

    /**
     * The id of the entity {@code ref} names: by name or e-mail, or digits as an id. Digits that are
     * one entity's name and another's id are refused rather than guessed (the command may delete
     * what it finds).
     */
    static long idOf(AdminClient admin, Kind kind, String ref) {
        Long id = ref.matches("[0-9]{1,18}") ? Long.parseLong(ref) : null;
        Long named = null;
        boolean idExists = false;
        for (JsonNode e : admin.get(kind.path)) {
            if (named == null && e.path(kind.key).asString("").equalsIgnoreCase(ref)) {
                named = e.path("id").asLong();
            }
            idExists |= id != null && e.path("id").asLong() == id;
        }
        if (named != null && idExists && named.longValue() != id) {
            throw CliException.usage("'" + ref + "' is the id of one " + kind.noun + " and the " + kind.key + " of another (id " + named
                    + "); give that one's id, or rename it");
        }
        if (named != null) {
            return named;
        }
        if (id != null) {
            return id;
        }
        throw CliException.usage("no " + kind.noun + " '" + Text.safe(ref) + "' on " + admin.base());
    }

    static void print(Context ctx, JsonNode entity) {
        if (ctx.json()) {
            Output.json(ctx, Output.plain(entity));
            return;
        }
        for (Map.Entry<String, JsonNode> e : entity.properties()) {
            JsonNode v = e.getValue();
            ctx.out().printf("%-13s %s%n", Text.safe(e.getKey()),
                    Text.safe(v.isValueNode() ? v.asString("") : v.isNull() ? "" : Output.compact(Output.plain(v))));
        }
    }

    /** Base of the list / show / delete commands of one kind. */
    abstract static class Verb implements Callable<Integer> {
        final Context ctx;
        @Mixin final JsonOption json;
        @Mixin final AdminClient admin;

        Verb(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
            this.admin = new AdminClient(ctx);
        }
    }

    abstract static class ListVerb extends Verb {
        ListVerb(Context ctx) {
            super(ctx);
        }

        abstract Kind kind();

        abstract Table table(JsonNode all);

        @Override
        public Integer call() {
            JsonNode all = admin.get(kind().path);
            if (ctx.json()) {
                Output.json(ctx, Output.plain(all));
            } else {
                table(all).print(ctx.out());
            }
            return ExitCode.OK;
        }
    }

    abstract static class ShowVerb extends Verb {
        @Parameters(index = "0", paramLabel = "ID|NAME") String ref = "";

        ShowVerb(Context ctx) {
            super(ctx);
        }

        abstract Kind kind();

        @Override
        public Integer call() {
            print(ctx, admin.get(kind().path + "/" + idOf(admin, kind(), ref)));
            return ExitCode.OK;
        }
    }

    abstract static class DeleteVerb extends Verb {
        @Parameters(index = "0", paramLabel = "ID|NAME") String ref = "";

        DeleteVerb(Context ctx) {
            super(ctx);
        }

        abstract Kind kind();

        @Override
        public Integer call() {
            long id = idOf(admin, kind(), ref);
            admin.delete(kind().path + "/" + id);
            if (ctx.json()) {
                Output.json(ctx, Output.map("deleted", kind().noun, "id", id, "ref", ref));
            } else {
                ctx.out().println("Deleted " + kind().noun + " " + ref + " (id " + id + ").");
            }
            return ExitCode.OK;
        }
    }
}
