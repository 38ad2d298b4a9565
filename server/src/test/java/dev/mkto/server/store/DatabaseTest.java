package dev.mkto.server.store;

import static org.assertj.core.api.Assertions.assertThat;

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
}
