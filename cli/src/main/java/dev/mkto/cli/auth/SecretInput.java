package dev.mkto.cli.auth;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where a secret comes from: never an argument (it would show in {@code ps} and the shell's
 * history), but a prompt without echo, standard input, or an environment variable named here.
 */
public final class SecretInput {

    /** A conventional variable name; Marketo's secrets are 32 mixed-case letters and digits, so none looks like one. */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");

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
            String name = env;
            secret = ctx.env(name).orElseThrow(() -> CliException.usage(VARIABLE_NAME.matcher(name).matches()
                    ? "the environment variable " + name + " is not set"
                    // most likely the secret itself ($VAR expanded by the shell): not repeated
                    : "--secret-env takes the name of an environment variable (e.g. --secret-env MKTO_CLIENT_SECRET), not its value;"
                            + " no variable by the name given is set"));
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
