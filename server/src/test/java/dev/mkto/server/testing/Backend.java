package dev.mkto.server.testing;

import dev.mkto.server.config.ServerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases every repository and API test runs on. PostgreSQL is the machine's local one
 * (127.0.0.1:5432, database {@code test}, user {@code postgres}; override with
 * {@code MKTO_TEST_PG_URL}/{@code MKTO_TEST_PG_USER}); each server gets a fresh schema. Where no
 * PostgreSQL answers, its tests are skipped with a loud message, unless {@code CI} or
 * {@code MKTO_REQUIRE_POSTGRES} is set, where they fail.
 */
public enum Backend {
    H2, POSTGRES;

    private static final String PG_URL = System.getenv().getOrDefault("MKTO_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = System.getenv().getOrDefault("MKTO_TEST_PG_USER", "postgres");
    private static volatile Boolean postgresUp;

    /** A database for one server: its JDBC URL and how to drop it afterwards. */
    public record Database(String url, String user, Runnable drop) {
    }

    public Database create(java.nio.file.Path dataDir) {
        if (this == H2) {
            return new Database(ServerConfig.defaultH2Url(dataDir), "", () -> { });
        }
        requirePostgres();
        String schema = "mkto_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute("CREATE SCHEMA " + schema);
        return new Database(PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, PG_USER,
                () -> execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    /** A fresh PostgreSQL schema reached through {@code host:port} (e.g. a proxy), and how to drop it. */
    public static Database postgresSchema(String host, int port) {
        Database db = POSTGRES.create(null);
        String url = db.url().replace(postgresHost() + ":" + postgresPort(), host + ":" + port);
        return new Database(url, db.user(), db.drop());
    }

    public static String postgresUser() {
        return PG_USER;
    }

    public static int postgresPort() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("//[^:/]+:(\\d+)/").matcher(PG_URL);
        return m.find() ? Integer.parseInt(m.group(1)) : 5432;
    }

    public static String postgresHost() {
        return PG_URL.replaceAll("^jdbc:postgresql://([^:/]+).*$", "$1");
    }

    public static boolean postgresRequired() {
        String ci = System.getenv("CI");
        String req = System.getenv("MKTO_REQUIRE_POSTGRES");
        return (ci != null && !ci.isBlank() && !ci.equals("false")) || (req != null && !req.isBlank() && !req.equals("0"));
    }

    public static void requirePostgres() {
        if (postgresUp == null) {
            try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, "")) {
                postgresUp = c.isValid(2);
            } catch (SQLException e) {
                postgresUp = false;
            }
        }
        if (!postgresUp) {
            String message = "PostgreSQL does not answer at " + PG_URL + " as " + PG_USER;
            if (postgresRequired()) {
                Assertions.fail(message + " and CI/MKTO_REQUIRE_POSTGRES requires the PostgreSQL tests");
            }
            System.err.println("!!!!! " + message + ": SKIPPING the PostgreSQL tests (set MKTO_REQUIRE_POSTGRES=1 to fail instead) !!!!!");
            Assumptions.abort(message + ": PostgreSQL tests skipped");
        }
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + sql + ": " + e.getMessage(), e);
        }
    }
}
