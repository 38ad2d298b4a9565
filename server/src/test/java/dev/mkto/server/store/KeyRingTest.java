package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
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
    void randomAlphanumericWhenAskedFor32ThenLettersAndDigits() {
        assertThat(KeyRing.randomAlphanumeric(32)).matches("[A-Za-z0-9]{32}");
        assertThat(Set.of(KeyRing.randomAlphanumeric(32), KeyRing.randomAlphanumeric(32))).hasSize(2);
        assertThat(k().toString()).doesNotContain("=");
    }

    private static KeyRing k() {
        return new KeyRing(new byte[32]);
    }
}
