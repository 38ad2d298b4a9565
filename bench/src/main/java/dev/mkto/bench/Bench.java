package dev.mkto.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The whole benchmark suite, one command ({@code bench/run}): starts mkto-server from its jar on
 * fresh data directories with generated seeds, drives it with wrk over loopback, measures the
 * references (bare {@code /ping} on the same server, raw JDBC inserts on the same kind of
 * database) in the same run, runs the JMH microbenchmarks, and writes the figures into
 * BENCHMARKS.md (between its generated-section markers) and the scale plot beside it.
 */
public final class Bench {

    private static final String BEGIN = "<!-- bench:begin (written by bench/run; edit outside these markers) -->";
    private static final String END = "<!-- bench:end -->";
    private static final int SECONDS = 10;
    private static final int WARMUP = 5;
    /** Marketo admits 10 calls in flight per instance: the load an integration can put on it. */
    private static final int CONNECTIONS = 10;
    private static final int SYNC_IN_FLIGHT = 4;
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String PG_USER = "postgres";

    private final Path root;
    private final Path work;
    private final boolean quick;
    private final Wrk wrk;
    private final List<String> targets = new ArrayList<>();
    private final List<String> scale = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, double[]> curves = new LinkedHashMap<>();

    private Bench(Path root, Path work, boolean quick) {
        this.root = root;
        this.work = work;
        this.quick = quick;
        this.wrk = new Wrk(work);
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        boolean quick = List.of(args).contains("--quick");
        if (System.getProperty(ServerUnderTest.LAUNCHER_OPTIONS) == null) {
            System.setProperty(ServerUnderTest.LAUNCHER_OPTIONS, root.resolve("server/jvm.options").toString());
        }
        Path work = Files.createTempDirectory("mkto-bench");
        try {
            new Bench(root, work, quick).run(String.join(" ", List.of(args).subList(Math.min(1, args.length), args.length)));
        } finally {
            deleteTree(work);
        }
    }

    /** Removes a work directory: a run leaves gigabytes of databases behind otherwise. */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path jar() {
        return root.resolve("server/target/mkto-server.jar");
    }

    private Path seed(int services) throws IOException {
        Path seed = work.resolve("seed-" + services + ".json");
        if (!Files.exists(seed)) {
            Files.writeString(seed, Seeds.instance(services));
        }
        return seed;
    }

    private void run(String options) throws Exception {
        long t0 = System.nanoTime();
        startup();
        h2Server(quick ? 100_000 : 1_000_000, quick ? 10_000 : 100_000);
        postgres(quick ? 60_000 : 600_000);
        micro();
        Plot.write(root.resolve("bench/scale.png"), curves);
        report(options, Duration.ofNanos(System.nanoTime() - t0));
    }

    // --- start-up and idle memory -------------------------------------------------------------

    private void startup() throws Exception {
        double plain = startupToFirstToken(List.of(), "plain");
        Path aot = work.resolve("mkto-server.aot");
        Path trainingDir = work.resolve("aot-training");
        try (ServerUnderTest s = ServerUnderTest.start(jar(), trainingDir, seed(1), List.of(), List.of("-XX:AOTCacheOutput=" + aot))) {
            Http http = new Http(s.base());
            String token = http.token(0);
            http.get("/rest/v1/leads.json?filterType=email&filterValues=nobody%40example.com", token);
        }
        double withAot = Files.exists(aot) ? startupToFirstToken(List.of("-XX:AOTCache=" + aot), "aot") : Double.NaN;
        targets.add(row("start-up to first token", "≤ 1.5 s", secs(plain), plain <= 1.5));
        targets.add(row("start-up to first token, JDK AOT cache", "≤ 0.7 s", secs(withAot), withAot <= 0.7));
    }

