package dev.mkto.cli.term;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tables of names a server or a file chose: printed, never obeyed, and aligned as a terminal shows them. */
class TableTest {

    private static String print(Table t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printWhenACellHoldsEscapeSequencesOrDirectionOverridesThenTheyAreWrittenOutNotSent() {
        Table t = new Table("NAME", "CALLS").row("a\u001b]0;owned\u0007\u001b[2Jb", 3).row("evil\u202egnp.exe", 1).row("x\r\ny\u009b31m", 2);

        String out = print(t);

        assertThat(out).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e").doesNotContain("\r")
                .doesNotContain("\u009b");
        assertThat(out).contains("a\\u001b]0;owned\\u0007\\u001b[2Jb").contains("evil\\u202egnp.exe").contains("x\\u000d\\u000ay\\u009b31m");
        assertThat(out.split("\n")).hasSize(4);
    }

    @Test
    void printWhenCellsHoldWideOrCombiningCharactersThenColumnsAlignOnTheTerminal() {
        Table t = new Table("NAME", "CALLS", "USER").row("営業チーム", 12, "a").row("Ops", 3, "b").row("Cafe\u0301", 100, "c");

        assertThat(print(t)).isEqualTo(String.join("\n",
                "NAME" + " ".repeat(8) + "CALLS  USER",
                "営業チーム" + " ".repeat(5) + "12  a",
                "Ops" + " ".repeat(13) + "3  b",
                "Cafe\u0301" + " ".repeat(10) + "100  c",
                ""));
    }
}
