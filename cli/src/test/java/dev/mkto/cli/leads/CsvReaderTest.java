package dev.mkto.cli.leads;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 as the import reads it, and the byte offsets it resumes at. */
class CsvReaderTest {

    private static List<CsvReader.Row> read(String text, long from) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        CsvReader r = new CsvReader(new ByteArrayInputStream(bytes, (int) from, bytes.length - (int) from), from, 0, null);
        List<CsvReader.Row> rows = new ArrayList<>();
        for (CsvReader.Row row = r.next(); row != null; row = r.next()) {
            rows.add(row);
        }
        return rows;
    }

    @Test
    void readWhenQuotedCommasQuotesAndLineBreaksThenFieldsAsWrittenAndOneRecordEach() throws Exception {
        List<CsvReader.Row> rows = read("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nplain,,end\n", 0);

        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).fields()).containsExactly("x, y", "say \"hi\"", "two\nlines");
        assertThat(rows.get(2).fields()).containsExactly("plain", "", "end");
        assertThat(rows.get(2).row()).isEqualTo(3);
        assertThat(rows).allSatisfy(r -> assertThat(r.error()).isNull());
    }

    @Test
    void readWhenStartedAtARecordsEndOffsetThenTheNextRecordsFollowExactly() throws Exception {
        String text = "\uFEFFemail,name\nada@example.com,\"Ada\nLovelace\"\ngrace@example.com,Grace\n";
        List<CsvReader.Row> all = read(text, 0);

        List<CsvReader.Row> rest = read(text, all.get(1).end());

        assertThat(all.get(0).fields()).containsExactly("email", "name");
        assertThat(rest).hasSize(1);
        assertThat(rest.get(0).fields()).containsExactly("grace@example.com", "Grace");
        assertThat(all.get(2).end()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void readWhenARecordBreaksTheSyntaxThenItCarriesTheErrorAndReadingGoesOn() throws Exception {
        List<CsvReader.Row> rows = read("a,b\n\"x\"y,z\nok,1\n\"open,2", 0);

        assertThat(rows.get(1).error()).isEqualTo("text follows a closing quote");
        assertThat(rows.get(1).original()).isEqualTo("\"x\"y,z");
        assertThat(rows.get(2).fields()).containsExactly("ok", "1");
        assertThat(rows.get(3).error()).contains("not closed");
    }

    @Test
    void readWhenBlankLinesAndNonAsciiThenSkippedUnnumberedAndDecoded() throws Exception {
        List<CsvReader.Row> rows = read("h\n\n\r\nZoë Ünal\n", 0);

        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).fields()).containsExactly("Zoë Ünal");
        assertThat(rows.get(1).row()).isEqualTo(2);
    }

    @Test
    void writeWhenReadBackThenTheSameFields() throws Exception {
        List<String> fields = List.of("plain", "a,b", "q\"uote", "line\nbreak", " edge ", "");

        List<CsvReader.Row> rows = read(CsvWriter.line(fields), 0);

        assertThat(rows.get(0).fields()).isEqualTo(fields);
    }
}
