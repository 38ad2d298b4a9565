package dev.mkto.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The one database of a server: a pooled {@link Jdbi} over H2 (embedded default) or PostgreSQL,
 * migrated ({@link Migrations}) before first use. Nested {@code withHandle}/{@code inTransaction} calls on
 * one thread share a handle, so a service can compose repository calls into one transaction.
 */
public final class Database implements AutoCloseable {

    /** The schema cannot be brought to this build's version; the message says why and what to do. */
    public static final class SchemaException extends RuntimeException {
        SchemaException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The SQL dialects the migrations and repositories are written for. */
    public enum Dialect { H2, POSTGRESQL }

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final boolean exclusive;

    private Database(HikariDataSource dataSource, Dialect dialect, boolean exclusive) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.exclusive = exclusive;
        this.jdbi = Jdbi.create(dataSource);
        // a failed statement's exception repeats neither its arguments nor its text: they hold
        // client secrets' ciphertexts, token hashes and lead data, and exceptions reach the logs
        this.jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
    }

    /** Opens a pool on {@code url} and applies the migrations ({@code clock} dates them). */
    public static Database open(String url, String user, String password, int poolSize, InstantSource clock) {
        Dialect dialect = dialectOf(url);
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        if (!user.isEmpty()) {
            hikari.setUsername(user);
        }
        if (!password.isEmpty()) {
            hikari.setPassword(password);
        }
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(Math.min(2, poolSize));
        hikari.setPoolName("mkto-db");
        hikari.setConnectionTimeout(5_000);
        hikari.setInitializationFailTimeout(5_000);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            new Migrations(dataSource, dialect, clock).migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, dialect, isExclusive(url));
    }

    /**
     * Whether a URL opens a database no other process can use while this one has it: an embedded
     * H2 file or memory database (H2 locks the file), not H2 over TCP or with {@code AUTO_SERVER},
     * and never PostgreSQL.
     */
    public static boolean isExclusive(String url) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        return u.startsWith("JDBC:H2:") && !u.startsWith("JDBC:H2:TCP:") && !u.startsWith("JDBC:H2:SSL:")
                && !u.replace(" ", "").contains(";AUTO_SERVER=TRUE");
    }

    /** The dialect of the database behind {@code jdbi}, read from its connection's URL. */
    public static Dialect dialectOf(org.jdbi.v3.core.Jdbi jdbi) {
        try {
            String url = jdbi.withHandle(h -> h.getConnection().getMetaData().getURL());
            return dialectOf(url);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the database does not say what it is", e);
        }
    }

    /** The dialect a JDBC URL selects; anything but H2 and PostgreSQL is refused. */
    public static Dialect dialectOf(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return Dialect.H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Dialect.POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (use jdbc:h2:… or jdbc:postgresql:…)");
    }

    /**
     * Whether {@code e} means the database cannot be reached right now (connection refused or
     * lost, pool exhausted while it is down) rather than a fault in the request.
     */
    public static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.net.ConnectException || t instanceof org.jdbi.v3.core.ConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the database refused text it cannot store: PostgreSQL's NUL (SQLState 22021, "invalid
     * byte sequence") or a character its encoding cannot hold (22P05). Input is checked where it
     * enters; this names what slips through as the input's fault rather than a system error.
     */
    public static boolean isUnstorableText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && ("22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a unique key refused a write: what two requests creating the same name at the same
     * moment meet, after both checked it was free (SQLState 23505 on PostgreSQL and on H2).
     */
    public static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** A lock held until closed; closing it again does nothing. */
    public interface Lock extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the lock processes starting on one PostgreSQL database take in turns (the migrations'
     * advisory lock), so that what a start writes before serving — the first start's instance,
     * the server settings, the seeds — is written by one process at a time: the next one finds it
     * there. On H2, which one process has to itself, there is nothing to take.
     */
    public Lock startupLock() {
        if (dialect != Dialect.POSTGRESQL) {
            return () -> { };
        }
        String key = Migrations.LOCK_CLASS + ", hashtext(current_schema())";
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + key + ")");
        } catch (SQLException e) {
            dataSource.evictConnection(c);
            throw new IllegalStateException("cannot take the start-up lock: " + e.getMessage(), e);
        }
        AtomicBoolean held = new AtomicBoolean(true);
        return () -> {
            if (held.getAndSet(false)) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + key + ")");
                    closeQuietly(c);
                } catch (SQLException e) {
                    dataSource.evictConnection(c); // its session ends, and the lock with it
                }
            }
        };
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the pool drops a broken connection
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** True when only this process can use the database (see {@link #isExclusive}). */
    public boolean exclusive() {
        return exclusive;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
