package dev.mkto.cli.term;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The progress line: bar, percentage, rate and time left, on a clock the test moves. */
class ProgressTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Progress progress(boolean interactive, long total, long startDone, long startItems) {
        return new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), interactive, true, clock, "importing x.csv", "rows", total,
                startDone, startItems);
    }

    @Test
    void renderWhenAQuarterIsDoneInTenSecondsThenRateAndThirtySecondsLeft() {
        Progress p = progress(false, 1_000, 0, 0);
        clock.advance(Duration.ofSeconds(10));
        p.update(250, 2_500);

        assertThat(p.render(clock.instant())).isEqualTo("importing x.csv  [██████░░░░░░░░░░░░░░░░░░]  25%  2,500 rows  250 rows/s  ETA 0:30");
    }

    @Test
    void renderWhenResumedThenTheRateAndTimeLeftCountOnlyThisRunsWork() {
        Progress p = progress(false, 1_000, 500, 5_000);
        clock.advance(Duration.ofSeconds(5));
        p.update(750, 7_500);

        assertThat(p.render(clock.instant())).endsWith("75%  7,500 rows  500 rows/s  ETA 0:05");
    }

    @Test
    void updateWhenNotATerminalThenOneLinePerTenthAndNoControlCharacters() {
        Progress p = progress(false, 100, 0, 0);
        for (int i = 1; i <= 100; i++) {
            clock.advance(Duration.ofMillis(10));
            p.update(i, i);
        }
        p.finish();

        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().count()).as("the start and each tenth").isEqualTo(11);
        assertThat(out).doesNotContain("\r").contains("100%").contains("done in 0:01");
    }

    @Test
    void updateWhenATerminalThenRedrawnInPlaceAtMostTenTimesASecond() {
        Progress p = progress(true, 1_000, 0, 0);
        for (int i = 1; i <= 100; i++) {
            clock.advance(Duration.ofMillis(20));
            p.update(i * 10, i);
        }
        p.finish();

        String out = err.toString(StandardCharsets.UTF_8);
        assertThat(out.chars().filter(c -> c == '\r').count()).isBetween(20L, 22L);
        assertThat(out).endsWith("\033[K\n");
    }

    @Test
    void renderWhenTheTotalIsUnknownThenCountAndRateOnly() {
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), false, true, clock, "exporting leads", "leads", 0, 0, 0);
        clock.advance(Duration.ofSeconds(2));
        p.update(0, 600);

        assertThat(p.render(clock.instant())).isEqualTo("exporting leads  600 leads  300 leads/s");
    }

    @Test
    void finishWhenTheLastStateWasAlreadyPrintedThenNotPrintedAgain() {
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), false, true, clock, "exporting leads", "leads", 0, 0, 0);
        p.update(0, 3);
        p.finish();

        assertThat(err.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(1);
    }

    @Test
    void barsWhenValuesThenEighthsOfABlock() {
        assertThat(Bars.bar(100, 100, 4)).isEqualTo("████");
        assertThat(Bars.bar(50, 100, 3)).isEqualTo("█▌");
        assertThat(Bars.bar(1, 1_000_000, 10)).isEqualTo("▏");
        assertThat(Bars.bar(0, 100, 10)).isEmpty();
    }
}
