package dev.mkto.server.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Plain JDBC on a Jdbi handle's connection, inside its transaction, for the hottest statements
 * (lead reads and writes, activity inserts, a grant's claim, a client's credentials): there,
 * Jdbi's statement set-up — context, named-parameter binding, result iteration — cost as much as
 * the database's own work. A failure surfaces as Jdbi's exception, so errors are still mapped in
 * one place.
 */
public final class Jdbc {

    /** What to do with the prepared statement: bind, execute, read. */
    @FunctionalInterface
    public interface Work<T> {
        T on(PreparedStatement statement) throws SQLException;
    }

    private Jdbc() {
    }

    /** Prepares {@code sql} on the handle's connection and runs {@code work} on it. */
    public static <T> T with(Handle h, String sql, Work<T> work) {
        try (PreparedStatement statement = h.getConnection().prepareStatement(sql)) {
            return work.on(statement);
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    /**
     * {@code values} as a PostgreSQL array of {@code type} ({@code int8}, {@code int4},
     * {@code float8}, {@code bool}, {@code text}), for a statement that takes a whole batch's
     * column in one parameter ({@code unnest}).
     */
    public static java.sql.Array array(PreparedStatement statement, String type, Object[] values) throws SQLException {
        return statement.getConnection().createArrayOf(type, values);
    }

    /** The same for an insert whose generated {@code key} column is read back. */
    public static <T> T withGeneratedKey(Handle h, String sql, String key, Work<T> work) {
        try (PreparedStatement statement = h.getConnection().prepareStatement(sql, new String[] {key})) {
            return work.on(statement);
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }
}
