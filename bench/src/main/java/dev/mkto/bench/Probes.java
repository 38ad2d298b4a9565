package dev.mkto.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Focused measurements for profiling one path, outside the suite: each starts the built server
 * jar on a fresh data directory, like {@link Bench}, and prints its figures. Attach JFR to the
 * printed pid ({@code jcmd PID JFR.start ...}) while one runs.
 *
 * <pre>
 * java -cp "bench/target/classes:bench/target/lib/*" dev.mkto.bench.Probes tokens 200000
 * java -cp "bench/target/classes:bench/target/lib/*" dev.mkto.bench.Probes leads 1000000 [-- server args]
 * java -cp "bench/target/classes:bench/target/lib/*" dev.mkto.bench.Probes pg-sync 60000 [calls in flight]
 * java -cp "bench/target/classes:bench/target/lib/*" dev.mkto.bench.Probes callers 100000
 * java -cp "bench/target/classes:bench/target/lib/*" dev.mkto.bench.Probes startup 9 [-- JVM options]
 * </pre>
 *
 * {@code tokens}: the first grant (on the embedded database it reads every service's credentials),
 * then the grant for services never used before, in four successive 2-s rounds (each on services
 * of its own), against {@code /ping}. {@code leads}: lead by id, get-by-email and
 * get-by-email at half its rate, twice, against {@code /ping}. {@code pg-sync}: Sync Leads into a
 * fresh PostgreSQL database, then raw JDBC inserts of the same rows into another, each in tenths (the
 * rate of each tenth shows the warm-up). {@code callers}: lead by id over the tokens of 1 and of 10,000
 * services, alternately, three times each. {@code startup}: spawn → first token answered, that many
 * times on fresh data directories after one start not counted (the suite's start-up figure is the
 * median of five).
 * Every server starts with the launcher's JVM options ({@code server/jvm.options}; another file with
 * {@code -Dmkto.jvm.options=PATH}, an empty one for the JVM's defaults), then those a probe is given.
 * {@code -Dmkto.jar=PATH} measures another build (a copy of {@code server/target} made before a
 * change, say), so that two builds can be measured alternately on the same machine.
 */
public final class Probes {

    private static final int CONNECTIONS = 10;

    private Probes() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Probes tokens|leads|pg-sync|callers|startup COUNT [calls in flight | -- server args (JVM options for startup)]");
            System.exit(2);
        }
        long count = Long.parseLong(args[1]);
        Path jar = Path.of(System.getProperty("mkto.jar", "server/target/mkto-server.jar")).toAbsolutePath();
        Path work = Files.createTempDirectory("mkto-probe");
        List<String> serverArgs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--")) {
                serverArgs.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
        }
        try {
            switch (args[0]) {
                case "tokens" -> tokens(jar, work, (int) count, serverArgs);
                case "leads" -> leads(jar, work, count, serverArgs);
                case "pg-sync" -> pgSync(jar, work, count, args.length > 2 ? Integer.parseInt(args[2]) : 4);
                case "callers" -> callers(jar, work, count, serverArgs);
                case "startup" -> startup(jar, work, (int) count, serverArgs);
                default -> throw new IllegalArgumentException("unknown probe " + args[0]);
            }
        } finally {
            Bench.deleteTree(work);
        }
    }

    private static Path seed(Path work, int services) throws Exception {
        return Files.writeString(work.resolve("seed-" + services + ".json"), Seeds.instance(services));
    }

    private static void tokens(Path jar, Path work, int services, List<String> serverArgs) throws Exception {
        Wrk wrk = new Wrk(work);
        try (ServerUnderTest s = ServerUnderTest.start(jar, work.resolve("data"), seed(work, services), serverArgs, List.of())) {
            System.out.println("server pid " + s.pid());
            String base = s.base();
            long first = System.nanoTime();
            new Http(base).token(services - 1); // the first grant reads every service's credentials
            double firstMs = (System.nanoTime() - first) / 1e6;
            wrk.run(base + "/ping", null, CONNECTIONS, 5);
            Wrk.Result ping = wrk.run(base + "/ping", null, CONNECTIONS, 5);
            int slice = services / 4;
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "first grant %.0f ms; /ping %,.0f req/s; new tokens, 2-s rounds:",
                    firstMs, ping.rps()));
            for (int i = 0; i < 4; i++) {
                Wrk.Result r = wrk.run(base + "/", Lua.freshTokens(i * slice, (i + 1) * slice), CONNECTIONS, 2);
                out.append(String.format(Locale.ROOT, " %,.0f req/s = %.3f ×%s", r.rps(), r.rps() / ping.rps(),
                        r.requests() > slice ? " (ran out of fresh services: not valid)" : ""));
            }
            System.out.println(out);
        }
    }

    private static void leads(Path jar, Path work, long leads, List<String> serverArgs) throws Exception {
        Wrk wrk = new Wrk(work);
        try (ServerUnderTest s = ServerUnderTest.start(jar, work.resolve("data"), seed(work, 1), serverArgs, List.of())) {
            System.out.println("server pid " + s.pid());
            String base = s.base();
            Http http = new Http(base);
            String token = http.token(0);
            long nanos = http.syncLeads(token, 0, leads, 4);
            System.out.printf(Locale.ROOT, "sync %,.0f leads/s%n", leads / (nanos / 1e9));
            String byId = Lua.leadById(List.of(token), leads);
            wrk.run(base + "/", byId, CONNECTIONS, 5);
            for (int i = 0; i < 2; i++) {
                Wrk.Result ping = wrk.run(base + "/ping", null, CONNECTIONS, 5);
                Wrk.Result r = wrk.run(base + "/", byId, CONNECTIONS, 8);
                Wrk.Result email = wrk.run(base + "/", Lua.leadsByEmail(List.of(token), leads, 0), CONNECTIONS, 8);
                Wrk.Result paced = wrk.paced(base + "/", delay -> Lua.leadsByEmail(List.of(token), leads, delay), CONNECTIONS, 8,
                        email.rps() / 2);
                System.out.printf(Locale.ROOT, "/ping %,.0f req/s p99 %.1f ms | lead by id %,.0f req/s p99 %.1f ms = %.2f × | by email %,.0f req/s"
                                + " p99 %.1f ms | by email at half rate %,.0f req/s p99 %.1f ms%n", ping.rps(), ping.p99Ms(), r.rps(), r.p99Ms(),
                        r.rps() / ping.rps(), email.rps(), email.p99Ms(), paced.rps(), paced.p99Ms());
            }
        }
    }

    private static void startup(Path jar, Path work, int starts, List<String> jvmOptions) throws Exception {
        List<Double> runs = new ArrayList<>();
        try (ServerUnderTest s = ServerUnderTest.start(jar, work.resolve("start-unmeasured"), seed(work, 1), List.of(), jvmOptions)) {
            new Http(s.base()).token(0); // not counted: see Bench.startupToFirstToken
        }
        for (int i = 0; i < starts; i++) {
            try (ServerUnderTest s = ServerUnderTest.start(jar, work.resolve("start" + i), seed(work, 1), List.of(), jvmOptions)) {
                new Http(s.base()).token(0);
                runs.add((System.nanoTime() - s.startedNanos()) / 1e9);
            }
        }
        List<Double> sorted = new ArrayList<>(runs);
        sorted.sort(null);
        System.out.printf(Locale.ROOT, "start-up to first token: median %.2f s, min %.2f s; runs %s%n", sorted.get(starts / 2), sorted.getFirst(),
                runs.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
    }

    private static void callers(Path jar, Path work, long leads, List<String> serverArgs) throws Exception {
        int services = 10_000;
        Wrk wrk = new Wrk(work);
        try (ServerUnderTest s = ServerUnderTest.start(jar, work.resolve("data"), seed(work, services), serverArgs, List.of())) {
            System.out.println("server pid " + s.pid());
            String base = s.base();
            Http http = new Http(base);
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < services; i++) {
                tokens.add(http.token(i));
            }
            http.syncLeads(tokens.getFirst(), 0, leads, 4);
            String one = Lua.leadById(tokens.subList(0, 1), leads);
            String all = Lua.leadById(tokens, leads);
            wrk.run(base + "/", all, CONNECTIONS, 5);
            for (int i = 0; i < 3; i++) {
                Wrk.Result r1 = wrk.run(base + "/", one, CONNECTIONS, 8);
                Wrk.Result rn = wrk.run(base + "/", all, CONNECTIONS, 8);
                System.out.printf(Locale.ROOT, "lead by id over 1 service's token %,.0f req/s, over %,d services' tokens %,.0f req/s = %.2f ×%n",
                        r1.rps(), services, rn.rps(), rn.rps() / r1.rps());
            }
        }
    }

    private static void pgSync(Path jar, Path work, long leads, int inFlight) throws Exception {
        String database = "mkto_probe";
        Bench.recreate(database);
        try (ServerUnderTest s = ServerUnderTest.start(jar, work.resolve("data"), seed(work, 1),
                List.of("--db-url", "jdbc:postgresql://127.0.0.1:5432/" + database, "--db-user", "postgres"), List.of())) {
            System.out.println("server pid " + s.pid());
            Http http = new Http(s.base());
            String token = http.token(0);
            perTenth("sync, " + inFlight + " calls in flight", leads, (from, to) -> http.syncLeads(token, from, to, inFlight));
        } finally {
            Bench.drop(database);
        }
        Bench.recreate(database);
        try {
            perTenth("raw JDBC, " + inFlight + " writers", leads,
                    (from, to) -> RawJdbc.insertLeads("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", from, to, inFlight));
        } finally {
            Bench.drop(database);
        }
    }

    /** Loads leads 0..{@code leads} in tenths and prints the rate of each (it shows the warm-up). */
    private static void perTenth(String label, long leads, Load load) throws Exception {
        long slice = leads / 10;
        StringBuilder out = new StringBuilder(label + ", leads/s per tenth:");
        for (long from = 0; from < leads; from += slice) {
            long to = Math.min(leads, from + slice);
            out.append(String.format(Locale.ROOT, " %,.0f", (to - from) / (load.nanos(from, to) / 1e9)));
        }
        System.out.println(out);
    }

    /** Loads leads {@code from} (inclusive) to {@code to}; the elapsed nanoseconds. */
    @FunctionalInterface
    private interface Load {
        long nanos(long from, long to) throws Exception;
    }
}
