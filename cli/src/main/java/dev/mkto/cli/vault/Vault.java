package dev.mkto.cli.vault;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One encrypted file holding mkto's secrets ({@code $MKTO_HOME/vault}): read whole, changed under
 * a lock, replaced atomically with owner-only permissions. The key comes, in this order, from
 * {@code MKTO_VAULT_KEY} (base64 of 32 bytes, or a passphrase), the OS keyring, or a passphrase
 * typed at a prompt. See {@link VaultFile} for the format.
 */
public final class Vault {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final Path file;
    private final Context ctx;
    private final Keyring keyring;
    private AtomicFiles.BeforeRename beforeRename = AtomicFiles.BeforeRename.NONE;
    private VaultFile.@Nullable Header header;
    private VaultFile.@Nullable Keys keys;
    private String keySource = "the key";

    public Vault(Path file, Context ctx) {
        this.file = file;
        this.ctx = ctx;
        this.keyring = new Keyring(ctx.environment());
    }

    /** The vault of this context: {@code $MKTO_HOME/vault}. */
    public static Vault of(Context ctx) {
        return new Vault(ctx.home().resolve("vault"), ctx);
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /** The plaintext, or empty when there is no vault yet. */
    public Optional<byte[]> read() {
        byte[] bytes = readFile();
        return bytes == null ? Optional.empty() : Optional.of(open(bytes));
    }

    /**
     * Reads the plaintext (empty array when there is no vault yet), applies {@code change} and
     * writes the result, holding a lock so that two mkto processes never lose each other's change.
     */
    public void update(UnaryOperator<byte[]> change) {
        AtomicFiles.createPrivateDirectoriesQuietly(file.toAbsolutePath().getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        // file locks are held per process: threads of one process take turns on this first
        ReentrantLock local = LOCAL.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new ReentrantLock());
        local.lock();
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            AtomicFiles.removeLeftovers(file);
            byte[] current = readFile();
            byte[] plaintext = current == null ? new byte[0] : open(current);
            byte[] next = change.apply(plaintext);
            if (current == null) {
                create();
            }
            AtomicFiles.write(file, VaultFile.encrypt(next, header, keys), beforeRename);
        } catch (IOException e) {
            throw new CliException(ExitCode.VAULT_UNREADABLE, "cannot write the vault " + file + ": " + e.getMessage(), null);
        } finally {
            local.unlock();
        }
    }

    /** For tests: what runs between writing the new vault and renaming it into place. */
    void beforeRename(AtomicFiles.BeforeRename hook) {
        this.beforeRename = hook;
    }

    private byte @Nullable [] readFile() {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CliException(ExitCode.VAULT_UNREADABLE, "cannot read the vault " + file + ": " + e.getMessage(), null);
        }
    }

    private byte[] open(byte[] bytes) {
        VaultFile.Header h = VaultFile.header(bytes, file.toString());
        if (keys == null || header == null || !header.sameKey(h)) {
            Source source = keyFor(h);
            this.keys = source.keys();
            this.keySource = source.name();
        }
        this.header = h;
        return VaultFile.decrypt(bytes, h, keys, file.toString(), keySource);
    }

    private record Source(String name, VaultFile.Keys keys) {
    }

    /** The key for an existing vault, from the first source that has one. */
    private Source keyFor(VaultFile.Header h) {
        Optional<String> env = ctx.env("MKTO_VAULT_KEY");
        if (env.isPresent()) {
            if (h.passphrase()) {
                return new Source("MKTO_VAULT_KEY", VaultFile.Keys.passphrase(env.get().toCharArray(), h));
            }
            byte[] raw = rawKey(env.get());
            if (raw == null) {
                throw VaultException.wrongKey("the vault key is wrong: the vault " + file + " is locked with a random 256-bit key,"
                        + " and MKTO_VAULT_KEY is not one (base64 of 32 bytes)");
            }
            return new Source("MKTO_VAULT_KEY", VaultFile.Keys.raw(raw));
        }
        if (!h.passphrase()) {
            Optional<String> stored = keyring.lookup(file);
            byte[] raw = stored.map(Vault::rawKey).orElse(null);
            if (raw != null) {
                return new Source(keyring.describe(), VaultFile.Keys.raw(raw));
            }
            throw VaultException.unreadable("no key for the vault " + file + ": it is locked with a random 256-bit key, which is"
                    + " neither in MKTO_VAULT_KEY nor in " + (keyring.available() ? keyring.describe() : "an OS keyring (none found)"));
        }
        char[] passphrase = ctx.prompter().secret("Vault passphrase: ")
                .orElseThrow(() -> VaultException.unreadable("no key for the vault " + file + ": set MKTO_VAULT_KEY to its passphrase,"
                        + " or run mkto in a terminal to type it"));
        try {
            return new Source("the passphrase", VaultFile.Keys.passphrase(passphrase, h));
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }

    /** Chooses the key for a new vault: MKTO_VAULT_KEY, else a random key kept in the OS keyring, else a new passphrase. */
    private void create() {
        Optional<String> env = ctx.env("MKTO_VAULT_KEY");
        if (env.isPresent()) {
            byte[] raw = rawKey(env.get());
            if (raw != null) {
                header = VaultFile.Header.fresh(false);
                keys = VaultFile.Keys.raw(raw);
            } else {
                requireStrong(env.get().toCharArray(), "MKTO_VAULT_KEY");
                header = VaultFile.Header.fresh(true);
                keys = VaultFile.Keys.passphrase(env.get().toCharArray(), header);
            }
            return;
        }
        if (keyring.available()) {
            byte[] raw = new byte[32];
            RANDOM.nextBytes(raw);
            if (keyring.store(file, Base64.getEncoder().encodeToString(raw))) {
                header = VaultFile.Header.fresh(false);
                keys = VaultFile.Keys.raw(raw);
                ctx.note("Created the vault " + file + "; its key is kept in " + keyring.describe() + ".");
                return;
            }
        }
        char[] first = ctx.prompter().secret("New vault passphrase: ")
                .orElseThrow(() -> VaultException.unreadable("no key for a new vault: set MKTO_VAULT_KEY (base64 of 32 bytes, or a"
                        + " passphrase), or run mkto in a terminal to choose a passphrase"));
        requireStrong(first, "the passphrase");
        char[] again = ctx.prompter().secret("Repeat the passphrase: ").orElse(new char[0]);
        if (!Arrays.equals(first, again)) {
            throw CliException.usage("the two passphrases differ; nothing was saved");
        }
        header = VaultFile.Header.fresh(true);
        keys = VaultFile.Keys.passphrase(first, header);
        Arrays.fill(first, '\0');
        Arrays.fill(again, '\0');
        ctx.note("Created the vault " + file + ", locked with your passphrase.");
    }

    private static void requireStrong(char[] passphrase, String what) {
        if (passphrase.length < 8) {
            throw CliException.usage(what + " is too short for a vault passphrase: use at least 8 characters (or base64 of 32 random bytes)");
        }
    }

    /** The 32 bytes a base64 text stands for, or null when it is not base64 of 32 bytes. */
    static byte @Nullable [] rawKey(String text) {
        try {
            byte[] b = Base64.getDecoder().decode(text.strip());
            return b.length == 32 ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
