package dev.mkto.client.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real mkto-server process for tests of the integration side: started from the test class path
 * on a JDK 25+, on a free port, with a fresh embedded database in a temporary directory and a
 * known admin credential. Tests talk to it over HTTP only, as an integration talks to Marketo.
 *
 * <p>The JDK is the {@code mkto.server.java} system property (set by the build from
 * {@code mkto.jdk25.home}), else the first JDK 25+ under {@code /usr/lib/jvm}. The test class path
 * must hold mkto-server and its libraries: a module using this fixture declares a test-scoped
 * dependency on {@code dev.mkto:mkto-server}, as mkto-client does.
 */
public final class ServerProcess implements AutoCloseable {

    public static final String ADMIN_TOKEN = "client-tests-admin-token-0123456789";

    private static final Pattern PORT = Pattern.compile("mkto-server .* on port (\\d+) ");
    private static final long START_TIMEOUT_SECONDS = 90;

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final ServerAdmin admin;

    private ServerProcess(List<Path> seeds, Map<String, String> env) {
        try {
            dataDir = Files.createTempDirectory("mkto-client-test");
            log = dataDir.resolve("server.log");
            List<String> command = new ArrayList<>(List.of(java().toString(), "-XX:+UseSerialGC", "-Xmx384m",
                    "-cp", classPath(), "dev.mkto.server.Main", "--port", "0", "--data-dir", dataDir.resolve("data").toString()));
            for (Path seed : seeds) {
                command.addAll(List.of("--seed", seed.toString()));
            }
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
            pb.environment().put("MKTO_ADMIN_TOKEN", ADMIN_TOKEN);
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start mkto-server", e);
        }
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> readStdout(ready), "mkto-server-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            port = ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while mkto-server started", e);
        } catch (ExecutionException | TimeoutException e) {
            String tail = logTail();
            close();
            throw new IllegalStateException("mkto-server did not become ready: " + e.getMessage() + "\n" + tail, e);
        }
        admin = new ServerAdmin(baseUrl(), ADMIN_TOKEN);
    }

    /** A server with no seed. */
    public static ServerProcess start() {
        return new ServerProcess(List.of(), Map.of());
    }

    /** A server started with these seed files and extra environment variables. */
    public static ServerProcess start(List<Path> seeds, Map<String, String> env) {
        return new ServerProcess(seeds, env);
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}, the base URL (Marketo's {@code https://…mktorest.com}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The REST endpoint, as Marketo's Web Services page shows it. */
    public String restEndpoint() {
        return baseUrl() + "/rest";
    }

    public ServerAdmin admin() {
        return admin;
    }

    /** The server's log (standard error) so far. */
    public String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private void readStdout(CompletableFuture<Integer> ready) {
        Integer found = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
            ready.completeExceptionally(new IllegalStateException("mkto-server exited"
                    + (process.isAlive() ? "" : " with code " + process.waitFor())));
        } catch (IOException | InterruptedException e) {
            ready.completeExceptionally(e);
        }
    }

    /** The test class path: surefire's real one (its own JVM sees only a manifest jar). */
    private static String classPath() {
        return Optional.ofNullable(System.getProperty("surefire.test.class.path")).filter(s -> !s.isBlank())
                .orElse(System.getProperty("java.class.path"));
    }

    /** The configured JDK 25+, or the first one found under /usr/lib/jvm. */
    static Path java() {
        String configured = System.getProperty("mkto.server.java");
        if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
            return Path.of(configured);
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.sorted(Comparator.reverseOrder())
                    .filter(jdk -> Files.isExecutable(jdk.resolve("bin/java")) && feature(jdk) >= 25)
                    .map(jdk -> jdk.resolve("bin/java"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("mkto-server needs a JDK 25+: set -Dmkto.server.java=/path/to/bin/java"
                            + " (configured: " + configured + ") or install one under /usr/lib/jvm"));
        } catch (IOException e) {
            throw new IllegalStateException("mkto-server needs a JDK 25+: set -Dmkto.server.java (configured: " + configured + ")", e);
        }
    }

    /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"} → 25), or 0. */
    private static int feature(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
