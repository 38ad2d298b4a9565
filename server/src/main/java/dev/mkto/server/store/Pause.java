package dev.mkto.server.store;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How the server's background loops wait between rounds and are told to stop: by a signal, never
 * by an interrupt. A thread interrupted while it reads or writes the database has the channel
 * closed under it — PostgreSQL's socket, and on the embedded H2 the database file itself, for
 * every connection — so a stop lets the round in progress finish and ends the loop at its next wait.
 */
public final class Pause {

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Waits {@code time}; true to go on, false once stopped (at once if it already was). */
    public boolean sleep(Duration time) {
        try {
            return !stopped.await(time.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ends every wait, now and to come. */
    public void stop() {
        stopped.countDown();
    }

    /** Stops the loop {@code thread} runs and waits up to {@code grace} for its round in progress to end. */
    public void stop(Thread thread, Duration grace) {
        stop();
        if (thread == null) {
            return;
        }
        try {
            thread.join(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
