package dev.mkto.cli.vault;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The OS keyring, where there is one: on Linux the Secret Service through {@code secret-tool}
 * (libsecret), found on {@code PATH}. Absent, switched off ({@code MKTO_KEYRING=off}) or failing
 * (no session bus, a locked keyring nobody can unlock), it is simply not used: every call answers
 * empty or false, and the vault falls back to a passphrase.
 */
final class Keyring {

    private static final String SERVICE = "mkto-vault";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final @Nullable Path tool;
    private final Map<String, String> env;
    private final Duration timeout;

    Keyring(Map<String, String> env) {
        this(env, TIMEOUT);
    }

    Keyring(Map<String, String> env, Duration timeout) {
        this.env = env;
        this.timeout = timeout;
        this.tool = "off".equalsIgnoreCase(env.getOrDefault("MKTO_KEYRING", "")) ? null : find(env.get("PATH"));
    }

    boolean available() {
        return tool != null;
    }

    /** What the tool is, for messages. */
    String describe() {
        return tool == null ? "no OS keyring" : "the OS keyring (" + tool.getFileName() + ")";
    }

    /** The key stored for this vault, if the keyring has one. */
    Optional<String> lookup(Path vault) {
        if (tool == null) {
            return Optional.empty();
        }
        Optional<String> out = run(null, "lookup", "service", SERVICE, "vault", vault.toAbsolutePath().toString());
        return out.map(String::strip).filter(s -> !s.isEmpty());
    }

    /** Stores the key for this vault; false when the keyring would not take it. */
    boolean store(Path vault, String key) {
        if (tool == null) {
            return false;
        }
        String path = vault.toAbsolutePath().toString();
        return run(key, "store", "--label", "mkto vault key (" + path + ")", "service", SERVICE, "vault", path).isPresent();
    }

    private Optional<String> run(@Nullable String input, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = String.valueOf(tool);
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            try (OutputStream stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            // the tool answers one short line, which the pipe holds until it exits: waiting first gives up on a tool that
            // hangs (a locked keyring whose prompt nobody answers) instead of reading from it for ever
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            byte[] out = p.getInputStream().readAllBytes();
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static @Nullable Path find(@Nullable String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "secret-tool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
