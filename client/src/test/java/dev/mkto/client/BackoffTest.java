package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Back-off: doubling steps, capped per kind of refusal, with jitter so refused callers spread out. */
class BackoffTest {

    @Test
    void delayWhenRetriesGrowThenStepDoublesWithinJitterUpToTheCap() {
        Backoff backoff = new Backoff(new Random(42));
        for (int retry = 1; retry <= 8; retry++) {
            long step = Math.min(1000L << (retry - 1), 20_000);
            Duration d = backoff.delay(Backoff.Kind.RATE, retry);
            assertThat(d.toMillis()).as("retry %d", retry).isBetween(step / 2, step);
        }
        assertThat(backoff.delay(Backoff.Kind.CONCURRENCY, 1).toMillis()).isBetween(125L, 250L);
        assertThat(backoff.delay(Backoff.Kind.CONCURRENCY, 10).toMillis()).isBetween(2_500L, 5_000L);
        assertThat(backoff.delay(Backoff.Kind.TRANSIENT, 30).toMillis()).isBetween(15_000L, 30_000L);
    }

    @Test
    void delayWhenManyCallersRefusedAtOnceThenTheyComeBackAtDifferentTimes() {
        Backoff backoff = new Backoff(new Random(7));
        Set<Duration> delays = new HashSet<>();
        for (int caller = 0; caller < 20; caller++) {
            delays.add(backoff.delay(Backoff.Kind.RATE, 3));
        }
        assertThat(delays).hasSizeGreaterThan(15);
    }

    @Test
    void kindOfWhenCodeThenRateConcurrencyOrTransient() {
        assertThat(Backoff.kindOf("606")).isEqualTo(Backoff.Kind.RATE);
        assertThat(Backoff.kindOf("615")).isEqualTo(Backoff.Kind.CONCURRENCY);
        assertThat(Backoff.kindOf("611")).isEqualTo(Backoff.Kind.TRANSIENT);
    }

    @Test
    void limitsWhenInvalidThenRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new Limits(0, Duration.ofSeconds(20), 10)).hasMessageContaining("limits.calls");
        assertThatThrownBy(() -> new Limits(10, Duration.ZERO, 10)).hasMessageContaining("limits.window");
        assertThatThrownBy(() -> new Limits(10, Duration.ofSeconds(1), 0)).hasMessageContaining("limits.concurrent");
        assertThatThrownBy(() -> Limits.share(1.5)).hasMessageContaining("share");
    }
}
