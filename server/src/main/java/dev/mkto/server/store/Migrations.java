package dev.mkto.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema's migrations: {@code db/migration/V<n>__<description>.sql}, applied in order, each
 * once, and recorded with its SHA-256 in {@code schema_version}. A statement that begins with
 * {@code /*h2*}{@code /} or {@code /*postgresql*}{@code /} runs on that database only, and
 * {@code ${foreign key <table>.<column>}} in a statement stands for the name of the foreign key on
 * that column, looked up when the statement runs (H2 names a key declared without a name itself). On
 * PostgreSQL each script runs in one transaction under an advisory lock, so processes starting
 * together on one database migrate it once; an H2 file belongs to one process. A database whose
 * recorded script differs from this build's is refused; versions newer than this build's are left
 * alone (a newer process migrated it). Databases migrated by Flyway (earlier builds) are taken over
 * from its history table.
 */
final class Migrations {

    /** Every migration of this build, in order. A test holds this list to the resource directory. */
    static final List<String> SCRIPTS = List.of(
            "V1__access_model_and_leads.sql",
            "V2__limits_usage_revisions.sql",
            "V3__activities_lists_campaigns.sql",
            "V4__objects.sql",
            "V5__bulk_extract.sql",
            "V6__lookup_indexes.sql",
            "V7__token_nonce.sql",
            "V8__usage_per_user.sql",
            "V9__email_lookup_partition.sql",
            "V10__h2_write_path.sql",
            "V11__no_instance_foreign_keys.sql");

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    private static final String LOCATION = "/db/migration/";
    private static final Pattern FOREIGN_KEY = Pattern.compile("\\$\\{foreign key (\\w+)\\.(\\w+)}");
    /** The advisory lock's first key ("mkto" in ASCII); the second is the schema's hash. */
    static final int LOCK_CLASS = 0x6d6b746f;

    /** A script as bundled: its version, description, SQL (placeholders filled) and checksum. */
    record Script(int version, String name, String sql, String checksum) {
    }

    private final DataSource dataSource;
    private final Database.Dialect dialect;
    private final InstantSource clock;

    Migrations(DataSource dataSource, Database.Dialect dialect, InstantSource clock) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.clock = clock;
    }

    /** Brings the schema up to this build's latest version; returns the versions applied now. */
    List<Integer> migrate() {
        List<Script> scripts = SCRIPTS.stream().map(this::load).toList();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            boolean postgres = dialect == Database.Dialect.POSTGRESQL;
            if (postgres) {
                execute(c, "SELECT pg_advisory_lock(" + LOCK_CLASS + ", hashtext(current_schema()))");
            }
            try {
                return migrate(c, scripts, postgres);
            } finally {
                if (postgres) {
                    execute(c, "SELECT pg_advisory_unlock(" + LOCK_CLASS + ", hashtext(current_schema()))");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot migrate the schema: " + e.getMessage(), e);
        }
    }

    private List<Integer> migrate(Connection c, List<Script> scripts, boolean postgres) throws SQLException {
        execute(c, "CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, script VARCHAR(200) NOT NULL,"
                + " checksum VARCHAR(64) NOT NULL, applied_at BIGINT NOT NULL)");
        Map<Integer, String> applied = applied(c);
        if (applied.isEmpty()) {
            adoptFlywayHistory(c, scripts, applied);
        }
        List<Integer> now = new ArrayList<>();
        for (Script script : scripts) {
            String recorded = applied.get(script.version());
            if (recorded != null) {
                if (!MessageDigest.isEqual(recorded.getBytes(StandardCharsets.US_ASCII), script.checksum().getBytes(StandardCharsets.US_ASCII))) {
                    throw new Database.SchemaException("the database's schema version " + script.version() + " was applied from a different"
                            + " script than this build's " + script.name() + "; it was created by another build of mkto-server."
                            + " Use that build, or a fresh database", null);
                }
                continue;
            }
            apply(c, script, postgres);
            now.add(script.version());
        }
        int newest = scripts.getLast().version();
        applied.keySet().stream().filter(v -> v > newest).max(Integer::compare).ifPresent(v -> LOG.warn(
                "the database's schema is at version {}, newer than this build's {}: a newer mkto-server migrated it", v, newest));
        return now;
    }

    private void apply(Connection c, Script script, boolean postgres) throws SQLException {
        long started = System.nanoTime();
        c.setAutoCommit(!postgres);
        try {
            for (String statement : statements(script.sql(), dialect)) {
                execute(c, withForeignKeyNames(c, statement));
            }
            record(c, script);
            if (postgres) {
                c.commit();
            }
        } catch (SQLException e) {
            if (postgres) {
                c.rollback();
            }
            throw new Database.SchemaException("migration " + script.name() + " failed: " + e.getMessage(), e);
        } finally {
            c.setAutoCommit(true);
        }
        LOG.debug("applied {} in {} ms", script.name(), (System.nanoTime() - started) / 1_000_000);
    }

    private void record(Connection c, Script script) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO schema_version (version, script, checksum, applied_at) VALUES (?, ?, ?, ?)")) {
            insert.setInt(1, script.version());
            insert.setString(2, script.name());
            insert.setString(3, script.checksum());
            insert.setLong(4, clock.millis());
            insert.executeUpdate();
        }
    }

    private static Map<Integer, String> applied(Connection c) throws SQLException {
        Map<Integer, String> applied = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version, checksum FROM schema_version")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        return applied;
    }

    /**
     * A database an earlier build migrated with Flyway: the versions its history marks successful
     * are recorded as applied (Flyway validated their scripts then), and its table is left in place.
     */
    private void adoptFlywayHistory(Connection c, List<Script> scripts, Map<Integer, String> applied) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                     + " AND table_name = 'flyway_schema_history'")) {
            if (!rs.next() || rs.getInt(1) == 0) {
                return;
            }
        }
        List<Integer> versions = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
            while (rs.next()) {
                versions.add(Integer.parseInt(rs.getString(1).trim()));
            }
        }
        for (Script script : scripts) {
            if (versions.contains(script.version())) {
                record(c, script);
                applied.put(script.version(), script.checksum());
            }
        }
        LOG.info("took over the schema history of an earlier build (versions {})", versions);
    }

    private Script load(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream(LOCATION + name)) {
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is missing from the build");
            }
            byte[] bytes = in.readAllBytes();
            String checksum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            String sql = new String(bytes, StandardCharsets.UTF_8)
                    .replace("${binary}", dialect == Database.Dialect.POSTGRESQL ? "BYTEA" : "VARBINARY(1048576)");
            int version = Integer.parseInt(name.substring(1, name.indexOf("__")));
            return new Script(version, name, sql, checksum);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + name, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code statement} with each {@code ${foreign key <table>.<column>}} replaced by that key's quoted name. */
    static String withForeignKeyNames(Connection c, String statement) throws SQLException {
        Matcher m = FOREIGN_KEY.matcher(statement);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement('"' + foreignKey(c, m.group(1), m.group(2)) + '"'));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The name of the one foreign key on {@code table.column} in the current schema. */
    private static String foreignKey(Connection c, String table, String column) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT tc.constraint_name FROM information_schema.table_constraints tc"
                + " JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema"
                + " AND k.constraint_name = tc.constraint_name"
                + " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"
                + " AND LOWER(tc.table_name) = ? AND LOWER(k.column_name) = ?")) {
            q.setString(1, table.toLowerCase(Locale.ROOT));
            q.setString(2, column.toLowerCase(Locale.ROOT));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        if (names.size() != 1) {
            throw new SQLException("expected one foreign key on " + table + "." + column + ", found " + names.size());
        }
        return names.getFirst();
    }

    /** The statements of a script that run on {@code dialect}: those marked for the other database left out. */
    static List<String> statements(String sql, Database.Dialect dialect) {
        String other = dialect == Database.Dialect.POSTGRESQL ? "/*h2*/" : "/*postgresql*/";
        return statements(sql).stream().filter(s -> !s.startsWith(other)).toList();
    }

    /** The statements of a script: split on semicolons outside quotes, {@code --} comments dropped. */
    static List<String> statements(String sql) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (quoted) {
                current.append(ch);
                quoted = ch != '\'';
            } else if (ch == '\'') {
                current.append(ch);
                quoted = true;
            } else if (ch == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n') {
                    i++;
                }
                current.append('\n');
            } else if (ch == ';') {
                addIfNotBlank(statements, current);
                current.setLength(0);
            } else {
                current.append(ch);
            }
        }
        addIfNotBlank(statements, current);
        return statements;
    }

    private static void addIfNotBlank(List<String> statements, StringBuilder statement) {
        String s = statement.toString().strip();
        if (!s.isEmpty()) {
            statements.add(s);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
