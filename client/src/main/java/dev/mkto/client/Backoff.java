package dev.mkto.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter ("equal jitter": half the step fixed, half random), so that many
 * threads or processes refused at once do not come back at once. The step doubles per retry up to
 * a cap that fits the refusal: Marketo's rate window is 20 s, calls in flight clear in moments.
 */
final class Backoff {

    enum Kind {
        /** 606: the instance's rate window is full. */
        RATE(Duration.ofSeconds(1), Duration.ofSeconds(20)),
        /** 615: too many calls in flight. */
        CONCURRENCY(Duration.ofMillis(250), Duration.ofSeconds(5)),
        /** 604, 608, 611, 713, HTTP 5xx, a failed connection. */
        TRANSIENT(Duration.ofSeconds(1), Duration.ofSeconds(30));

        private final Duration base;
        private final Duration cap;

        Kind(Duration base, Duration cap) {
            this.base = base;
            this.cap = cap;
        }
    }

    private final RandomGenerator random;

    Backoff(RandomGenerator random) {
        this.random = random;
    }

    /** The wait before retry number {@code retry} (1 for the first). */
    Duration delay(Kind kind, int retry) {
        long step = kind.base.toMillis() << Math.min(Math.max(retry - 1, 0), 20);
        long capped = Math.min(step, kind.cap.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }

    static Kind kindOf(String code) {
        return switch (code) {
            case ErrorCodes.RATE_LIMIT -> Kind.RATE;
            case ErrorCodes.CONCURRENCY_LIMIT -> Kind.CONCURRENCY;
            default -> Kind.TRANSIENT;
        };
    }
}
