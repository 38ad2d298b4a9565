package dev.mkto.cli.leads;

import java.time.Duration;

/**
 * What to do if a piece of work stops before it is done — undo it, or say how to go on: when mkto
 * is stopped (Ctrl-C, a kill: a shutdown hook runs it) or when the work fails ({@link #now()}). It
 * runs once, at most {@link #PATIENCE} long (a call to Marketo that does not answer must not hold
 * up the exit), and never throws: it is the tidying up after a failure that is already reported.
 */
final class Unfinished implements AutoCloseable {

    static final Duration PATIENCE = Duration.ofSeconds(5);

    private final Thread hook;
    private final Runnable action;
    private boolean done;

    private Unfinished(String name, Runnable action) {
        this.action = action;
        this.hook = new Thread(this::runBounded, "mkto-unfinished-" + name);
    }

    /** Runs {@code action} if mkto stops before {@link #close()}; {@code name} names the thread. */
    static Unfinished onStop(String name, Runnable action) {
        Unfinished undo = new Unfinished(name, action);
        Runtime.getRuntime().addShutdownHook(undo.hook);
        return undo;
    }

    /** The work failed: undo it now (once), and no longer when mkto stops. */
    void now() {
        if (forget()) {
            runBounded();
        }
    }

    /** The work is done, or undone: nothing to do when mkto stops. */
    @Override
    public void close() {
        forget();
    }

    private synchronized boolean forget() {
        if (done) {
            return false;
        }
        done = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            return false; // mkto is stopping: the hook runs (or ran) it
        }
        return true;
    }

    private void runBounded() {
        Thread worker = new Thread(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                // best effort: the failure that led here is what gets reported
            }
        }, hook.getName() + "-work");
        worker.setDaemon(true);
        worker.start();
        try {
            worker.join(PATIENCE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
