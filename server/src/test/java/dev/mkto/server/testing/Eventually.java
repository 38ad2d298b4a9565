package dev.mkto.server.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for what happens in the background (a flush, a reconnection): polls every 50 ms, fails naming what did not happen. */
public final class Eventually {

    private Eventually() {
    }

    public static void eventually(Duration within, Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
