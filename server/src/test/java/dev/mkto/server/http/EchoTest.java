package dev.mkto.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EchoTest {

    @Test
    void ofWhenValueIsShortAndPrintableThenUnchanged() {
        assertThat(Echo.of("Europe/Pariss")).isEqualTo("Europe/Pariss");
        assertThat(Echo.of("café ☕")).isEqualTo("café ☕");
    }

    @Test
    void ofWhenValueHoldsControlCharactersThenTheyAreDropped() {
        assertThat(Echo.of("a\u0000b\nc\td\u001b[31me\u007f\u0085f")).isEqualTo("abcd[31mef");
    }

    @Test
    void ofWhenValueIsLongThenAHundredCharactersWithAnEllipsis() {
        String echoed = Echo.of("x".repeat(5000));
        assertThat(echoed).hasSize(100).endsWith("…").startsWith("x".repeat(99));
        assertThat(Echo.of("y".repeat(100))).isEqualTo("y".repeat(100));
    }

    @Test
    void ofWhenLongValueHoldsSurrogatePairsThenNoPairIsCut() {
        String echoed = Echo.of("😀".repeat(150));
        assertThat(echoed.codePointCount(0, echoed.length())).isEqualTo(100);
        assertThat(echoed).isEqualTo("😀".repeat(99) + "…");
    }

    @Test
    void printableWhenValueHoldsControlCharactersThenTheyAreDroppedAndNothingIsCut() {
        assertThat(Echo.printable("no user with userid '\u0000\u001b[31m" + "x".repeat(200) + "'"))
                .isEqualTo("no user with userid '[31m" + "x".repeat(200) + "'");
        String plain = "Invalid value 'é'";
        assertThat(Echo.printable(plain)).isSameAs(plain);
    }

    @Test
    void ofWhenNullThenEmpty() {
        assertThat(Echo.of(null)).isEmpty();
    }
}
