package dev.mkto.cli.vault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files replaced whole or not at all: the new content goes to a temporary file in the same
 * directory (owner-only permissions from the start), is forced to disk, and is renamed over the
 * target; then the directory is forced, so the rename itself survives a power cut. A crash at any
 * point leaves either the old file or the new one, never a mixture.
 */
public final class AtomicFiles {

    /** What runs between the write and the rename; tests use it to stand for a crash there. */
    @FunctionalInterface
    public interface BeforeRename {
        BeforeRename NONE = temp -> {
        };

        void run(Path temp) throws IOException;
    }

    static final String TEMP_SUFFIX = ".tmp";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code bytes} atomically, readable and writable by the owner only. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, BeforeRename.NONE);
    }

    static void write(Path target, byte[] bytes, BeforeRename beforeRename) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        createPrivateDirectories(dir);
        Path temp = POSIX
                ? Files.createTempFile(dir, target.getFileName() + ".", TEMP_SUFFIX, PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, target.getFileName() + ".", TEMP_SUFFIX);
        boolean renamed = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            beforeRename.run(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot replace files atomically", e);
            }
            renamed = true;
            forceDirectory(dir);
        } finally {
            if (!renamed) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Creates the directory and its missing parents; ones it creates are owner-only. */
    public static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_DIR);
            Files.createDirectories(dir, attr);
        } else {
            Files.createDirectories(dir);
        }
    }

    static void createPrivateDirectoriesQuietly(Path dir) {
        try {
            createPrivateDirectories(dir);
        } catch (IOException e) {
            // the write that follows reports it
        }
    }

    /** Temporary files a crashed writer left beside {@code target}. */
    static void removeLeftovers(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        String prefix = target.getFileName() + ".";
        try (var files = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix)
                && p.getFileName().toString().endsWith(TEMP_SUFFIX))) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Whether {@code file} is readable or writable by anyone but its owner (always false where POSIX permissions do not exist). */
    public static boolean openToOthers(Path file) throws IOException {
        if (!POSIX) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        return p.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"));
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open a directory; the rename is still atomic there
        }
    }
}
