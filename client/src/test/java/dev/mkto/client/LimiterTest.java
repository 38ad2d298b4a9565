package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.client.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client-side limiter on a clock the test moves: waits finish at once and move the clock. */
class LimiterTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
    private final List<Duration> waits = new ArrayList<>();
    private final Sleeper sleeper = d -> {
        waits.add(d);
        clock.advance(d);
    };

    @Test
    void acquireWhenWindowFullThenWaitsUntilTheOldestCallLeavesIt() throws Exception {
        Limiter limiter = new Limiter(new Limits(3, Duration.ofSeconds(20), 10), clock, sleeper);
        for (int i = 0; i < 3; i++) {
            limiter.acquire().release(true);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(waits).isEmpty();

        limiter.acquire().release(true);

        assertThat(waits).containsExactly(Duration.ofSeconds(17));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-11-23T12:00:20Z"));
        assertThat(limiter.startedInWindow()).isEqualTo(3);
    }

    @Test
    void releaseWhenCallWasNotCountedThenItsPlaceInTheWindowIsGivenBack() throws Exception {
        Limiter limiter = new Limiter(new Limits(2, Duration.ofSeconds(20), 10), clock, sleeper);
        limiter.acquire().release(true);
        limiter.acquire().release(false); // e.g. answered 601: Marketo does not count it

        limiter.acquire().release(true);

        assertThat(waits).isEmpty();
        assertThat(limiter.startedInWindow()).isEqualTo(2);
    }

    @Test
    void releaseWhenCalledTwiceThenCountsOnce() throws Exception {
        Limiter limiter = new Limiter(new Limits(2, Duration.ofSeconds(20), 1), clock, sleeper);
        Limiter.Permit p = limiter.acquire();
        p.release(false);
        p.release(false);
        limiter.acquire().release(true);
        assertThat(limiter.startedInWindow()).isEqualTo(1);
    }

    @Test
    void acquireWhenConcurrencyFullThenBlocksUntilACallEnds() throws Exception {
        Limiter limiter = new Limiter(new Limits(100, Duration.ofSeconds(20), 2), clock, sleeper);
        Limiter.Permit first = limiter.acquire();
        Limiter.Permit second = limiter.acquire();

        CompletableFuture<Limiter.Permit> third = CompletableFuture.supplyAsync(() -> {
            try {
                return limiter.acquire();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(third).isNotDone();
        first.release(true);

        assertThat(third.get(10, TimeUnit.SECONDS)).isNotNull();
        second.release(true);
        assertThat(waits).isEmpty();
    }

    @Test
    void pauseWhenSetAfterA606ThenNoCallStartsBeforeItEnds() throws Exception {
        Limiter limiter = new Limiter(Limits.marketo(), clock, sleeper);
        limiter.pause(Duration.ofSeconds(4));
        limiter.pause(Duration.ofSeconds(2)); // a shorter pause never shortens the longer one

        limiter.acquire().release(true);

        assertThat(waits).containsExactly(Duration.ofSeconds(4));
    }

    @Test
    void acquireWhenUnlimitedThenNeverWaits() throws Exception {
        Limiter limiter = new Limiter(Limits.unlimited(), clock, sleeper);
        for (int i = 0; i < 1000; i++) {
            limiter.acquire();
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void registryWhenSameInstanceAndLimitsThenOneLimiterShared() {
        Limiter.Registry registry = new Limiter.Registry();
        URI rest = URI.create("https://123-ABC-456.mktorest.com/rest");
        Limiter a = registry.forInstance(rest, Limits.share(0.5), clock, sleeper);
        assertThat(registry.forInstance(rest, Limits.share(0.5), clock, sleeper)).isSameAs(a);
        assertThat(registry.forInstance(rest, Limits.marketo(), clock, sleeper)).isNotSameAs(a);
        assertThat(registry.forInstance(URI.create("https://987-XYZ-654.mktorest.com/rest"), Limits.share(0.5), clock, sleeper)).isNotSameAs(a);
    }

    @Test
    void shareWhenHalfThenFiftyCallsPer20SecondsAndFiveInFlight() {
        assertThat(Limits.share(0.5)).isEqualTo(new Limits(50, Duration.ofSeconds(20), 5));
        assertThat(Limits.share(0.01)).isEqualTo(new Limits(1, Duration.ofSeconds(20), 1));
        assertThat(Limits.marketo()).isEqualTo(new Limits(100, Duration.ofSeconds(20), 10)).hasToString("Limits[100 calls per 20 s, 10 in flight]");
    }
}
