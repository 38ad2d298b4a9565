package dev.mkto.cli.admin;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.cli.auth.Authentication;
import dev.mkto.cli.auth.Authentications;
import dev.mkto.cli.term.Table;
import dev.mkto.client.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mkto admin}: what a Marketo admin does in Users & Roles and LaunchPoint, against mkto-server's admin API. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"mkto-server's admin API: roles, API-only users and custom services (LaunchPoint's View Details and",
                "Get Token), so a service can be set up from the terminal. The admin credential comes from",
                "MKTO_ADMIN_TOKEN or a prompt, never an argument."},
        subcommands = {AdminCommand.Roles.class, AdminCommand.Users.class, AdminCommand.Services.class})
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

    /** The id of the entity named {@code ref}: an id as is, else looked up by name or e-mail. */
    static long idOf(AdminClient admin, Kind kind, String ref) {
        if (ref.matches("[0-9]+")) {
            return Long.parseLong(ref);
        }
        for (JsonNode e : admin.get(kind.path)) {
            if (e.path(kind.key).asString("").equalsIgnoreCase(ref)) {
                return e.path("id").asLong();
            }
        }
        throw CliException.usage("no " + kind.noun + " '" + ref + "' on " + admin.base());
    }

    static void print(Context ctx, JsonNode entity) {
        if (ctx.json()) {
            Output.json(ctx, Output.plain(entity));
            return;
        }
        for (Map.Entry<String, JsonNode> e : entity.properties()) {
            JsonNode v = e.getValue();
            ctx.out().printf("%-13s %s%n", e.getKey(), v.isValueNode() ? v.asString("") : v.isNull() ? "" : Output.compact(Output.plain(v)));
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

    // ---- roles

    @Command(name = "roles", mixinStandardHelpOptions = true, description = "Roles: named sets of API permissions.",
            subcommands = {RoleCreate.class, RoleList.class, RoleShow.class, RoleDelete.class})
    static final class Roles implements Callable<Integer> {
        private final Context ctx;
        @Spec CommandSpec spec;

        Roles(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            spec.commandLine().usage(ctx.err());
            return ExitCode.USAGE;
        }
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

    // ---- users

    @Command(name = "users", mixinStandardHelpOptions = true, description = "Users: API-only users hold roles per workspace and own custom services.",
            subcommands = {UserCreate.class, UserList.class, UserShow.class, UserDelete.class})
    static final class Users implements Callable<Integer> {
        private final Context ctx;
        @Spec CommandSpec spec;

        Users(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            spec.commandLine().usage(ctx.err());
            return ExitCode.USAGE;
        }
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

    // ---- services

    @Command(name = "services", mixinStandardHelpOptions = true, description = "LaunchPoint custom services: a client id and secret for an API-only user.",
            subcommands = {ServiceCreate.class, ServiceList.class, ServiceShow.class, ServiceDelete.class, ServiceDetails.class, ServiceToken.class})
    static final class Services implements Callable<Integer> {
        private final Context ctx;
        @Spec CommandSpec spec;

        Services(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            spec.commandLine().usage(ctx.err());
            return ExitCode.USAGE;
        }
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
                view.forEach((k, v) -> ctx.out().printf("%-13s %s%n", k, v == null ? "" : v));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates a custom service for an active API-only user. Prints View Details (secret masked);",
                    "--save-as NAME saves it as an authentication at once."})
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
            description = {"LaunchPoint's View Details: client id, client secret (masked unless --reveal) and owner;",
                    "--save-as NAME saves them as an authentication."})
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
                ctx.note("expires in " + t.path("expires_in").asLong() + " s; API user " + t.path("scope").asString(""));
            }
            return ExitCode.OK;
        }
    }
}
