package dev.mkto.cli;

import org.jspecify.annotations.Nullable;

/**
 * The one unchecked root of mkto's failures: a message for a person, an exit code for a script,
 * and where there is one, the code the API answered with. Mapped to output in exactly one place
 * ({@link Mkto}). Messages never carry a secret.
 */
public class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final @Nullable String code;

    public CliException(int exitCode, String message, @Nullable String code) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.code = code;
    }

    /** Bad command line or input (exit 1). */
    public static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message, null);
    }

    /** The API answered and refused (exit 2), with its code. */
    public static CliException refused(String message, @Nullable String code) {
        return new CliException(ExitCode.REFUSED, message, code);
    }

    /** No answer (exit 3). */
    public static CliException unreachable(String message) {
        return new CliException(ExitCode.UNREACHABLE, message, null);
    }

    public int exitCode() {
        return exitCode;
    }

    /** The API's code (e.g. {@code 603}, {@code invalid_client}, HTTP {@code 409}), if the failure came with one. */
    public @Nullable String code() {
        return code;
    }
}
