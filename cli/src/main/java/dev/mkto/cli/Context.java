package dev.mkto.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/**
 * What one run of mkto works with: its environment, home directory, streams, a way to ask for
 * secrets and a clock. Commands never read {@code System.getenv} or {@code System.out} directly,
 * so tests run them in-process with their own.
 */
public final class Context {

    private final Map<String, String> env;
    private final Path home;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Prompter prompter;
    private final boolean terminal;
    private final InstantSource clock;
    private boolean json;

    public Context(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Prompter prompter, boolean terminal,
                   InstantSource clock) {
        this.env = Map.copyOf(env);
        this.in = in;
        this.out = out;
        this.err = err;
        this.prompter = prompter;
        this.terminal = terminal;
        this.clock = clock;
        String configured = env.get("MKTO_HOME");
        this.home = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".mkto");
    }

    /** The process's own environment and streams. */
    public static Context system() {
        return new Context(System.getenv(), System.in, System.out, System.err, Prompter.console(), isTerminal(), InstantSource.system());
    }

    /** Whether a person is at a terminal: a console exists and (Java 22+) it is a terminal, not a pipe. */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22 a console exists only on a terminal
        }
    }

    /** An environment variable, if set and not blank. */
    public Optional<String> env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public Map<String, String> environment() {
        return env;
    }

    /** {@code $MKTO_HOME}, by default {@code ~/.mkto}: the vault and the configuration. */
    public Path home() {
        return home;
    }

    public InputStream in() {
        return in;
    }

    /** Standard output: results only (with {@code --json}, one JSON document). */
    public PrintStream out() {
        return out;
    }

    /** Standard error: notes, warnings, progress. */
    public PrintStream err() {
        return err;
    }

    public Prompter prompter() {
        return prompter;
    }

    /** Whether a person is watching (progress is redrawn in place rather than printed line by line). */
    public boolean terminal() {
        return terminal;
    }

    public InstantSource clock() {
        return clock;
    }

    public boolean json() {
        return json;
    }

    void json(boolean json) {
        this.json = json;
    }

    /** A note for a person on standard error (never a secret). */
    public void note(String message) {
        err.println(message);
    }

    /** Resolves a path given on the command line (relative to the working directory). */
    public Path path(String given) {
        return Path.of(given).toAbsolutePath();
    }

    @Override
    public String toString() {
        return "Context[home=" + home + "]";
    }

}
