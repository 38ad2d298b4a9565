package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mkto.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "jdbc:h2:file:/var/lib/mkto/mkto;MODE=PostgreSQL;CACHE_SIZE=8192 | true",
        "jdbc:h2:mem:test                                                   | true",
        "jdbc:h2:./data/mkto                                                | true",
        "jdbc:h2:file:/var/lib/mkto/mkto;AUTO_SERVER=TRUE                   | false",
        "jdbc:h2:file:/var/lib/mkto/mkto;auto_server = true                 | false",
        "jdbc:h2:tcp://db.internal:9092/mkto                                | false",
        "jdbc:h2:ssl://db.internal:9092/mkto                                | false",
        "jdbc:postgresql://127.0.0.1:5432/mkto                              | false",
    })
    void isExclusiveWhenUrlGivenThenOnlyAnEmbeddedH2ThatNoOtherProcessCanOpen(String url, boolean exclusive) {
        assertThat(Database.isExclusive(url)).isEqualTo(exclusive);
    }

    @Test
    void h2WhenThreadsAreInterruptedWhileTheyWorkInItThenTheDatabaseStaysOpen(@TempDir Path dir) throws Exception {
        String url = ServerConfig.parse(new String[] {"--data-dir", dir.toString()}, java.util.Map.of()).dbUrl();
        try (Database db = Database.open(url, "", "", 4, InstantSource.system())) {
            int rows = 100_000; // about 60 MB: most reads miss the 8 MB page cache and go to the file
            db.jdbi().useTransaction(h -> {
                h.execute("CREATE TABLE written (id BIGINT PRIMARY KEY, v VARCHAR(2000))");
                var insert = h.prepareBatch("INSERT INTO written (id, v) VALUES (:id, :v)");
                for (int i = 0; i < rows; i++) {
                    insert.bind("id", i).bind("v", "x".repeat(500)).add();
                }
                insert.execute();
            });
            for (int round = 0; round < 300; round++) {
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread worker = Thread.ofVirtual().start(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom();
                    while (!stop.get()) {
                        try {
                            db.jdbi().useHandle(h -> h.createUpdate("UPDATE written SET v = :v WHERE id = :id").bind("id", random.nextInt(rows))
                                    .bind("v", Long.toString(random.nextLong()).repeat(25)).execute());
                        } catch (RuntimeException e) {
                            return; // the interrupted statement itself may fail; what matters is the database after it
                        }
                    }
                });
                Thread.sleep(3 + round % 7);
                worker.interrupt(); // as a stopping server does to its request threads when the grace period ends
                stop.set(true);
                worker.join();
                String mark = "round " + round;
                db.jdbi().useHandle(h -> h.createUpdate("UPDATE written SET v = :v WHERE id = 0").bind("v", mark).execute());
                String read = db.jdbi().withHandle(h -> h.createQuery("SELECT v FROM written WHERE id = 0").mapTo(String.class).one());
                assertThat(read).isEqualTo(mark);
            }
        }
    }

    @Test
    void statementWhenItFailsThenItsExceptionRepeatsNoArgument(@TempDir Path dir) {
        try (Database db = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "", "", 2,
                InstantSource.system())) {
            db.jdbi().useHandle(h -> h.execute("CREATE TABLE kept (secret VARCHAR(40), n INT NOT NULL)"));
            String secret = "s3cr3t-" + System.nanoTime();
            Throwable failed = catchThrowable(() -> db.jdbi().useHandle(h ->
                    h.createUpdate("INSERT INTO kept (secret, n) VALUES (:secret, :n)").bind("secret", secret).bind("n", (Integer) null).execute()));
            assertThat(failed).isNotNull();
            for (Throwable t = failed; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).as(t.getClass().getName()).doesNotContain(secret);
                assertThat(t.toString()).doesNotContain(secret);
            }
        }
    }
}
