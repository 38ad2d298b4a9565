package dev.mkto.client;

import java.time.Duration;

/** Waits: back-offs and the limiter sleep through this, so tests move a clock instead of sleeping. */
@FunctionalInterface
interface Sleeper {

    Sleeper SYSTEM = d -> {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    };

    void sleep(Duration duration) throws InterruptedException;
}
