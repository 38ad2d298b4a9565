package dev.mkto.server.identity;

import dev.mkto.server.store.Jdbc;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Access tokens at rest. A token is stored only as its SHA-256; the live token of a service is
 * kept as a random nonce from which, with the server's token key, the token is derived again, so
 * that every process returns the same live token while it lasts.
 */
final class TokenStore {

    record Stored(long serviceId, long expiresAt, boolean expiryReported) {
    }

    record Live(String nonce, long expiresAt) {
    }

    private static final String FIND = "SELECT service_id, expires_at, expiry_reported FROM access_token WHERE token_hash = :hash";
    private static final String LIVE = "SELECT live_token_nonce, live_token_expires_at FROM custom_service WHERE id = :id";
    // positional: a grant's two writes in plain JDBC (Jdbi's statement set-up was a quarter of a claim)
    private static final String CLAIM_LIVE = "UPDATE custom_service SET live_token_nonce = ?, live_token_expires_at = ? "
            + "WHERE id = ? AND (live_token_expires_at IS NULL OR live_token_expires_at <= ?)";
    private static final String INSERT = "INSERT INTO access_token (token_hash, service_id, issued_at, expires_at, expiry_reported) "
            + "VALUES (?, ?, ?, ?, FALSE)";
    private static final String REPORT_EXPIRY = "UPDATE access_token SET expiry_reported = TRUE WHERE token_hash = :hash AND expiry_reported = FALSE";
    private static final String REVOKE_TOKENS = "DELETE FROM access_token WHERE service_id IN (<ids>)";
    private static final String REVOKE_LIVE = "UPDATE custom_service SET live_token_nonce = NULL, live_token_expires_at = NULL WHERE id IN (<ids>)";
    private static final String PURGE = "DELETE FROM access_token WHERE expires_at < :before";

    private final Jdbi jdbi;

    TokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Optional<Stored> find(String hash) {
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
     * {@code now}; false when another request (on any process) got there first.
     */
    boolean claimLive(long serviceId, String nonce, String hash, long now, long expiresAt) {
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
                insert.setString(1, hash);
                insert.setLong(2, serviceId);
                insert.setLong(3, now);
                insert.setLong(4, expiresAt);
                return insert.executeUpdate();
            });
            return true;
        });
    }

    /** True for exactly one caller: the first to present this token after it expired. */
    boolean reportExpiry(String hash) {
        return jdbi.withHandle(h -> h.createUpdate(REPORT_EXPIRY).bind("hash", hash).execute()) == 1;
    }

    void revoke(List<Long> serviceIds) {
        jdbi.useHandle(h -> {
            h.createUpdate(REVOKE_TOKENS).bindList("ids", serviceIds).execute();
            h.createUpdate(REVOKE_LIVE).bindList("ids", serviceIds).execute();
        });
    }

    /** Forgets tokens that expired before {@code before}; returns how many. */
    int purgeExpiredBefore(long before) {
        return jdbi.withHandle(h -> h.createUpdate(PURGE).bind("before", before).execute());
    }
}
