package dev.mkto.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's keys for data at rest, all derived from one 32-byte master key: an AES-256-GCM key
 * for client secrets (so "View Details" can show them), an HMAC key for constant-time secret
 * checks, and an HMAC key from which access tokens are derived. The master key comes from
 * {@code MKTO_SECRET_KEY} or from {@code secret.key} in the data directory, created on first start
 * with owner-only permissions. Nothing here is ever logged.
 */
public final class KeyRing {

    public static final String KEY_FILE = "secret.key";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** Never updated: each use takes a copy, which costs a fraction of a provider lookup. */
    private static final MessageDigest SHA_256 = sha256Digest();

    private final SecretKeySpec encryptionKey;
    /** Initialised with their keys and never updated: each use takes a copy (see {@link #hmac}). */
    private final Mac macKey;
    private final Mac tokenKey;

    public KeyRing(byte[] master) {
        if (master.length != 32) {
            throw new IllegalArgumentException("the master key must be 32 bytes");
        }
        Mac masterKey = keyed(master);
        this.encryptionKey = new SecretKeySpec(hmac(masterKey, "mkto secret encryption v1"), "AES");
        this.macKey = keyed(hmac(masterKey, "mkto secret mac v1"));
        this.tokenKey = keyed(hmac(masterKey, "mkto access token v1"));
    }

    /** Reads {@code dataDir/secret.key}, creating it (mode 0600) when absent. */
    public static KeyRing fromDataDir(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n");
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: read theirs below
                } catch (UnsupportedOperationException notPosix) {
                    Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n");
                }
            }
            byte[] master = Base64.getDecoder().decode(Files.readString(file).strip());
            if (master.length != 32) {
                throw new IllegalStateException(file + " does not hold a 32-byte base64 key");
            }
            return new KeyRing(master);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the key file " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " is not valid base64", e);
        }
    }

    /** A value that identifies this key without revealing it, kept in the database to catch a wrong key. */
    public String fingerprint() {
        return mac("mkto key check");
    }

    /** AES-256-GCM with a random 96-bit nonce; base64 of nonce ‖ ciphertext ‖ tag. */
    public String encrypt(String plaintext) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, encryptionKey, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    public String decrypt(String sealedBase64) {
        try {
            byte[] all = Base64.getDecoder().decode(sealedBase64);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, encryptionKey, new GCMParameterSpec(128, all, 0, 12));
            return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored secret cannot be decrypted with this key", e);
        }
    }

    /** Keyed hash of a secret, hex. */
    public String mac(String secret) {
        return HexFormat.of().formatHex(hmac(macKey, secret));
    }

    /** Constant-time check of a presented secret against a stored {@link #mac}. */
    public boolean matches(String presented, String storedMac) {
        return MessageDigest.isEqual(mac(presented).getBytes(StandardCharsets.US_ASCII),
                storedMac.getBytes(StandardCharsets.US_ASCII));
    }

    /** The bytes an access token is made of, derived from its stored nonce. */
    public byte[] tokenBytes(String nonce) {
        return hmac(tokenKey, nonce);
    }

    /** SHA-256 of a value, hex: how tokens and the admin credential are stored. */
    public static String sha256(String value) {
        try {
            MessageDigest digest = (MessageDigest) SHA_256.clone();
            return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be copied", e);
        }
    }

    /** Constant-time equality of two strings. */
    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    public static String randomAlphanumeric(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
        }
        return sb.toString();
    }

    public static String randomNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** HMAC-SHA256 with the key {@code keyed} was initialised with, on a copy of it (thread-safe). */
    private static byte[] hmac(Mac keyed, String message) {
        try {
            Mac mac = (Mac) keyed.clone();
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be copied", e);
        }
    }

    private static Mac keyed(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "KeyRing[keys hidden]";
    }
}
