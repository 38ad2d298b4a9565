package dev.mkto.cli.leads;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Joining bulk extract files: records, not lines. */
class CopyRecordsTest {

    private static String copy(String file, boolean withHeader, long expectedRecords) throws Exception {
        StringWriter out = new StringWriter();
        assertThat(Exporter.copyRecords(new StringReader(file), out, withHeader)).isEqualTo(expectedRecords);
        return out.toString();
    }

    @Test
    void copyWhenCellsHoldLineBreaksThenTheyStayInsideTheirRecord() throws Exception {
        String file = "email,note\r\na@x.co,\"one\r\ntwo\"\r\nb@x.co,\"three\nfour\"\r\n";
        assertThat(copy(file, true, 2)).isEqualTo(file);
    }

    @Test
    void copyWhenLinesEndWithLfOnlyThenRecordsEndWithCrLf() throws Exception {
        assertThat(copy("email,name\na@x.co,\"Smith, \"\"A\"\"\"\nb@x.co,B", true, 2))
                .isEqualTo("email,name\r\na@x.co,\"Smith, \"\"A\"\"\"\r\nb@x.co,B\r\n");
    }

    @Test
    void copyWhenHeaderNotWantedThenOnlyTheRecordsAfterIt() throws Exception {
        assertThat(copy("email\r\na@x.co\r\n\r\nb@x.co\r\n", false, 2)).isEqualTo("a@x.co\r\nb@x.co\r\n");
        assertThat(copy("email\r\n", false, 0)).isEmpty();
        assertThat(copy("", true, 0)).isEmpty();
    }
}
