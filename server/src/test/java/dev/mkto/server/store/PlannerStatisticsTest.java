package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL the server analyses the lead and activity tables itself once they grew by a
 * fifth (and 1,000 rows), instead of waiting for autovacuum: without it, a bulk load planned its
 * dedupe lookups on "empty table" statistics and read the whole table for every batch.
 */
class PlannerStatisticsTest {

    @Test
    void leadsSyncedPastAThousandThenTheLeadAndActivityTablesAreAnalysed() throws Exception {
        try (TestServer server = TestServer.start(Backend.POSTGRES)) {
            String writer = server.admin().tokenWith("Read-Write Lead");
            assertThat(lastAnalyzed(server, "lead")).as("nothing analysed before the load").isNull();
            for (int batch = 0; batch < 4; batch++) {
                List<Map<String, Object>> input = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    input.add(Map.of("email", "stats-" + batch + "-" + i + "@example.com"));
                }
                Api.Response r = server.api().post("/rest/v1/leads.json", writer, Map.of("action", "createOnly", "input", input));
                assertThat(r.success()).as(r.text()).isTrue();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((lastAnalyzed(server, "lead") == null || lastAnalyzed(server, "activity") == null) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(lastAnalyzed(server, "lead")).as("lead analysed after 1,200 rows").isNotNull();
            assertThat(lastAnalyzed(server, "activity")).as("activity analysed after 1,200 rows").isNotNull();
        }
    }

    /** When the table was last analysed by an ANALYZE statement (autovacuum's runs are counted apart). */
    private static Object lastAnalyzed(TestServer server, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(server.dbUrl(), Backend.postgresUser(), "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT last_analyze FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                     + "AND relname = '" + table + "'")) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }
}
