package dev.mkto.server.store;

import java.time.Duration;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A counter in the database that every configuration change bumps and every process polls, so that
 * a change made through one process (a service disabled, a role edited, a limit lowered) reaches
 * the caches of all processes within one poll interval.
 */
public final class Revisions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Revisions.class);
    private static final String READ = "SELECT revision FROM config_revision WHERE id = 1";
    private static final String BUMP = "UPDATE config_revision SET revision = revision + 1 WHERE id = 1";

    private final Jdbi jdbi;
    private final Duration interval;
    private final Pause pause = new Pause();
    private volatile Thread poller;
    private volatile Long baseline;

    public Revisions(Jdbi jdbi, Duration interval) {
        this.jdbi = jdbi;
        this.interval = interval;
    }

    /** Bumps the revision on {@code handle}, inside its transaction if it has one. */
    public void bump(Handle handle) {
        handle.createUpdate(BUMP).execute();
    }

    /**
     * Reads the revision now, for {@link #start} to report every change made after this moment:
     * called before a starting process caches anything, a change made through another process
     * while this one starts is not lost.
     */
    public void baseline() {
        baseline = current();
    }

    /** Polls in the background; {@code onChange} runs whenever the revision moves (since {@link #baseline}, if taken). */
    public void start(Runnable onChange) {
        Long taken = baseline;
        long initial = taken != null ? taken : current();
        poller = Thread.ofVirtual().name("mkto-revisions").start(() -> {
            long seen = initial;
            boolean failing = false;
            while (pause.sleep(interval)) {
                try {
                    long now = current();
                    if (failing) {
                        LOG.info("the database answers again");
                        failing = false;
                        onChange.run(); // changes may have been missed while it was away
                    }
                    if (now != seen) {
                        seen = now;
                        onChange.run();
                    }
                } catch (RuntimeException e) {
                    if (!failing) {
                        LOG.warn("cannot read the configuration revision ({}); caches stay as they are until it answers",
                                e.getClass().getSimpleName());
                        failing = true;
                    }
                }
            }
        });
    }

    private long current() {
        return jdbi.withHandle(h -> h.createQuery(READ).mapTo(Long.class).one());
    }

    @Override
    public void close() {
        pause.stop(poller, Duration.ofSeconds(5));
    }
}
