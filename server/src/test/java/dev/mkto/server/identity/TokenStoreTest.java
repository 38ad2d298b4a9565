package dev.mkto.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.AdminClient;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tokens written behind their grants on a database of one process: found before they are
 * written, and never written once their service is revoked. A transaction inserting a token's
 * key first keeps the writer busy, so that revocations meet tokens queued and tokens being written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenStoreTest {

    private static final long HOUR = 3_600_000;

    private TestServer server;
    private AdminClient admin;
    private Jdbi jdbi;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        admin = server.admin();
        jdbi = Jdbi.create(server.dbUrl(), "", "");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void revokeWhenTheServicesTokenIsQueuedOrBeingWrittenThenItIsNeverWritten() throws Exception {
        long busy = admin.serviceWith("Read-Only Lead").id();
        long queued = admin.serviceWith("Read-Only Lead").id();
        long inFlight = admin.serviceWith("Read-Only Lead").id();
        long now = System.currentTimeMillis();
        try (TokenStore store = new TokenStore(jdbi, true); Connection holder = DriverManager.getConnection(server.dbUrl(), "", "")) {
            holder.setAutoCommit(false);
            holder.createStatement().executeUpdate("INSERT INTO access_token (token_hash, service_id, issued_at, expires_at, expiry_reported)"
                    + " VALUES ('hash-busy', " + busy + ", 0, 0, FALSE)");
            store.claimLive(busy, "nonce-busy", "hash-busy", now, now + HOUR);
            store.claimLive(inFlight, "nonce-in-flight", "hash-in-flight", now, now + HOUR);
            Thread.sleep(100); // the writer has taken both and waits for the held key
            store.claimLive(queued, "nonce-queued", "hash-queued", now, now + HOUR);

            assertThat(store.find("hash-queued")).hasValueSatisfying(s -> assertThat(s.serviceId()).isEqualTo(queued));
            assertThat(store.find("hash-in-flight")).isPresent();
            Thread revoking = Thread.ofPlatform().start(() -> store.revoke(List.of(queued, inFlight)));
            Thread.sleep(100);
            assertThat(revoking.isAlive()).as("the revocation waits for the write in progress").isTrue();
            holder.rollback();
            revoking.join(10_000);
            assertThat(revoking.isAlive()).isFalse();
        }

        assertThat(hashesOf(busy)).containsExactly("hash-busy");
        assertThat(hashesOf(queued)).isEmpty();
        assertThat(hashesOf(inFlight)).isEmpty();
        try (TokenStore store = new TokenStore(jdbi, true)) {
            assertThat(store.allLive(now)).containsKey(busy).doesNotContainKeys(queued, inFlight);
            assertThat(store.find("hash-queued")).isEmpty();
            assertThat(store.find("hash-busy")).isPresent();
        }
    }

    @Test
    void closeWhenTokensAreQueuedThenEveryOneIsWritten() {
        List<Long> ids = List.of(admin.serviceWith("Read-Only Lead").id(), admin.serviceWith("Read-Only Lead").id(),
                admin.serviceWith("Read-Only Lead").id());
        long now = System.currentTimeMillis();
        try (TokenStore store = new TokenStore(jdbi, true)) {
            for (long id : ids) {
                store.claimLive(id, "nonce-" + id, "hash-" + id, now, now + HOUR);
            }
        }
        for (long id : ids) {
            assertThat(hashesOf(id)).containsExactly("hash-" + id);
        }
        try (TokenStore store = new TokenStore(jdbi, true)) {
            assertThat(store.allLive(now)).containsKeys(ids.toArray(Long[]::new));
            assertThat(store.allLive(now).get(ids.getFirst()).nonce()).isEqualTo("nonce-" + ids.getFirst());
        }
    }

    @Test
    void allLiveWhenTheServicesRowAndItsTokensRowsNameLiveTokensThenTheLatestOfThem() {
        long claimedOnItsRow = admin.serviceWith("Read-Only Lead").id();
        long both = admin.serviceWith("Read-Only Lead").id();
        long now = System.currentTimeMillis();
        // a token claimed on the service's row (a shared database, or a database written before tokens' rows kept their nonce)
        jdbi.useHandle(h -> h.execute("UPDATE custom_service SET live_token_nonce = 'on-row', live_token_expires_at = ? WHERE id IN (?, ?)",
                now + HOUR, claimedOnItsRow, both));
        try (TokenStore store = new TokenStore(jdbi, true)) {
            store.claimLive(both, "later", "hash-later", now + 1000, now + 1000 + HOUR);
            store.claimLive(both, "expired", "hash-expired", now - 2 * HOUR, now - HOUR);
        }
        try (TokenStore store = new TokenStore(jdbi, true)) {
            assertThat(store.allLive(now).get(claimedOnItsRow)).isEqualTo(new TokenStore.Live("on-row", now + HOUR));
            assertThat(store.allLive(now).get(both)).isEqualTo(new TokenStore.Live("later", now + 1000 + HOUR));
        }
    }

    private List<String> hashesOf(long serviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT token_hash FROM access_token WHERE service_id = :id")
                .bind("id", serviceId).mapTo(String.class).list());
    }
}