    /**
     * Median of five starts on fresh data directories: spawn → first token answered. One start
     * before them is not counted: the first start of a series also paid for this process's HTTP
     * client (its classes loaded for the first token) and for the jars read into the page cache,
     * 0.1–0.5 s that a second start of the same server does not pay.
     */
    private double startupToFirstToken(List<String> jvm, String name) throws Exception {
        try (ServerUnderTest s = ServerUnderTest.start(jar(), work.resolve("start-" + name + "-unmeasured"), seed(1), List.of(), jvm)) {
            new Http(s.base()).token(0);
        }
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try (ServerUnderTest s = ServerUnderTest.start(jar(), work.resolve("start-" + name + i), seed(1), List.of(), jvm)) {
                new Http(s.base()).token(0);
                runs.add((System.nanoTime() - s.startedNanos()) / 1e9);
                if (i == 0 && name.equals("plain")) {
                    Thread.sleep(2000);
                    double rss = s.rssMb();
                    targets.add(row("resident memory, idle (after the first token)", "≤ 250 MB", mb(rss), rss <= 250));
                }
            }
        }
        runs.sort(null);
        return runs.get(2);
    }

    // --- the H2 server: identity, lead reads at scale, sync, memory -------------------------

    private void h2Server(int leads, int services) throws Exception {
        Path dir = work.resolve("h2");
        long seeding = System.nanoTime();
        try (ServerUnderTest s = ServerUnderTest.start(jar(), dir, seed(services), List.of(), List.of())) {
            notes.add(say(String.format(Locale.ROOT, "H2 server seeded with %,d services and users in %.1f s (start-up included).",
                    services, (System.nanoTime() - seeding) / 1e9)));
            Http http = new Http(s.base());
            String base = s.base();
            String token = http.token(0);

            // warm up every path once, then the references and identity
            wrk.run(base + "/ping", null, CONNECTIONS, WARMUP);
            Wrk.Result pingBefore = wrk.run(base + "/ping", null, CONNECTIONS, SECONDS);
            String live = "/identity/oauth/token?grant_type=client_credentials&client_id=" + Seeds.clientId(0) + "&client_secret="
                    + Seeds.clientSecret(0);
            http.get(live, null);
            wrk.run(base + live, null, CONNECTIONS, WARMUP);
            Wrk.Result liveToken = wrk.run(base + live, null, CONNECTIONS, SECONDS);
            // new tokens: the first quarter of the services warms the path up (then its live tokens), the
            // rest is measured for 2 s: enough fresh services for 0.3 × a /ping of 125,000 req/s (about
            // 110,000 in practice: each wrk thread takes every other service, and one may run ahead)
            int quarter = services / 4;
            wrk.run(base + "/", Lua.freshTokens(1, quarter), CONNECTIONS, 2 * WARMUP);
            int fresh = services - quarter;
            Wrk.Result freshToken = wrk.run(base + "/", Lua.freshTokens(quarter, services), CONNECTIONS, 2);
            // the identity rows' reference: /ping just before and just after them (it moves by 10 % and
            // more within minutes here), their mean
            Wrk.Result pingAfter = wrk.run(base + "/ping", null, CONNECTIONS, SECONDS);
            Wrk.Result ping = new Wrk.Result((pingBefore.rps() + pingAfter.rps()) / 2, Double.NaN, Math.max(pingBefore.p99Ms(), pingAfter.p99Ms()),
                    pingBefore.requests() + pingAfter.requests(), pingBefore.non2xx() + pingAfter.non2xx());
            targets.add(row("bare `GET /ping` (reference)", "—", String.format(Locale.ROOT, "%s (the mean of %s before the identity rows and %s"
                    + " after them), p99 %s / %s", rps(ping), rps(pingBefore), rps(pingAfter), ms(pingBefore.p99Ms()), ms(pingAfter.p99Ms())), true));
            targets.add(row("identity, live token returned again", "≥ 0.6 × /ping", ratio(liveToken, ping), liveToken.rps() >= 0.6 * ping.rps()));
            boolean freshValid = freshToken.requests() <= fresh;
            targets.add(row("identity, new token per request (fresh services)", "≥ 0.3 × /ping",
                    ratio(freshToken, ping) + (freshValid ? "" : " (ran out of fresh services: not valid)"),
                    freshValid && freshToken.rps() >= 0.3 * ping.rps()));
            check(liveToken, "live token");

            // leads at 10k, 100k and 1M: sync to load them (its throughput measured as it goes), then reads
            long loaded = 0;
            double h2SyncRate = 0; // the last load (a tenth → all): the first two warmed the path up
            Map<Long, Wrk.Result> byId = new LinkedHashMap<>();
            for (long size : new long[] {leads / 100, leads / 10, leads}) {
                long nanos = http.syncLeads(token, loaded, size, SYNC_IN_FLIGHT);
                double perSecond = (size - loaded) / (nanos / 1e9);
                scale.add(say(String.format(Locale.ROOT, "| sync leads %,d → %,d (H2) | %,.0f leads/s | | |", loaded, size, perSecond)));
                if (size == leads) {
                    h2SyncRate = perSecond;
                }
                loaded = size;
                http.get("/rest/v1/lead/" + size + ".json", token);
                Wrk.Result pingNow = wrk.run(base + "/ping", null, CONNECTIONS, SECONDS);
                String byIdLua = Lua.leadById(List.of(token), size);
                wrk.run(base + "/", byIdLua, CONNECTIONS, WARMUP);
                Wrk.Result r = wrk.run(base + "/", byIdLua, CONNECTIONS, SECONDS);
                check(r, "lead by id");
                byId.put(size, r);
                Wrk.Result email = wrk.run(base + "/", Lua.leadsByEmail(List.of(token), size, 0), CONNECTIONS, SECONDS);
                check(email, "leads by email");
                scale.add(say(String.format(Locale.ROOT, "| %,d leads, 1 service | /ping %s | lead by id %s (%s), p99 %s | by email %s, p99 %s |",
                        size, rps(pingNow), rps(r), ratio(r, pingNow), ms(r.p99Ms()), rps(email), ms(email.p99Ms()))));
                curve("lead by id, µs per request (by leads)", size, 1e6 / r.rps());
                curve("/ping, µs per request (by leads)", size, 1e6 / pingNow.rps());
                if (size == leads) {
                    targets.add(row(String.format(Locale.ROOT, "`GET /rest/v1/lead/{id}.json`, %,d leads, H2", size),
                            "≥ 0.6 × /ping, p99 ≤ 10 ms", ratio(r, pingNow) + ", p99 " + ms(r.p99Ms()),
                            r.rps() >= 0.6 * pingNow.rps() && r.p99Ms() <= 10));
                    // limits cannot be switched off: their cost is their share of the server during the same reads
                    ServerUnderTest.Share limits = s.share("dev.mkto.server.limits.", work.resolve("limits.jfr"),
                            () -> wrk.run(base + "/", byIdLua, CONNECTIONS, SECONDS));
                    targets.add(row(String.format(Locale.ROOT, "same with limits enforced in memory, %,d leads", size), "≥ 0.95 × the same without limits",
                            String.format(Locale.ROOT, "admission and release: %.1f %% of the server's sampled CPU (%.1f %% of its allocation), so about %.2f × without",
                                    100 * limits.cpu(), 100 * limits.allocation(), 1 - limits.cpu()), 1 - limits.cpu() >= 0.95));
                    // get leads by filter at half the maximum rate: wrk paces each connection
                    Wrk.Result paced = wrk.paced(base + "/", delay -> Lua.leadsByEmail(List.of(token), size, delay), CONNECTIONS, SECONDS,
                            email.rps() / 2);
                    check(paced, "leads by email, paced");
                    targets.add(row(String.format(Locale.ROOT, "get leads by filter (email), %,d leads, at 50%% of max (%s max)", size, rps(email)),
                            "p99 ≤ 10 ms", String.format(Locale.ROOT, "%s (%.0f %% of max), p99 %s", rps(paced), 100 * paced.rps() / email.rps(),
                                    ms(paced.p99Ms())), paced.p99Ms() <= 10));
                }
            }

            // callers: the same lead reads spread over 1, 100 and 10,000 services' tokens, every token
            // issued first (so no row measures the database still writing the tokens just issued)
            List<String> tokens = new ArrayList<>();
            int most = Math.min(10_000, services);
            while (tokens.size() < most) {
                tokens.add(http.token(tokens.size()));
            }
            wrk.run(base + "/", Lua.leadById(tokens, leads), CONNECTIONS, WARMUP);
            for (int n : new int[] {1, 100, most}) {
                Wrk.Result r = wrk.run(base + "/", Lua.leadById(tokens.subList(0, n), leads), CONNECTIONS, SECONDS);
                check(r, "lead by id, " + n + " services");
                Wrk.Result id = wrk.run(base + "/", Lua.liveTokens(n), CONNECTIONS, SECONDS);
                check(id, "identity, " + n + " services");
                scale.add(say(String.format(Locale.ROOT, "| %,d leads, %,d service%s | | lead by id %s, p99 %s | identity (live) %s, p99 %s |",
                        leads, n, n == 1 ? "" : "s", rps(r), ms(r.p99Ms()), rps(id), ms(id.p99Ms()))));
                curve("lead by id, µs per request (by services)", n, 1e6 / r.rps());
                curve("identity (live), µs per request (by services)", n, 1e6 / id.rps());
            }

            // memory: every service holding a live token, all leads loaded
            for (int n = tokens.size(); n < services; n++) {
                http.token(n);
            }
            double heap = s.heapAfterGcMb();
            double rss = s.rssMb();
            targets.add(row(String.format(Locale.ROOT, "heap after a full GC, %,d leads and %,d live tokens", leads, services),
                    "≤ 1 GB heap", mb(heap) + " (RSS " + mb(rss) + ")", heap <= 1024));

            // raw JDBC reference on a fresh H2 file: the same rows, warmed up and measured as the server was
            String rawH2 = dev.mkto.server.config.ServerConfig.defaultH2Url(work.resolve("raw-h2"));
            RawJdbc.insertLeads(rawH2, "", 0, leads / 10, SYNC_IN_FLIGHT);
            long rawNanos = RawJdbc.insertLeads(rawH2, "", leads / 10, leads, SYNC_IN_FLIGHT);
            double raw = (leads - leads / 10) / (rawNanos / 1e9);
            notes.add(say(String.format(Locale.ROOT, "Sync on H2 is measured loading %,d → %,d leads into the server, after the first %,d warmed"
                    + " it up (loads and reads); raw JDBC inserted the same rows, after the same first %,d, into a fresh H2 file with the server's schema.",
                    leads / 10, leads, leads / 10, leads / 10)));
            targets.add(row("raw JDBC batch insert, H2 (reference)", "—", String.format(Locale.ROOT, "%,.0f leads/s", raw), true));
            targets.add(row("sync leads, 300 per call, createOrUpdate on email, H2", "≥ 0.5 × raw JDBC; ≥ 50,000 leads/s",
                    String.format(Locale.ROOT, "%,.0f leads/s = %.2f × raw JDBC", h2SyncRate, h2SyncRate / raw),
                    h2SyncRate >= 0.5 * raw && h2SyncRate >= 50_000));
        }
    }

    // --- PostgreSQL: sync against raw JDBC -------------------------------------------------

    private void postgres(long leads) throws Exception {
        String server = "mkto_bench_server";
        String raw = "mkto_bench_raw";
        try {
            recreate(server);
            recreate(raw);
        } catch (java.sql.SQLException e) {
            notes.add("PostgreSQL did not answer at " + POSTGRES + "test; its rows were not measured.");
            return;
        }
        long tenth = leads / 10;
        // the first half warms the server's path up, and the reference's alike: a fresh server's JIT compiles the path for
        // about 8 s of a saturated machine (its C2 thread took 40 % of a core, more than the requests, over that time)
        long warm = 5 * tenth;
        double[] sync = new double[10];
        double[] reference = new double[10];
        try {
            try (ServerUnderTest s = ServerUnderTest.start(jar(), work.resolve("pg"), seed(1), List.of("--db-url", POSTGRES + server, "--db-user", PG_USER), List.of())) {
                Http http = new Http(s.base());
                String token = http.token(0);
                for (int i = 0; i < 10; i++) {
                    sync[i] = http.syncLeads(token, i * tenth, (i + 1) * tenth, SYNC_IN_FLIGHT);
                }
            }
            for (int i = 0; i < 10; i++) {
                reference[i] = RawJdbc.insertLeads(POSTGRES + raw, PG_USER, i * tenth, (i + 1) * tenth, SYNC_IN_FLIGHT);
            }
            double measured = (leads - warm) / (Arrays.stream(sync, 5, 10).sum() / 1e9);
            double rawMeasured = (leads - warm) / (Arrays.stream(reference, 5, 10).sum() / 1e9);
            notes.add(say(String.format(Locale.ROOT, "Sync on PostgreSQL is measured loading %,d → %,d leads, after the first %,d warmed the"
                    + " server up (a fresh process: its JIT compiles the path during the first tenths); raw JDBC inserted the same rows, after"
                    + " the same first %,d, into a fresh database. Per tenth (leads/s), server: %s; raw JDBC: %s.", warm, leads, warm, warm,
                    perTenth(tenth, sync), perTenth(tenth, reference))));
            targets.add(row("raw JDBC batch insert, PostgreSQL (reference)", "—", String.format(Locale.ROOT, "%,.0f leads/s", rawMeasured), true));
            targets.add(row("sync leads, 300 per call, createOrUpdate on email, PostgreSQL", "≥ 0.5 × raw JDBC; ≥ 20,000 leads/s",
                    String.format(Locale.ROOT, "%,.0f leads/s = %.2f × raw JDBC", measured, measured / rawMeasured),
                    measured >= 0.5 * rawMeasured && measured >= 20_000));
        } finally {
            drop(server);
            drop(raw);
        }
    }

    private static String perTenth(long tenth, double[] nanos) {
        return Arrays.stream(nanos).mapToObj(n -> String.format(Locale.ROOT, "%,.0f", tenth / (n / 1e9))).collect(Collectors.joining(" / "));
    }

    /** A fresh, empty PostgreSQL database {@code db} on the local server. */
    static void recreate(String db) throws java.sql.SQLException {
        drop(db);
        try (Connection c = DriverManager.getConnection(POSTGRES + "test", PG_USER, ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
    }

    static void drop(String db) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(POSTGRES + "test", PG_USER, ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    // --- JMH -------------------------------------------------------------------------------

    private void micro() throws Exception {
        var options = new OptionsBuilder().include(HotPaths.class.getName()).forks(1).warmupIterations(3)
                .warmupTime(TimeValue.seconds(1)).measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true).build();
        for (RunResult r : new Runner(options).run()) {
            var p = r.getPrimaryResult();
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            scale.add(say(String.format(Locale.ROOT, "| JMH `%s` | %.1f ± %.1f %s | | |", name, p.getScore(), p.getScoreError(), p.getScoreUnit())));
        }
    }

    // --- report ----------------------------------------------------------------------------

    private void report(String options, Duration took) throws IOException {
        Path file = root.resolve("BENCHMARKS.md");
        String existing = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n";
        StringBuilder b = new StringBuilder(BEGIN).append('\n');
        b.append(String.format(Locale.ROOT, "Run on %s by `bench/run%s` (%d s; %s, %d cores, JDK %s; wrk %d connections, 2 threads, %d s per figure after a %d s warm-up; new tokens 2 s, paced rows with more connections).%n%n",
                LocalDate.now(), options.isBlank() ? "" : " " + options, took.toSeconds(), System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), CONNECTIONS, SECONDS, WARMUP));
        b.append("| path | target | measured (ratio against the reference of the same run) | met |\n|---|---|---|---|\n");
        targets.forEach(t -> b.append(t).append('\n'));
        b.append("\nScale (the same server and run; the plot is [bench/scale.png](bench/scale.png)):\n\n");
        b.append("| case | reference | measured | also |\n|---|---|---|---|\n");
        scale.forEach(t -> b.append(t).append('\n'));
        b.append('\n');
        notes.forEach(n -> b.append("- ").append(n).append('\n'));
        b.append(END);
        int from = existing.indexOf(BEGIN);
        int to = existing.indexOf(END);
        String updated = from < 0 || to < 0 ? existing + "\n" + b + "\n" : existing.substring(0, from) + b + existing.substring(to + END.length());
        Files.writeString(file, updated);
        System.out.println(b);
    }

    private void curve(String name, double x, double y) {
        double[] old = curves.getOrDefault(name, new double[0]);
        double[] grown = java.util.Arrays.copyOf(old, old.length + 2);
        grown[old.length] = x;
        grown[old.length + 1] = y;
        curves.put(name, grown);
    }

    private static void check(Wrk.Result r, String what) {
        if (r.non2xx() > 0) {
            throw new IllegalStateException(what + ": " + r.non2xx() + " answers were not 2xx");
        }
    }

    private static String row(String path, String target, String measured, boolean met) {
        return say("| " + path + " | " + target + " | " + measured + " | " + (met ? "yes" : "**no**") + " |");
    }

    /** Progress on stderr as the figures come, so a long run shows where it is. */
    private static String say(String line) {
        System.err.printf(Locale.ROOT, "bench %s %s%n", java.time.LocalTime.now().withNano(0), line);
        return line;
    }

    private static String ratio(Wrk.Result r, Wrk.Result reference) {
        return String.format(Locale.ROOT, "%s = %.2f × %s", rps(r), r.rps() / reference.rps(), rps(reference));
    }

    private static String rps(Wrk.Result r) {
        return String.format(Locale.ROOT, "%,.0f req/s", r.rps());
    }

    private static String ms(double ms) {
        return String.format(Locale.ROOT, "%.2f ms", ms);
    }

    private static String mb(double mb) {
        return String.format(Locale.ROOT, "%.0f MB", mb);
    }

    private static String secs(double s) {
        return Double.isNaN(s) ? "not measured (no AOT cache was written)" : String.format(Locale.ROOT, "%.2f s", s);
    }
}
