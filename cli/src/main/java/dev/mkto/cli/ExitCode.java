package dev.mkto.cli;

/**
 * mkto's exit codes, the table in docs/cli.md. Scripts can rely on them: a code's meaning never
 * changes, new ones are only added.
 */
public final class ExitCode {

    /** It worked (for {@code auth test}: the diagnosis is OK). */
    public static final int OK = 0;
    /** A bad command line or bad input: unknown option, missing authentication, a CSV column mapping to no field. */
    public static final int USAGE = 1;
    /** Marketo (or the admin API) answered and refused: the message carries its code (603, 607, 1003, 401 …). */
    public static final int REFUSED = 2;
    /** No answer: the host did not resolve, refused the connection, timed out or failed TLS. */
    public static final int UNREACHABLE = 3;
    /** {@code auth test}: the connection does not work; the diagnosis says why. */
    public static final int DIAGNOSIS = 4;
    /** The vault key is wrong. */
    public static final int VAULT_KEY = 5;
    /** The vault cannot be read: damaged, truncated, not a vault, or no key could be had. */
    public static final int VAULT_UNREADABLE = 6;
    /** The work finished, but some records were rejected (import: see the rejects file). */
    public static final int REJECTED = 7;
    /** Standard output was closed before the output was complete (a pipe whose reader, e.g. {@code head}, is gone): 128 + SIGPIPE. */
    public static final int OUTPUT_CLOSED = 141;
    /** A bug: an error mkto did not expect. */
    public static final int INTERNAL = 70;

    private ExitCode() {
    }
}
