package dev.mkto.cli.auth;

import dev.mkto.cli.Context;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --auth NAME}, mixed into every command that calls Marketo. */
public final class AuthOption {

    private final Context ctx;

    @Option(names = {"-a", "--auth"}, paramLabel = "NAME",
            description = "The saved authentication to use (default: MKTO_AUTH, else the one chosen with 'mkto auth use', else the only one).")
    @Nullable String name;

    public AuthOption(Context ctx) {
        this.ctx = ctx;
    }

    /** The authentication this command uses. */
    public Authentication resolve() {
        return new Authentications(ctx).resolve(name);
    }
}
