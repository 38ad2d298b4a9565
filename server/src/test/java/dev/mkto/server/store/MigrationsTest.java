package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.MktoServer;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.testing.Backend;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The schema's migrations on both databases: applied once and recorded, a changed script refused,
 * a newer schema left alone, a database an earlier (Flyway) build migrated taken over, and several
 * processes starting together on one PostgreSQL database migrating it once.
 */
class MigrationsTest {

    private static final List<Integer> ALL = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

    @Test
    void scriptsWhenListedThenTheyAreEveryMigrationFileInVersionOrder() throws URISyntaxException, java.io.IOException {
        Path dir = Path.of(Migrations.class.getResource("/db/migration/").toURI());
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString())
                    .sorted(Comparator.comparingInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))))
                    .toList();
        }
        assertThat(Migrations.SCRIPTS).isEqualTo(files);
        assertThat(ALL).hasSize(files.size());
    }

    @Test
    void statementsWhenQuotesAndCommentsHoldSemicolonsThenSplitOnlyBetweenStatements() {
        String sql = """
                -- a comment; with a semicolon
                CREATE TABLE t (a VARCHAR(10) DEFAULT 'x;y', b INT); -- trailing; comment
                INSERT INTO t (a) VALUES ('it''s; fine');

                ;
                UPDATE t SET b = 1""";
        assertThat(Migrations.statements(sql)).containsExactly(
                "CREATE TABLE t (a VARCHAR(10) DEFAULT 'x;y', b INT)",
                "INSERT INTO t (a) VALUES ('it''s; fine')",
                "UPDATE t SET b = 1");
    }

    @Test
    void statementsWhenMarkedForOneDatabaseThenOnlyThatDatabaseRunsThem() {
        String sql = """
                CREATE TABLE t (a INT);
                /*h2*/ ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;
                /*postgresql*/ CREATE INDEX t_a ON t (a);
                -- a comment before a marked statement
                /*h2*/ DROP INDEX u_a""";
        assertThat(Migrations.statements(sql, Database.Dialect.H2)).containsExactly(
                "CREATE TABLE t (a INT)", "/*h2*/ ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", "/*h2*/ DROP INDEX u_a");
        assertThat(Migrations.statements(sql, Database.Dialect.POSTGRESQL)).containsExactly(
                "CREATE TABLE t (a INT)", "/*postgresql*/ CREATE INDEX t_a ON t (a)");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenFreshThenLeadHasOneIndexPerUseAndH2DrawsIdsInBlocks(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            migrations(ds, backend).migrate();
            if (backend == Backend.POSTGRES) {
                assertThat(count(ds, "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'lead'"
                        + " AND indexname = 'lead_partition_idx'")).as("PostgreSQL makes no index for a foreign key: the script's is kept")
                        .isEqualTo(1);
            } else {
                assertThat(count(ds, "SELECT COUNT(*) FROM information_schema.index_columns WHERE table_name = 'lead'"
                        + " AND column_name = 'partition_id' AND ordinal_position = 1"))
                        .as("one index leads with partition_id: the foreign key's").isEqualTo(1);
                assertThat(count(ds, "SELECT identity_cache FROM information_schema.columns WHERE table_name = 'lead'"
                        + " AND column_name = 'id'")).isEqualTo(1000);
                assertThat(count(ds, "SELECT identity_cache FROM information_schema.columns WHERE table_name = 'activity'"
                        + " AND column_name = 'id'")).isEqualTo(1000);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenFreshThenLeadsAndActivitiesHaveNoForeignKeyToInstanceNorItsIndex(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            migrations(ds, backend).migrate();
            assertThat(foreignKeys(ds, "lead", "instance_id")).isZero();
            assertThat(foreignKeys(ds, "activity", "instance_id")).isZero();
            assertThat(foreignKeys(ds, "lead", "partition_id")).as("a lead's partition is still a key").isEqualTo(1);
            assertThat(foreignKeys(ds, "lead_field", "instance_id")).as("only leads and activities lost theirs").isEqualTo(1);
            if (backend == Backend.H2) {
                assertThat(count(ds, "SELECT COUNT(*) FROM information_schema.index_columns WHERE table_name = 'lead'"
                        + " AND column_name = 'instance_id' AND ordinal_position = 1")).as("H2 dropped the key's index with the key").isZero();
                assertThat(count(ds, "SELECT COUNT(*) FROM information_schema.index_columns WHERE table_name = 'activity'"
                        + " AND column_name = 'instance_id' AND ordinal_position = 1")).as("activity_type's alone").isEqualTo(1);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void withForeignKeyNamesWhenTheKeyIsMissingThenRefusedNamingTheColumn(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            execute(ds, "CREATE TABLE parent (id BIGINT PRIMARY KEY)");
            execute(ds, "CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT REFERENCES parent (id), other BIGINT)");
            try (Connection c = ds.getConnection()) {
                String drop = Migrations.withForeignKeyNames(c, "ALTER TABLE child DROP CONSTRAINT ${foreign key child.parent_id}");
                assertThat(drop).startsWith("ALTER TABLE child DROP CONSTRAINT \"").doesNotContain("${");
                try (Statement s = c.createStatement()) {
                    s.execute(drop);
                }
                assertThat(foreignKeys(ds, "child", "parent_id")).isZero();
                assertThatThrownBy(() -> Migrations.withForeignKeyNames(c, "ALTER TABLE child DROP CONSTRAINT ${foreign key child.other}"))
                        .isInstanceOf(SQLException.class).hasMessage("expected one foreign key on child.other, found 0");
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenFreshThenEveryVersionIsAppliedOnceAndRecorded(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            assertThat(migrations(ds, backend).migrate()).isEqualTo(ALL);
            assertThat(migrations(ds, backend).migrate()).as("a second start applies nothing").isEmpty();
            assertThat(versions(ds)).isEqualTo(ALL);
            assertThat(count(ds, "SELECT COUNT(*) FROM lead")).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenARecordedScriptDiffersThenRefusedNamingTheScript(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            migrations(ds, backend).migrate();
            execute(ds, "UPDATE schema_version SET checksum = '" + "0".repeat(64) + "' WHERE version = 3");
            assertThatThrownBy(() -> migrations(ds, backend).migrate())
                    .isInstanceOf(Database.SchemaException.class)
                    .hasMessageContaining("schema version 3")
                    .hasMessageContaining("V3__activities_lists_campaigns.sql");
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenTheSchemaIsNewerThanThisBuildThenItIsLeftAlone(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            migrations(ds, backend).migrate();
            execute(ds, "INSERT INTO schema_version (version, script, checksum, applied_at) VALUES (99, 'V99__later.sql', 'x', 0)");
            assertThat(migrations(ds, backend).migrate()).isEmpty();
            assertThat(versions(ds)).endsWith(ALL.getLast(), 99);
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenUsageWasRecordedPerServiceThenItIsKeptAndThenCountedPerUserToo(Backend backend, @TempDir Path dir) throws Exception {
        onFresh(backend, dir, ds -> {
            migratedByFlyway(ds, backend, 7);
            execute(ds, "INSERT INTO usage_daily (instance_id, usage_day, service_id, user_email, endpoint, calls) "
                    + "VALUES (1, '2026-12-05', 7, 'first@example.com', 'GET /rest/v1/leads.json', 42)");

            assertThat(migrations(ds, backend).migrate()).containsExactlyElementsOf(ALL.subList(7, ALL.size()));
            assertThat(count(ds, "SELECT calls FROM usage_daily WHERE service_id = 7 AND user_email = 'first@example.com'")).isEqualTo(42);
            execute(ds, "INSERT INTO usage_daily (instance_id, usage_day, service_id, user_email, endpoint, calls) "
                    + "VALUES (1, '2026-12-05', 7, 'second@example.com', 'GET /rest/v1/leads.json', 5)");
            assertThat(count(ds, "SELECT COUNT(*) FROM usage_daily WHERE service_id = 7")).as("the same service's calls, one row per user")
                    .isEqualTo(2);
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrateWhenAnEarlierBuildMigratedWithFlywayThenItsHistoryIsTakenOverAndTheRestApplied(Backend backend, @TempDir Path dir)
            throws Exception {
        onFresh(backend, dir, ds -> {
            Migrations migrations = migrations(ds, backend);
            migratedByFlyway(ds, backend, 4);
            execute(ds, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,"
                    + " execution_time, success) VALUES (5, '5', 'failed', 'SQL', 'V5__bulk_extract.sql', 1, 'mkto', 1, FALSE)");
            execute(ds, "INSERT INTO instance (munchkin_id, settings, created_at, updated_at) VALUES ('123-ABC-456', 'kept', 0, 0)");

            assertThat(migrations.migrate()).as("the versions Flyway did not record as successful").containsExactlyElementsOf(ALL.subList(4, ALL.size()));
            assertThat(versions(ds)).isEqualTo(ALL);
            assertThat(count(ds, "SELECT COUNT(*) FROM instance WHERE settings = 'kept'")).isEqualTo(1);
            assertThat(migrations.migrate()).isEmpty();
        });
    }

    @Test
    void migrateWhenSeveralProcessesStartTogetherOnPostgresThenTheSchemaIsMigratedOnce() throws Exception {
        Backend.Database db = Backend.POSTGRES.create(null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            DataSource ds = dataSource(db);
            List<Future<List<Integer>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit((Callable<List<Integer>>) () -> migrations(ds, Backend.POSTGRES).migrate()));
            }
            List<List<Integer>> applied = new ArrayList<>();
            for (Future<List<Integer>> run : runs) {
                applied.add(run.get());
            }
            assertThat(applied).containsOnlyOnce(ALL);
            assertThat(applied.stream().filter(List::isEmpty)).hasSize(3);
            assertThat(versions(ds)).isEqualTo(ALL);
        } finally {
            pool.shutdownNow();
            db.drop().run();
        }
    }

    @Test
    void startWhenTheDatabaseHoldsAChangedScriptThenTheServerRefusesWithTheReason(@TempDir Path dir) throws Exception {
        ServerConfig config = ServerConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString()}, Map.of());
        MktoServer.start(config, InstantSource.system()).close();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(config.dbUrl());
        execute(ds, "UPDATE schema_version SET checksum = 'changed' WHERE version = 1");
        assertThatThrownBy(() -> MktoServer.start(config, InstantSource.system()))
                .isInstanceOf(MktoServer.StartupException.class)
                .hasMessageContaining("cannot open the database")
                .hasMessageContaining("V1__access_model_and_leads.sql")
                .hasMessageNotContaining("another mkto-server using this data directory");
    }

    /** Code run against a fresh database of one backend. */
    @FunctionalInterface
    private interface OnDatabase {
        void run(DataSource ds) throws Exception;
    }

    private static void onFresh(Backend backend, Path dir, OnDatabase test) throws Exception {
        Backend.Database db = backend.create(dir);
        try {
            test.run(dataSource(db));
        } finally {
            db.drop().run();
        }
    }

    /** The first {@code versions} scripts applied as an earlier build did, through Flyway, which recorded them. */
    private static void migratedByFlyway(DataSource ds, Backend backend, int versions) throws Exception {
        execute(ds, "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200),"
                + " type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL,"
                + " installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)");
        for (int v = 1; v <= versions; v++) {
            String script = Migrations.SCRIPTS.get(v - 1);
            String sql = new String(Migrations.class.getResourceAsStream("/db/migration/" + script).readAllBytes())
                    .replace("${binary}", backend == Backend.POSTGRES ? "BYTEA" : "VARBINARY(1048576)");
            for (String statement : Migrations.statements(sql, dialect(backend))) {
                execute(ds, statement);
            }
            execute(ds, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,"
                    + " execution_time, success) VALUES (" + v + ", '" + v + "', 'x', 'SQL', '" + script + "', 1, 'mkto', 1, TRUE)");
        }
    }

    private static Migrations migrations(DataSource ds, Backend backend) {
        return new Migrations(ds, dialect(backend), InstantSource.system());
    }

    private static Database.Dialect dialect(Backend backend) {
        return backend == Backend.POSTGRES ? Database.Dialect.POSTGRESQL : Database.Dialect.H2;
    }

    private static DataSource dataSource(Backend.Database db) {
        if (db.url().startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(db.url());
            return h2;
        }
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(db.url());
        pg.setUser(db.user());
        return pg;
    }

    private static List<Integer> versions(DataSource ds) throws SQLException {
        List<Integer> versions = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    private static long foreignKeys(DataSource ds, String table, String column) throws SQLException {
        return count(ds, "SELECT COUNT(*) FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k"
                + " ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name"
                + " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"
                + " AND LOWER(tc.table_name) = '" + table + "' AND LOWER(k.column_name) = '" + column + "'");
    }

    private static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
