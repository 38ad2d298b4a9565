package dev.mkto.cli.auth;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where a secret comes from: never an argument (it would show in {@code ps} and the shell's
 * history), but a prompt without echo, standard input, or an environment variable named here.
 */
public final class SecretInput {

    private final Context ctx;

    @Option(names = "--secret-stdin", description = "Read the client secret from standard input (its first line).")
    boolean stdin;

    @Option(names = "--secret-env", paramLabel = "VAR", description = "Read the client secret from the environment variable VAR.")
    @Nullable String env;

    public SecretInput(Context ctx) {
        this.ctx = ctx;
    }

    /** The secret, from the chosen source; a usage error when there is none. */
    public String read(String prompt) {
        if (stdin && env != null) {
            throw CliException.usage("give the secret one way: --secret-stdin or --secret-env, not both");
        }
        String secret;
        if (stdin) {
            secret = firstLine();
        } else if (env != null) {
            secret = ctx.env(env).orElseThrow(() -> CliException.usage("the environment variable " + env + " is not set"));
        } else {
            char[] typed = ctx.prompter().secret(prompt)
                    .orElseThrow(() -> CliException.usage("no terminal to ask for the secret: pass it with --secret-stdin or --secret-env VAR"));
            secret = new String(typed);
            java.util.Arrays.fill(typed, '\0');
        }
        secret = secret.strip();
        if (secret.isEmpty()) {
            throw CliException.usage("the secret is empty");
        }
        return secret;
    }

    private String firstLine() {
        try {
            String all = new String(ctx.in().readAllBytes(), StandardCharsets.UTF_8);
            int nl = all.indexOf('\n');
            return nl < 0 ? all : all.substring(0, nl);
        } catch (IOException e) {
            throw CliException.usage("cannot read the secret from standard input: " + e.getMessage());
        }
    }
}
