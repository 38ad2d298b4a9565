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

/** {@code mkto admin users}: API-only users holding roles per workspace. */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Users: API-only users hold roles per workspace and own custom services.",
        subcommands = {UsersCommand.UserCreate.class, UsersCommand.UserList.class, UsersCommand.UserShow.class,
                UsersCommand.UserDelete.class})
public final class UsersCommand implements Callable<Integer> {
    private final Context ctx;
    @Spec CommandSpec spec;

    UsersCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an API-only user holding roles, e.g. --role 'Lead Sync' or --role 'Lead Sync@Europe'.")
    static final class UserCreate extends Verb {
        @Parameters(index = "0", paramLabel = "EMAIL") String email = "";
        @Option(names = {"-r", "--role"}, required = true, paramLabel = "ROLE[@WORKSPACE]",
                description = "A role to hold, in a workspace (default: Default); repeat for several.")
        List<String> roles = new ArrayList<>();
        @Option(names = "--first-name") @Nullable String firstName;
        @Option(names = "--last-name") @Nullable String lastName;
        @Option(names = "--not-api-only", description = "A user who is not API-only (cannot own a custom service).")
        boolean notApiOnly;

        UserCreate(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("email", email);
            if (firstName != null) {
                body.put("firstName", firstName);
            }
            if (lastName != null) {
                body.put("lastName", lastName);
            }
            body.put("apiOnly", !notApiOnly);
            body.put("roles", roles.stream().map(r -> {
                int at = r.lastIndexOf('@');
                return Map.of("role", (at < 0 ? r : r.substring(0, at)).strip(), "workspace", at < 0 ? "Default" : r.substring(at + 1).strip());
            }).toList());
            print(ctx, admin.post("/users", body));
            return ExitCode.OK;
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "Lists the users.")
    static final class UserList extends ListVerb {
        UserList(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.USER;
        }

        @Override
        Table table(JsonNode all) {
            Table t = new Table("ID", "EMAIL", "API-ONLY", "STATUS", "ROLES");
            for (JsonNode u : all) {
                List<String> roles = new ArrayList<>();
                u.path("roles").forEach(r -> roles.add(r.path("role").asString("") + "@" + r.path("workspace").asString("")));
                t.row(u.path("id").asLong(), u.path("email").asString(""), u.path("apiOnly").asBoolean() ? "yes" : "no",
                        u.path("status").asString(u.path("active").asBoolean() ? "active" : "inactive"), String.join(", ", roles));
            }
            return t;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a user (by id or e-mail).")
    static final class UserShow extends ShowVerb {
        UserShow(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.USER;
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Deletes a user (by id or e-mail); refused while it owns a service.")
    static final class UserDelete extends DeleteVerb {
        UserDelete(Context ctx) {
            super(ctx);
        }

        @Override
        Kind kind() {
            return Kind.USER;
        }
    }
}
