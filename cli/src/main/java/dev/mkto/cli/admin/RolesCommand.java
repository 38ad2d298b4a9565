package dev.mkto.cli.admin;

import static dev.mkto.cli.admin.AdminCommand.print;

import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.admin.AdminCommand.DeleteVerb;
import dev.mkto.cli.admin.AdminCommand.Kind;
import dev.mkto.cli.admin.AdminCommand.ListVerb;
import dev.mkto.cli.admin.AdminCommand.ShowVerb;
import dev.mkto.cli.admin.AdminCommand.Verb;
import dev.mkto.cli.term.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mkto admin roles}: named sets of API permissions. */
@Command(name = "roles", mixinStandardHelpOptions = true, description = "Roles: named sets of API permissions.",
        subcommands = {RolesCommand.RoleCreate.class, RolesCommand.RoleList.class, RolesCommand.RoleShow.class,
                RolesCommand.RoleDelete.class})
public final class RolesCommand implements Callable<Integer> {
    private final Context ctx;
    @Spec CommandSpec spec;

    RolesCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a role, e.g. --permission 'Read-Write Lead'.")
    static final class RoleCreate extends Verb {
        @Parameters(index = "0", paramLabel = "NAME") String name = "";
        @Option(names = {"-p", "--permission"}, paramLabel = "PERMISSION", split = ",",
                description = "A permission to hold (repeat, or separate with commas); see 'mkto perms plan' for the least set.")
        List<String> permissions = new ArrayList<>();
        @Option(names = "--description") @Nullable String description;

        RoleCreate(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (description != null) {
                body.put("description", description);
            }
            body.put("permissions", permissions.stream().map(String::strip).toList());
            print(ctx, admin.post("/roles", body));
            return ExitCode.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Lists the roles.")
    static final class RoleList extends ListVerb {
        RoleList(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.ROLE;
        }

        @Override
        Table table(JsonNode all) {
            Table t = new Table("ID", "NAME", "PERMISSIONS");
            for (JsonNode r : all) {
                List<String> p = new ArrayList<>();
                r.path("permissions").forEach(x -> p.add(x.asString("")));
                t.row(r.path("id").asLong(), r.path("name").asString(""), String.join(", ", p));
            }
            return t;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a role (by id or name).")
    static final class RoleShow extends ShowVerb {
        RoleShow(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.ROLE;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Deletes a role (by id or name); refused while a user holds it.")
    static final class RoleDelete extends DeleteVerb {
        RoleDelete(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.ROLE;
        }
    }
}
