package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file mkto is to write, checked before anything is asked of Marketo: its directory exists and
 * a file can be created in it (tried, not inferred from permissions: root "may write" to /proc),
 * and it is not a directory. Otherwise a usage error (exit 1) that names the file, why, and the
 * option that chooses another.
 */
final class WritableFile {

    private WritableFile() {
    }

    /** {@code what} names the file ("the output file"), {@code option} how to choose another ("-o FILE"). */
    static void check(Path file, String what, String option) {
        Path dir = file.toAbsolutePath().getParent();
        String why = null;
        if (Files.isDirectory(file)) {
            why = "it is a directory";
        } else if (dir == null || !Files.isDirectory(dir)) {
            why = "there is no directory " + dir;
        } else {
            try {
                Files.delete(Files.createTempFile(dir, ".mkto-", ".probe"));
            } catch (IOException e) {
                why = "no file can be created in " + dir + " (" + reason(e) + ")";
            }
        }
        if (why != null) {
            throw CliException.usage(what + " " + file + " cannot be written (" + why + "); nothing was done. Choose another with "
                    + option);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
