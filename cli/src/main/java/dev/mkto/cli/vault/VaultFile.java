package dev.mkto.cli.vault;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The vault's bytes on disk. An authenticated header, then AES-256-GCM ciphertext:
 *
 * <pre>
 *   magic "MKTOVAULT" (9)  version (1)  kdf (1)  iterations (4)  salt (16)  key check (16)  nonce (12)  ciphertext + tag
 * </pre>
 *
 * {@code kdf} 0 is a random 256-bit key (from {@code MKTO_VAULT_KEY} as base64, or the OS
 * keyring); 1 is PBKDF2-HMAC-SHA256 of a passphrase with the header's salt and iterations. The
 * master key yields two keys (HMAC-SHA256 with fixed labels): one encrypts, the other computes
 * the key check, which tells a wrong key (exit 5) from a damaged file (exit 6). The whole header
 * is the cipher's associated data, so changing any of it fails decryption. Every write uses a
 * fresh random nonce; GCM releases no plaintext unless the tag verifies, so nothing is ever
 * partially read.
 */
final class VaultFile {

    static final byte KDF_RAW = 0;
    static final byte KDF_PBKDF2 = 1;
    static final int PBKDF2_ITERATIONS = 600_000;

    private static final byte[] MAGIC = "MKTOVAULT".getBytes(StandardCharsets.US_ASCII);
    private static final byte VERSION = 1;
    private static final int SALT = 16;
    private static final int CHECK = 16;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final int PREFIX = MAGIC.length + 1 + 1 + 4 + SALT;
    private static final int HEADER = PREFIX + CHECK + NONCE;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the header says about the key, read before any key is asked for. */
    record Header(byte kdf, int iterations, byte[] salt) {
        boolean passphrase() {
            return kdf == KDF_PBKDF2;
        }

        /** Whether a key derived for this header also opens {@code other} (same derivation and salt). */
        boolean sameKey(Header other) {
            return kdf == other.kdf && iterations == other.iterations && Arrays.equals(salt, other.salt);
        }

        static Header fresh(boolean passphrase) {
            byte[] salt = new byte[SALT];
            RANDOM.nextBytes(salt);
            return new Header(passphrase ? KDF_PBKDF2 : KDF_RAW, passphrase ? PBKDF2_ITERATIONS : 0, salt);
        }
    }

    /** A master key for one header: the raw key, or the passphrase derived with the header's salt. */
    static final class Keys {
        private final byte[] encryption;
        private final byte[] check;

        private Keys(byte[] master) {
            this.encryption = hmac(master, "mkto vault v1 encryption");
            this.check = hmac(master, "mkto vault v1 key check");
            Arrays.fill(master, (byte) 0);
        }

        static Keys raw(byte[] key) {
            if (key.length != 32) {
                throw new IllegalArgumentException("a vault key is 32 bytes");
            }
            return new Keys(key.clone());
        }

        static Keys passphrase(char[] passphrase, Header header) {
            try {
                PBEKeySpec spec = new PBEKeySpec(passphrase, header.salt(), header.iterations(), 256);
                byte[] master = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
                spec.clearPassword();
                return new Keys(master);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
            }
        }
    }

    private VaultFile() {
    }

    /** The header of a vault file; {@link VaultException} (unreadable) when it is not one. */
    static Header header(byte[] file, String where) {
        if (file.length < HEADER + TAG_BITS / 8 || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
            throw VaultException.unreadable("the vault " + where + " is damaged or not an mkto vault (" + file.length
                    + " bytes, " + (file.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)
                    ? "truncated" : "no vault header") + "); nothing was read from it");
        }
        ByteBuffer b = ByteBuffer.wrap(file, MAGIC.length, PREFIX - MAGIC.length);
        byte version = b.get();
        if (version != VERSION) {
            throw VaultException.unreadable("the vault " + where + " has format version " + version
                    + ", which this mkto does not know; use a newer mkto");
        }
        byte kdf = b.get();
        int iterations = b.getInt();
        byte[] salt = new byte[SALT];
        b.get(salt);
        if (kdf != KDF_RAW && kdf != KDF_PBKDF2 || kdf == KDF_PBKDF2 && (iterations < 1_000 || iterations > 100_000_000)) {
            throw VaultException.unreadable("the vault " + where + " is damaged: its header names no known key derivation");
        }
        return new Header(kdf, iterations, salt);
    }

    /** The plaintext; {@link VaultException} for a wrong key or a damaged file. */
    static byte[] decrypt(byte[] file, Header header, Keys keys, String where, String keySource) {
        byte[] prefix = Arrays.copyOf(file, PREFIX);
        byte[] check = Arrays.copyOfRange(file, PREFIX, PREFIX + CHECK);
        if (!MessageDigest.isEqual(check, keyCheck(keys, prefix))) {
            throw VaultException.wrongKey("the vault key is wrong: " + keySource + " does not open the vault " + where);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys.encryption, "AES"),
                    new GCMParameterSpec(TAG_BITS, file, PREFIX + CHECK, NONCE));
            c.updateAAD(file, 0, PREFIX + CHECK + NONCE);
            return c.doFinal(file, HEADER, file.length - HEADER);
        } catch (AEADBadTagException e) {
            throw VaultException.unreadable("the vault " + where + " is damaged: the key is right but the content does not"
                    + " authenticate (changed or cut short); nothing was read from it");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    /** The file for {@code plaintext}: the header, a fresh nonce, the ciphertext. */
    static byte[] encrypt(byte[] plaintext, Header header, Keys keys) {
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX).put(MAGIC).put(VERSION).put(header.kdf()).putInt(header.iterations()).put(header.salt());
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        ByteBuffer head = ByteBuffer.allocate(HEADER).put(prefix.array()).put(keyCheck(keys, prefix.array())).put(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.encryption, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(head.array());
            byte[] ciphertext = c.doFinal(plaintext);
            return ByteBuffer.allocate(HEADER + ciphertext.length).put(head.array()).put(ciphertext).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }

    private static byte[] keyCheck(Keys keys, byte[] prefix) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keys.check, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal(prefix), CHECK);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
