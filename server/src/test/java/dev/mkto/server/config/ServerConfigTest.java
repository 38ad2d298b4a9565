package dev.mkto.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerConfigTest {

    @Test
    void parseWhenNothingGivenThenDefaults() {
        ServerConfig c = ServerConfig.parse(new String[0], Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir()).isEqualTo(Path.of("data"));
        assertThat(c.dbUrl()).startsWith("jdbc:h2:retry:file:").contains("MODE=PostgreSQL");
        assertThat(c.postgres()).isFalse();
        assertThat(c.munchkinId()).isEqualTo("123-ABC-456");
        assertThat(c.adminToken()).isEmpty();
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "jdbc:h2:file:/var/lib/mkto/mkto;MODE=PostgreSQL | jdbc:h2:retry:file:/var/lib/mkto/mkto;MODE=PostgreSQL",
        "jdbc:h2:./data/mkto                             | jdbc:h2:retry:./data/mkto",
        "jdbc:h2:~/mkto                                  | jdbc:h2:retry:~/mkto",
        "jdbc:h2:/srv/mkto                               | jdbc:h2:retry:/srv/mkto",
        "jdbc:h2:C:/mkto/db                              | jdbc:h2:retry:C:/mkto/db",
        "jdbc:h2:retry:file:/srv/mkto                    | jdbc:h2:retry:file:/srv/mkto",
        "jdbc:h2:mem:test                                | jdbc:h2:mem:test",
        "jdbc:h2:tcp://db.internal:9092/mkto             | jdbc:h2:tcp://db.internal:9092/mkto",
        "jdbc:h2:nioMapped:/srv/mkto                     | jdbc:h2:nioMapped:/srv/mkto",
        "jdbc:postgresql://127.0.0.1:5432/mkto           | jdbc:postgresql://127.0.0.1:5432/mkto",
    })
    void urlWhenAnEmbeddedH2FileThenOpenedThroughTheFileSystemThatReopensItAfterAnInterrupt(String given, String opened) {
        assertThat(ServerConfig.parse(new String[] {"--db-url", given}, Map.of()).dbUrl()).isEqualTo(opened);
    }

    @Test
    void defaultH2UrlWhenOpenedThenPageCacheIsEightMegabytes(@TempDir Path dir) throws Exception {
        try (Connection c = DriverManager.getConnection(ServerConfig.defaultH2Url(dir), "", "");
                ResultSet r = c.createStatement().executeQuery(
                        "SELECT setting_value FROM information_schema.settings WHERE setting_name = 'info.CACHE_MAX_SIZE'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("8");
        }
    }

    @Test
    void parseWhenFlagsAndEnvironmentBothGivenThenFlagsWin(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), "{}");
        Path b = Files.writeString(dir.resolve("b.json"), "{}");
        Map<String, String> env = Map.of("MKTO_PORT", "9000", "MKTO_DATA_DIR", "/tmp/env", "MKTO_SEED", a.toString(),
                "MKTO_DB_URL", "jdbc:postgresql://db/x", "MKTO_DB_PASSWORD", "pw");
        ServerConfig c = ServerConfig.parse(new String[] {"--port=0", "--seed", b.toString(), "--seed", a.toString()}, env);
        assertThat(c.port()).isZero();
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/env"));
        assertThat(c.seeds()).containsExactly(b, a);
        assertThat(c.postgres()).isTrue();
        assertThat(c.dbPassword()).isEqualTo("pw");
        assertThat(ServerConfig.parse(new String[0], env).seeds()).containsExactly(a);
    }

    @Test
    void parseWhenValueIsBadThenMessageNamesTheSetting() {
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--port", "eighty"}, Map.of())).hasMessageStartingWith("port:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--port", "70000"}, Map.of())).hasMessageStartingWith("port:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--db-url", "jdbc:mysql://x"}, Map.of())).hasMessageStartingWith("db-url:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--munchkin-id", "abc"}, Map.of())).hasMessageStartingWith("munchkin-id:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--seed", "/no/such/file.json"}, Map.of())).hasMessageStartingWith("seed:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--port"}, Map.of())).hasMessageStartingWith("port: needs a value");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--frobnicate"}, Map.of())).hasMessageContaining("--frobnicate");
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--db-password", "x"}, Map.of())).hasMessageContaining("MKTO_DB_PASSWORD");
        assertThatThrownBy(() -> ServerConfig.parse(new String[0], Map.of("MKTO_ADMIN_TOKEN", "short"))).hasMessageStartingWith("MKTO_ADMIN_TOKEN:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[0], Map.of("MKTO_SECRET_KEY", "not base64!"))).hasMessageStartingWith("MKTO_SECRET_KEY:");
        assertThatThrownBy(() -> ServerConfig.parse(new String[0], Map.of("MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[16]))))
                .hasMessageStartingWith("MKTO_SECRET_KEY:");
    }

    @Test
    void helpWhenAskedThenUsageListsEveryOption() {
        assertThatThrownBy(() -> ServerConfig.parse(new String[] {"--help"}, Map.of()))
                .isInstanceOf(ServerConfig.HelpRequested.class)
                .hasMessageContaining("--port").hasMessageContaining("--data-dir").hasMessageContaining("--db-url")
                .hasMessageContaining("--seed").hasMessageContaining("MKTO_ADMIN_TOKEN");
    }

    @Test
    void toStringWhenSecretsSetThenTheyAreNotShown() {
        ServerConfig c = ServerConfig.parse(new String[] {"--db-url", "jdbc:postgresql://db/x?user=a&password=hunter2"},
                Map.of("MKTO_ADMIN_TOKEN", "super-secret-admin-token", "MKTO_DB_PASSWORD", "pw-secret",
                        "MKTO_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32])));
        assertThat(c.toString()).doesNotContain("super-secret-admin-token").doesNotContain("pw-secret").doesNotContain("hunter2")
                .contains("adminToken=set");
    }
}
