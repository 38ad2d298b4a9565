package dev.mkto.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mkto-server as a separate process (this JVM's java and class path, {@code dev.mkto.server.Main}),
 * for tests of several processes sharing one database. Waits for "ready"; stops with SIGTERM.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("on port (\\d+) ");

    private final Process process;
    private final int port;
    private final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ServerProcess(List<String> args, Map<String, String> env, Path log) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.mkto.server.Main"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            Integer found = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = PORT.matcher(line);
                    if (m.find()) {
                        found = Integer.parseInt(m.group(1));
                    }
                    if (line.equals("ready")) {
                        ready.complete(found);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.completeExceptionally(new IllegalStateException("mkto-server exited before it was ready: " + output));
        });
        try {
            this.port = ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("mkto-server did not start: " + output + " (see " + log + ")", e);
        }
    }

    public int port() {
        return port;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public Api api() {
        return new Api(base());
    }

    /** Kills the process at once (SIGKILL): nothing is flushed, as in a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
