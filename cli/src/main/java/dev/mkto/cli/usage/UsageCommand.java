package dev.mkto.cli.usage;

import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.JsonOption;
import dev.mkto.cli.Output;
import dev.mkto.cli.auth.AuthOption;
import dev.mkto.cli.auth.Connections;
import dev.mkto.cli.term.Bars;
import dev.mkto.cli.term.Table;
import dev.mkto.cli.term.Text;
import dev.mkto.client.MarketoClient;
import dev.mkto.client.Stats;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mkto usage}: the instance's API calls today and over the last seven days, per API user. */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = "The instance's API calls today and in the last 7 days, per API user, as a table and a bar chart (from the usage statistics endpoints, which need no permission). The daily quota is shared by every user.")
public final class UsageCommand implements Callable<Integer> {

    private static final int WIDTH = 40;

    private final Context ctx;
    @Mixin final JsonOption json;
    @Mixin final AuthOption auth;

    UsageCommand(Context ctx) {
        this.ctx = ctx;
        this.json = new JsonOption(ctx);
        this.auth = new AuthOption(ctx);
    }

    @Override
    public Integer call() {
        MarketoClient client = Connections.client(auth.resolve(), ctx);
        List<Stats.DailyUsage> today = Connections.value(Connections.call(() -> client.stats().usage()), "usage today");
        List<Stats.DailyUsage> week = Connections.value(Connections.call(() -> client.stats().usageLast7Days()), "usage in the last 7 days");
        Stats.DailyUsage now = today.isEmpty() ? null : today.get(0);
        Map<String, long[]> users = new TreeMap<>();
        if (now != null) {
            now.users().forEach((u, n) -> users.computeIfAbsent(u, k -> new long[2])[0] += n);
        }
        for (Stats.DailyUsage d : week) {
            d.users().forEach((u, n) -> users.computeIfAbsent(u, k -> new long[2])[1] += n);
        }
        if (ctx.json()) {
            Output.json(ctx, Output.map(
                    "today", now == null ? null : day(now),
                    "last7Days", week.stream().map(UsageCommand::day).toList(),
                    "users", users.entrySet().stream().map(e -> Output.map("userId", e.getKey(), "today", e.getValue()[0],
                            "last7Days", e.getValue()[1])).toList()));
            return ExitCode.OK;
        }
        NumberFormat n = NumberFormat.getIntegerInstance(Locale.ROOT);
        n.setGroupingUsed(true);
        long todayTotal = now == null ? 0 : now.total();
        long weekTotal = week.stream().mapToLong(Stats.DailyUsage::total).sum();
        ctx.out().println("API calls per user" + (now == null ? "" : " (today is " + now.date() + ")"));
        Table t = new Table("USER", "TODAY", "LAST 7 DAYS");
        users.forEach((u, c) -> t.row(u, n.format(c[0]), n.format(c[1])));
        t.row("total", n.format(todayTotal), n.format(weekTotal));
        t.print(ctx.out());
        ctx.out().println();
        ctx.out().println("Calls per day");
        long max = week.stream().mapToLong(Stats.DailyUsage::total).max().orElse(0);
        for (Stats.DailyUsage d : week) {
            ctx.out().printf("  %s  %8s  %s%n", d.date(), n.format(d.total()), Bars.bar(d.total(), max, WIDTH));
        }
        if (!users.isEmpty()) {
            ctx.out().println();
            ctx.out().println("Calls per user, last 7 days");
            long maxUser = users.values().stream().mapToLong(c -> c[1]).max().orElse(0);
            int nameWidth = users.keySet().stream().mapToInt(u -> Text.width(Text.safe(u))).max().orElse(4);
            users.forEach((u, c) -> ctx.out().printf("  %s  %8s  %s%n", Text.padRight(Text.safe(u), nameWidth), n.format(c[1]),
                    Bars.bar(c[1], maxUser, WIDTH)));
        }
        return ExitCode.OK;
    }

    private static Map<String, Object> day(Stats.DailyUsage d) {
        return Output.map("date", d.date().toString(), "total", d.total(),
                "users", d.users().entrySet().stream().map(e -> Output.map("userId", e.getKey(), "count", e.getValue())).toList());
    }
}
