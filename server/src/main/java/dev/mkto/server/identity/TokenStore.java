package dev.mkto.server.identity;

import dev.mkto.server.store.Jdbc;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Access tokens at rest. A token is stored only as its SHA-256; the live token of a service is
 * kept as a random nonce from which, with the server's token key, the token is derived again, so
 * that every process returns the same live token while it lasts.
 *
 * <p>On a database shared by several processes (PostgreSQL), a new token is claimed on its
 * service's row before the grant answers: that claim is what makes every process return the same
 * live token. On a database only this process can open (embedded H2), this process's memory
 * already knows every live token, so a new token's row — which carries its nonce too — is written
 * behind the grant ({@link TokenWriter}), and start-up reads the live tokens from those rows.
 */
final class TokenStore implements AutoCloseable {

    record Stored(long serviceId, long expiresAt, boolean expiryReported) {
    }

    record Live(String nonce, long expiresAt) {
    }

    private static final String FIND = "SELECT service_id, expires_at, expiry_reported FROM access_token WHERE token_hash = :hash";
    private static final String LIVE = "SELECT live_token_nonce, live_token_expires_at FROM custom_service WHERE id = :id";
    // positional: a grant's two writes in plain JDBC (Jdbi's statement set-up was a quarter of a claim)
    private static final String CLAIM_LIVE = "UPDATE custom_service SET live_token_nonce = ?, live_token_expires_at = ? "
            + "WHERE id = ? AND (live_token_expires_at IS NULL OR live_token_expires_at <= ?)";
    static final String INSERT = "INSERT INTO access_token (token_hash, service_id, issued_at, expires_at, expiry_reported, nonce) "
            + "VALUES (?, ?, ?, ?, FALSE, ?)";
    private static final String REPORT_EXPIRY = "UPDATE access_token SET expiry_reported = TRUE WHERE token_hash = :hash AND expiry_reported = FALSE";
    private static final String REVOKE_TOKENS = "DELETE FROM access_token WHERE service_id IN (<ids>)";
    private static final String REVOKE_LIVE = "UPDATE custom_service SET live_token_nonce = NULL, live_token_expires_at = NULL WHERE id IN (<ids>)";
    private static final String PURGE = "DELETE FROM access_token WHERE expires_at < :before";
    private static final String ALL_LIVE = "SELECT id, live_token_nonce, live_token_expires_at FROM custom_service "
            + "WHERE live_token_expires_at > :now UNION ALL "
            + "SELECT service_id, nonce, expires_at FROM access_token WHERE nonce IS NOT NULL AND expires_at > :now";

    private final Jdbi jdbi;
    private final TokenWriter writer;

    /** {@code exclusive}: only this process uses the database, so new tokens are written behind their grants. */
    TokenStore(Jdbi jdbi, boolean exclusive) {
        this.jdbi = jdbi;
        this.writer = exclusive ? new TokenWriter(jdbi) : null;
    }

    /** True when this process alone uses the database: its memory is the authority on live tokens. */
    boolean exclusive() {
        return writer != null;
    }

    /**
     * Every service's live token still valid at {@code now}, by service id: the latest of the one
     * its service's row names (claimed on a shared database) and those its tokens' rows carry.
     */
    Map<Long, Live> allLive(long now) {
        Map<Long, Live> all = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery(ALL_LIVE).bind("now", now)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), new Live(rs.getString(2), rs.getLong(3))))
                .forEach(e -> all.merge(e.getKey(), e.getValue(), (a, b) -> a.expiresAt() >= b.expiresAt() ? a : b)));
        return all;
    }

    /** Binds {@link #INSERT}. */
    static void bindInsert(PreparedStatement insert, String hash, long serviceId, long issuedAt, long expiresAt, String nonce)
            throws SQLException {
        insert.setString(1, hash);
        insert.setLong(2, serviceId);
        insert.setLong(3, issuedAt);
        insert.setLong(4, expiresAt);
        insert.setString(5, nonce);
    }

    Optional<Stored> find(String hash) {
        if (writer != null) {
            TokenWriter.Claim queued = writer.unwritten(hash);
            if (queued != null) {
                return Optional.of(new Stored(queued.serviceId(), queued.expiresAt(), false));
            }
        }
        return jdbi.withHandle(h -> h.createQuery(FIND).bind("hash", hash)
                .map((rs, ctx) -> new Stored(rs.getLong(1), rs.getLong(2), rs.getBoolean(3))).findOne());
    }

    Optional<Live> live(long serviceId) {
        return jdbi.withHandle(h -> h.createQuery(LIVE).bind("id", serviceId).map((rs, ctx) -> {
            String nonce = rs.getString(1);
            long expiresAt = rs.getLong(2);
            return nonce == null ? null : new Live(nonce, expiresAt);
        }).findOne());
    }

    /**
     * Makes {@code nonce} the service's live token if it has none that is still valid at
     * {@code now}; false when another request (on any process) got there first. On a database of
     * this process alone, the caller has checked that there is none, and the token is queued for
     * writing.
     */
    boolean claimLive(long serviceId, String nonce, String hash, long now, long expiresAt) {
        if (writer != null) {
            writer.add(new TokenWriter.Claim(serviceId, nonce, hash, now, expiresAt));
            return true;
        }
        return jdbi.inTransaction(h -> {
            int claimed = Jdbc.with(h, CLAIM_LIVE, claim -> {
                claim.setString(1, nonce);
                claim.setLong(2, expiresAt);
                claim.setLong(3, serviceId);
                claim.setLong(4, now);
                return claim.executeUpdate();
            });
            if (claimed == 0) {
                return false;
            }
            Jdbc.with(h, INSERT, insert -> {
                bindInsert(insert, hash, serviceId, now, expiresAt, nonce);
                return insert.executeUpdate();
            });
            return true;
        });
    }

    /** True for exactly one caller: the first to present this token after it expired. */
    boolean reportExpiry(String hash) {
        if (writer != null) {
            writer.awaitWritten();
        }
        return jdbi.withHandle(h -> h.createUpdate(REPORT_EXPIRY).bind("hash", hash).execute()) == 1;
    }

    void revoke(List<Long> serviceIds) {
        if (writer != null) {
            writer.cancel(serviceIds);
        }
        jdbi.useHandle(h -> {
            h.createUpdate(REVOKE_TOKENS).bindList("ids", serviceIds).execute();
            h.createUpdate(REVOKE_LIVE).bindList("ids", serviceIds).execute();
        });
    }

    /** Forgets tokens that expired before {@code before}; returns how many. */
    int purgeExpiredBefore(long before) {
        return jdbi.withHandle(h -> h.createUpdate(PURGE).bind("before", before).execute());
    }

    /** Writes the tokens not yet written. */
    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
