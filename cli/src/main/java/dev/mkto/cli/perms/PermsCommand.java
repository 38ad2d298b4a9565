package dev.mkto.cli.perms;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.cli.admin.AdminClient;
import dev.mkto.cli.term.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mkto perms}: least privilege. */
@Command(name = "perms", mixinStandardHelpOptions = true,
        description = "Least privilege: which permission an endpoint needs, and the smallest set of permissions a role needs for a list of calls. Works from mkto's own table of Marketo's endpoints, so it answers for real Marketo as well as mkto-server.",
        subcommands = {PermsCommand.Explain.class, PermsCommand.PlanCommand.class})
public final class PermsCommand implements Callable<Integer> {

    private final Context ctx;
    @Spec CommandSpec spec;

    PermsCommand(Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(ctx.err());
        return ExitCode.USAGE;
    }

    private static final Pattern CALL = Pattern.compile("\\b(GET|POST|PUT|PATCH|DELETE)\\s+(\\S+)", Pattern.CASE_INSENSITIVE);

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = "Says which permission an endpoint needs, e.g. mkto perms explain POST /rest/v1/leads.json")
    static final class Explain implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;

        @Parameters(index = "0", paramLabel = "METHOD") String method = "";
        @Parameters(index = "1", paramLabel = "PATH", description = "A path (with or without /rest, ids filled in or not) or a full URL.")
        String path = "";

        Explain(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
        }

        @Override
        public Integer call() {
            EndpointTable table = EndpointTable.builtIn();
            EndpointTable.Endpoint e = table.find(method, path).orElseThrow(() -> {
                List<String> others = table.otherMethods(path);
                return CliException.usage("no Marketo endpoint " + method.toUpperCase(Locale.ROOT) + " " + path
                        + (others.isEmpty() ? " in mkto's table" : "; that path takes " + String.join(", ", others)));
            });
            List<String> satisfiedBy = new ArrayList<>();
            for (String n : Permission.NAMES) {
                Permission p = new Permission(n);
                if (e.anyOf().stream().anyMatch(p::satisfies)) {
                    satisfiedBy.add(n);
                }
            }
            if (ctx.json()) {
                Output.json(ctx, Output.map("method", e.method(), "template", e.template(), "name", e.name(), "group", e.group(),
                        "permissions", e.anyOf().stream().map(Permission::name).toList(), "satisfiedBy", e.anyOf().isEmpty() ? List.of() : satisfiedBy));
                return ExitCode.OK;
            }
            ctx.out().println(e.method() + " " + e.template() + "  (" + e.name() + ", " + e.group() + ")");
            if (e.anyOf().isEmpty()) {
                ctx.out().println("needs no permission (only the IP allowlist applies)");
            } else {
                ctx.out().println("needs " + String.join(" or ", e.anyOf().stream().map(Permission::name).toList())
                        + ", in any workspace of the API-only user's role");
                ctx.out().println("satisfied by: " + String.join(", ", satisfiedBy));
            }
            return ExitCode.OK;
        }
    }

    /** Where the calls come from: exactly one of these. */
    static final class Source {
        @Parameters(index = "0", paramLabel = "FILE", arity = "0..1",
                description = "Calls, one 'METHOD PATH' a line (an access log works too), or the JSON of GET /admin/api/v1/usage; '-' for standard input.")
        @Nullable String file;

        @Option(names = "--usage", description = "Read the calls from the admin usage of an mkto-server (GET /admin/api/v1/usage).")
        boolean usage;
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Works out the smallest set of permissions to give a role for a list of calls, or for the calls a service made according to a usage log. Read-Only is preferred where it is enough; redundant permissions are left out. Exit code 1 when some calls match no known endpoint (the plan may be incomplete).")
    static final class PlanCommand implements Callable<Integer> {
        private final Context ctx;
        @Mixin final JsonOption json;
        @Mixin final AdminClient admin;

        @ArgGroup(exclusive = true, multiplicity = "1") Source source = new Source();

        @Option(names = "--service", paramLabel = "NAME",
                description = "With a usage log: only the calls of this custom service (name or id).")
        @Nullable String service;

        @Option(names = "--days", defaultValue = "7", description = "With --usage: how many days of usage to read (1-90, default 7).")
        int days = 7;

        PlanCommand(Context ctx) {
            this.ctx = ctx;
            this.json = new JsonOption(ctx);
            this.admin = new AdminClient(ctx);
        }

        @Override
        public Integer call() {
            List<Planner.Call> calls = source.usage ? fromUsage(admin.get("/usage?days=" + days)) : fromFile(source.file);
            if (calls.isEmpty()) {
                throw CliException.usage("no calls to plan for" + (service != null ? " (service '" + service + "' made none)" : ""));
            }
            Planner.Plan plan = new Planner(EndpointTable.builtIn()).plan(calls);
            if (ctx.json()) {
                Output.json(ctx, Output.map("permissions", plan.permissions().stream().map(Permission::name).toList(),
                        "grants", plan.grants().stream().map(g -> Output.map("permission", g.permission().name(), "endpoints", g.endpoints())).toList(),
                        "noPermission", plan.noPermission(), "unknown", plan.unknown()));
            } else {
                if (plan.grants().isEmpty()) {
                    ctx.out().println("No permission is needed for these calls.");
                } else {
                    ctx.out().println("Give the role these permissions:");
                    for (Planner.Grant g : plan.grants()) {
                        ctx.out().println("  " + g.permission().name());
                        for (String e : g.endpoints()) {
                            ctx.out().println("      " + Text.safe(e));
                        }
                    }
                }
                if (!plan.noPermission().isEmpty()) {
                    ctx.out().println("Need no permission: " + Text.safe(String.join(", ", plan.noPermission())));
                }
                for (String u : plan.unknown()) {
                    ctx.err().println("warning: no known Marketo endpoint: " + Text.safe(u));
                }
            }
            return plan.unknown().isEmpty() ? ExitCode.OK : ExitCode.USAGE;
        }

        private List<Planner.Call> fromFile(@Nullable String file) {
            String text;
            try {
                text = "-".equals(file) ? new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(ctx.path(String.valueOf(file)), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw CliException.usage("cannot read " + file + ": " + reason(e));
            }
            String t = text.strip();
            if (t.startsWith("{") || t.startsWith("[")) {
                return fromUsage(Output.parse(t, String.valueOf(file)));
            }
            if (service != null) {
                throw CliException.usage("--service applies to a usage log (JSON of GET /admin/api/v1/usage), not to a list of calls");
            }
            List<Planner.Call> calls = new ArrayList<>();
            for (String line : text.split("\\R")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                Matcher m = CALL.matcher(l);
                if (m.find()) {
                    calls.add(new Planner.Call(m.group(1).toUpperCase(Locale.ROOT), m.group(2).replaceAll("[\"']+$", ""), 1));
                } else {
                    throw CliException.usage("cannot read a call in '" + Text.safe(l) + "': expected METHOD PATH, e.g. GET /rest/v1/leads.json");
                }
            }
            return calls;
        }

        private static String reason(IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) {
                return "no such file";
            }
            if (e instanceof java.nio.file.AccessDeniedException) {
                return "permission denied";
            }
            if (e instanceof java.nio.charset.CharacterCodingException) {
                return "it is not UTF-8 text (convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8)";
            }
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }

        /** The calls of an admin usage answer ({@code {"calls": [{"service", "serviceId", "endpoint": "GET /rest/…", "calls"}]}}). */
        private List<Planner.Call> fromUsage(JsonNode usage) {
            JsonNode rows = usage.isArray() ? usage : usage.path("calls");
            if (!rows.isArray()) {
                throw CliException.usage("not a usage log: expected the JSON of GET /admin/api/v1/usage, with a 'calls' array");
            }
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (JsonNode r : rows) {
                if (service != null && !service.equals(r.path("service").asString("")) && !service.equals(r.path("serviceId").asString(""))) {
                    continue;
                }
                counts.merge(r.path("endpoint").asString(""), r.path("calls").asLong(1), Long::sum);
            }
            List<Planner.Call> calls = new ArrayList<>();
            counts.forEach((endpoint, n) -> {
                Matcher m = CALL.matcher(endpoint);
                if (m.find()) {
                    calls.add(new Planner.Call(m.group(1).toUpperCase(Locale.ROOT), m.group(2), n));
                }
            });
            return calls;
        }
    }
}
