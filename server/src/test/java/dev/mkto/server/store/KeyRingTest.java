package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {

    @Test
    void fromDataDirWhenNoKeyThenCreatesAnOwnerOnlyFileAndReusesIt(@TempDir Path dir) throws Exception {
        KeyRing first = KeyRing.fromDataDir(dir);
        Path file = dir.resolve(KeyRing.KEY_FILE);
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        KeyRing second = KeyRing.fromDataDir(dir);
        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(second.decrypt(first.encrypt("secret"))).isEqualTo("secret");
    }

    @Test
    void encryptWhenSameTextTwiceThenDifferentCiphertextsThatDecrypt() {
        KeyRing k = new KeyRing(new byte[32]);
        String a = k.encrypt("t0kQm3yRz8VvX1pLs9Hd2Wc5Nf7Ab4Ge");
        String b = k.encrypt("t0kQm3yRz8VvX1pLs9Hd2Wc5Nf7Ab4Ge");
        assertThat(a).isNotEqualTo(b).doesNotContain("t0kQm3yRz8VvX1pLs9Hd2Wc5Nf7Ab4Ge");
        assertThat(k.decrypt(a)).isEqualTo(k.decrypt(b)).isEqualTo("t0kQm3yRz8VvX1pLs9Hd2Wc5Nf7Ab4Ge");
    }

    @Test
    void decryptWhenKeyDiffersOrDataTamperedThenRefused() {
        KeyRing k = new KeyRing(new byte[32]);
        byte[] other = new byte[32];
        other[0] = 1;
        String sealed = k.encrypt("secret");
        assertThatThrownBy(() -> new KeyRing(other).decrypt(sealed)).isInstanceOf(IllegalStateException.class);
        char[] c = sealed.toCharArray();
        c[c.length / 2] = c[c.length / 2] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> k.decrypt(new String(c))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void matchesWhenSecretComparedThenOnlyTheSameSecretMatches() {
        KeyRing k = new KeyRing(new byte[32]);
        String mac = k.mac("right-secret");
        assertThat(k.matches("right-secret", mac)).isTrue();
        assertThat(k.matches("wrong-secret", mac)).isFalse();
        assertThat(k.matches("", mac)).isFalse();
    }

    @Test
    void macAndTokenBytesWhenUsedFromManyThreadsThenHmacSha256UnderKeysDerivedFromTheMaster() throws Exception {
        byte[] master = new byte[32];
        master[31] = 7;
        KeyRing k = new KeyRing(master);
        byte[] macKey = hmac(master, "mkto secret mac v1");
        byte[] tokenKey = hmac(master, "mkto access token v1");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String value = "secret-" + i;
                checks.add(pool.submit(() -> {
                    assertThat(k.mac(value)).isEqualTo(HexFormat.of().formatHex(hmac(macKey, value)));
                    assertThat(k.tokenBytes(value)).isEqualTo(hmac(tokenKey, value));
                    assertThat(KeyRing.sha256(value)).isEqualTo(HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8))));
                    return null;
                }));
            }
            for (Future<?> check : checks) {
                check.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(KeyRing.sha256("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private static byte[] hmac(byte[] key, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void randomAlphanumericWhenAskedFor32ThenLettersAndDigits() {
        assertThat(KeyRing.randomAlphanumeric(32)).matches("[A-Za-z0-9]{32}");
        assertThat(Set.of(KeyRing.randomAlphanumeric(32), KeyRing.randomAlphanumeric(32))).hasSize(2);
        assertThat(k().toString()).doesNotContain("=");
    }

    private static KeyRing k() {
        return new KeyRing(new byte[32]);
    }
}
