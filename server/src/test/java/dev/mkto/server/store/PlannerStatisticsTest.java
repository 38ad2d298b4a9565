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
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL the server analyses the lead and activity tables itself once they doubled (and
 * grew by 1,000 rows), instead of waiting for autovacuum: without it, a bulk load planned its
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

    @Test
    void aTableIsAnalysedAfterItsFirstThousandRowsThenEachTimeItHasDoubled() {
        Backend.Database db = Backend.POSTGRES.create(null);
        try {
            Jdbi jdbi = Jdbi.create(db.url(), db.user(), "");
            jdbi.useHandle(h -> h.execute("CREATE TABLE grown (id INT)"));
            AtomicInteger analyses = new AtomicInteger();
            PlannerStatistics statistics = PlannerStatistics.of(jdbi, task -> {
                analyses.incrementAndGet();
                task.run();
            });
            int[][] steps = {
                // rows added, analyses so far
                {999, 0}, {1, 1},       // 1,000 rows: the first
                {999, 1}, {1, 2},       // 2,000: doubled
                {1_500, 2}, {500, 3},   // 3,500 is not double 2,000 (a fifth more would have been); 4,000 is
                {3_999, 3}, {1, 4},     // 8,000
            };
            int rows = 0;
            for (int[] step : steps) {
                int from = rows;
                rows += step[0];
                int to = rows;
                jdbi.useHandle(h -> h.execute("INSERT INTO grown SELECT generate_series(" + (from + 1) + ", " + to + ")"));
                statistics.grew("grown", step[0]);
                assertThat(analyses.get()).as("analyses after %,d rows", to).isEqualTo(step[1]);
            }
            long counted = jdbi.withHandle(h -> h.createQuery("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('grown')")
                    .mapTo(Long.class).one());
            assertThat(counted).as("the last ANALYZE counted every row").isEqualTo(8_000L);
        } finally {
            db.drop().run();
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
