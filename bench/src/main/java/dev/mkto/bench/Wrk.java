package dev.mkto.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code wrk} (HTTP/1.1 keep-alive load from C, so the driver costs the server little CPU) and reads its report. */
final class Wrk {

    /** Requests per second, latency percentiles in milliseconds, and answers that were not 2xx. */
    record Result(double rps, double p50Ms, double p99Ms, long requests, long non2xx) {
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);

    private final Path scripts;

    Wrk(Path scripts) {
        this.scripts = scripts;
    }

    /** {@code lua} may be null (a plain GET of {@code url}). */
    Result run(String url, String lua, int connections, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency"));
        if (lua != null) {
            Path script = Files.createTempFile(scripts, "wrk", ".lua");
            Files.writeString(script, lua);
            command.addAll(List.of("-s", script.toString()));
        }
        command.add(url);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 0.001;
                case "ms" -> 1;
                default -> 1000;
            };
            if (m.group(1).equals("50")) {
                p50 = v;
            } else {
                p99 = v;
            }
        }
        return new Result(number(RPS, out), p50, p99, (long) number(TOTAL, out), (long) numberOr(NON_2XX, out, 0));
    }

    /**
     * The script {@code paced} builds (from a per-connection delay in ms) at about {@code rps}. Each
     * connection's cycle at that rate is 4 ms or more (as many connections as that takes, at least
     * {@code connections}). A cycle is the delay plus the answer's latency, and wrk's timer counts
     * whole milliseconds, so a 3-s round at the nominal delay first measures how far the rate
     * misses, and the measured run corrects the delay by that much.
     */
    Result paced(String url, DoubleFunction<String> paced, int connections, int seconds, double rps) throws IOException, InterruptedException {
        int conns = Math.max(connections, (int) Math.ceil(rps * 0.004));
        double cycleMs = conns * 1000.0 / rps;
        Result first = run(url, paced.apply(cycleMs), conns, 3);
        double delayMs = first.rps() > 0 ? 2 * cycleMs - conns * 1000.0 / first.rps() : 0;
        if (delayMs < 1) {
            throw new IllegalStateException(String.format(Locale.ROOT, "cannot pace %,.0f req/s: %d connections made %,.0f req/s with a %.2f-ms delay",
                    rps, conns, first.rps(), cycleMs));
        }
        return run(url, paced.apply(delayMs), conns, seconds);
    }

    private static double number(Pattern p, String out) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unexpected wrk output: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double numberOr(Pattern p, String out, double otherwise) {
        Matcher m = p.matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : otherwise;
    }

    /** A Lua string literal. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
