package dev.mkto.cli.vault;

import dev.mkto.cli.CliException;
import dev.mkto.cli.ExitCode;

/** The vault could not be opened: its key is wrong (exit 5), or it cannot be read at all (exit 6). */
public final class VaultException extends CliException {

    private static final long serialVersionUID = 1L;

    private VaultException(int exitCode, String message) {
        super(exitCode, message, null);
    }

    static VaultException wrongKey(String message) {
        return new VaultException(ExitCode.VAULT_KEY, message);
    }

    static VaultException unreadable(String message) {
        return new VaultException(ExitCode.VAULT_UNREADABLE, message);
    }

    /** True for a wrong key (as opposed to a damaged or unreadable vault). */
    public boolean wrongKey() {
        return exitCode() == ExitCode.VAULT_KEY;
    }
}
