package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

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
