package dev.mkto.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** One mkto-server process started from the built jar on a fresh data directory, as a user starts it. */
final class ServerUnderTest implements AutoCloseable {

    /** The system property naming the launcher's JVM options file; default {@code server/jvm.options} under the working directory. */
    static final String LAUNCHER_OPTIONS = "mkto.jvm.options";

    private static final Pattern PORT = Pattern.compile("on port (\\d+) ");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final Process process;
    private final int port;
    private final long startedNanos;
    private final long readyNanos;

    private ServerUnderTest(Process process, int port, long startedNanos, long readyNanos) {
        this.process = process;
        this.port = port;
        this.startedNanos = startedNanos;
        this.readyNanos = readyNanos;
    }

    /**
     * Starts the server as bin/mkto-server does, with the launcher's JVM options (the @-file
     * {@link #LAUNCHER_OPTIONS} names) and then {@code jvmOptions} before {@code -jar}, and
     * {@code args} after the data directory and seed.
     */
    static ServerUnderTest start(Path jar, Path dataDir, Path seed, List<String> args, List<String> jvmOptions) throws IOException {
        Path launcherOptions = Path.of(System.getProperty(LAUNCHER_OPTIONS, "server/jvm.options")).toAbsolutePath();
        if (!Files.isRegularFile(launcherOptions)) {
            throw new IllegalStateException("no " + launcherOptions + ": run from the repository's root, or name the file with -D"
                    + LAUNCHER_OPTIONS + "=PATH");
        }
        List<String> command = new ArrayList<>(List.of(javaTool("java"), "@" + launcherOptions));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--port", "0", "--data-dir", dataDir.toString(), "--seed", seed.toString()));
        command.addAll(args);
        Files.createDirectories(dataDir);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            Integer found = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = PORT.matcher(line);
                    if (found == null && m.find()) {
                        found = Integer.parseInt(m.group(1));
                    }
                    if (line.equals("ready") && found != null) {
                        ready.complete(found);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("mkto-server exited before it was ready; see " + log));
        });
        try {
            int port = ready.get(10, TimeUnit.MINUTES);
            return new ServerUnderTest(p, port, started, System.nanoTime());
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("mkto-server did not start: " + e.getMessage(), e);
        }
    }

    static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

        String base() {
        return "http://127.0.0.1:" + port;
    }

    /** From spawning the process until it printed "ready". */
    Duration startup() {
        return Duration.ofNanos(readyNanos - startedNanos);
    }

    long startedNanos() {
        return startedNanos;
    }

    /** Resident set size of the server process, in MB. */
    double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    /** Java heap in use after a full collection, in MB (jcmd GC.run, then GC.heap_info). */
    double heapAfterGcMb() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("unexpected GC.heap_info: " + info);
        }
        return Long.parseLong(m.group(1)) / 1024.0;
    }

    /** Shares of the server's sampled CPU and of its sampled allocation (bytes), between 0 and 1. */
    record Share(double cpu, double allocation) {
    }

    /**
     * What code of classes named {@code prefix}… takes of the server while {@code load} runs, from a
     * JFR recording written to {@code recording}: its share of the execution samples (every
     * millisecond; GC, JIT and native time are not sampled) and of the sampled allocation.
     */
    Share share(String prefix, Path recording, Callable<?> load) throws Exception {
        String started = jcmd("JFR.start name=share settings=profile jdk.ExecutionSample#period=1ms filename=" + recording);
        if (!started.contains("Started recording")) {
            throw new IllegalStateException("JFR did not start in the server: " + started.strip());
        }
        try {
            load.call();
        } finally {
            jcmd("JFR.stop name=share");
        }
        long samples = 0;
        long samplesIn = 0;
        long bytes = 0;
        long bytesIn = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (e.getStackTrace() == null) {
                continue;
            }
            boolean in = e.getStackTrace().getFrames().stream()
                    .anyMatch(f -> f.isJavaFrame() && f.getMethod().getType().getName().startsWith(prefix));
            switch (e.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    samples++;
                    samplesIn += in ? 1 : 0;
                }
                case "jdk.ObjectAllocationSample" -> {
                    bytes += e.getLong("weight");
                    bytesIn += in ? e.getLong("weight") : 0;
                }
                default -> {
                }
            }
        }
        if (samples == 0 || bytes == 0) {
            throw new IllegalStateException("no execution or allocation samples in " + recording);
        }
        return new Share((double) samplesIn / samples, (double) bytesIn / bytes);
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process j = new ProcessBuilder(javaTool("jcmd"), Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (j.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out.strip());
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
