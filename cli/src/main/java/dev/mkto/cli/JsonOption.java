package dev.mkto.cli;

import picocli.CommandLine.Option;

/** {@code --json}, mixed into every command: one JSON document on standard output and nothing else. */
public final class JsonOption {

    private final Context ctx;

    public JsonOption(Context ctx) {
        this.ctx = ctx;
    }

    @Option(names = "--json", description = "Print one JSON document on standard output and nothing else (notes and progress go to standard error).")
    void json(boolean json) {
        if (json) {
            ctx.json(true);
        }
    }
}
