package dev.mkto.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs mkto in-process as a person or script would, with its own home directory, environment,
 * standard input and typed answers, and captures what it prints and its exit code.
 */
public final class Cli {

    /** What one run printed and returned. */
    public record Result(int code, String out, String err) {
        public JsonNode json() {
            return JsonMapper.builder().build().readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> env;
    private final Deque<String> answers = new ArrayDeque<>();
    private String stdin = "";
    private boolean terminal;
    private long stdoutLimit = -1;

    private Cli(Map<String, String> env) {
        this.env = env;
    }

    /** A fresh home directory and a random vault key in MKTO_VAULT_KEY; no OS keyring. */
    public static Cli fresh() {
        try {
            Path home = Files.createTempDirectory("mkto-cli-test");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Map<String, String> env = new HashMap<>();
            env.put("MKTO_HOME", home.toString());
            env.put("HOME", home.toString());
            env.put("MKTO_VAULT_KEY", Base64.getEncoder().encodeToString(key));
            env.put("MKTO_KEYRING", "off");
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            return new Cli(env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path home() {
        return Path.of(env.get("MKTO_HOME"));
    }

    public Map<String, String> env() {
        return env;
    }

    public Cli env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    /** Standard input of the next runs. */
    public Cli stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** Answers typed at the next prompts, in order (no answers: nobody at a terminal). */
    public Cli answers(String... typed) {
        answers.addAll(List.of(typed));
        return this;
    }

    public Cli terminal(boolean terminal) {
        this.terminal = terminal;
        return this;
    }

    /** Standard output of the next runs fails after this many bytes, as a pipe does when its reader ({@code head}) is gone. */
    public Cli stdoutClosedAfter(long bytes) {
        this.stdoutLimit = bytes;
        return this;
    }

    public Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long limit = stdoutLimit;
        java.io.OutputStream stdout = limit < 0 ? out : new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (out.size() + len > limit) {
                    throw new IOException("Broken pipe");
                }
                out.write(b, off, len);
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Prompter prompter = prompt -> answers.isEmpty() ? Optional.empty() : Optional.of(answers.removeFirst().toCharArray());
        Context ctx = new Context(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), prompter, terminal,
                InstantSource.system());
        int code = Mkto.run(ctx, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The context a run would get (for tests of classes below the commands). */
    public Context context() {
        return new Context(env, new ByteArrayInputStream(new byte[0]), System.out, System.err, prompt -> Optional.empty(), false,
                InstantSource.system());
    }
}
