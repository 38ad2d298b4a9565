package dev.mkto.cli.term;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;

/**
 * A progress bar on standard error with the rate and the time left: redrawn in place (at most ten
 * times a second) when a person watches a terminal, otherwise one line every tenth of the way, so
 * logs stay short. Work of unknown size shows the count and rate only. Never on standard output.
 *
 * <p>mkto draws its own rather than use a library: the one considered (me.tongfei:progressbar)
 * brings JLine, which probes the terminal and prints warnings where there is none, and cannot be
 * driven by an injected clock; this needs a fraction of that.
 */
public final class Progress {

    private static final int WIDTH = 24;
    private static final Duration REDRAW = Duration.ofMillis(100);

    private final PrintStream err;
    private final boolean interactive;
    private final InstantSource clock;
    private final String label;
    private final String unit;
    private final long total;
    private final long startDone;
    private final long startItems;
    private final Instant start;
    private final boolean enabled;
    private Instant lastDraw = Instant.MIN;
    private int lastTenth = -1;
    private long printedDone = -1;
    private long printedItems = -1;
    private long done;
    private long items;

    /**
     * @param total      the size of the work (e.g. bytes of the input), or 0 when unknown
     * @param startDone  how much was done before this run (a resumed import)
     * @param startItems items (rows, leads) done before this run
     */
    public Progress(PrintStream err, boolean interactive, boolean enabled, InstantSource clock, String label, String unit, long total,
                    long startDone, long startItems) {
        this.err = err;
        this.interactive = interactive;
        this.enabled = enabled;
        this.clock = clock;
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.startDone = startDone;
        this.startItems = startItems;
        this.start = clock.instant();
        this.done = startDone;
        this.items = startItems;
    }

    /** The work has reached {@code done} of the total, with {@code items} items. */
    public void update(long done, long items) {
        this.done = done;
        this.items = items;
        if (!enabled) {
            return;
        }
        Instant now = clock.instant();
        if (interactive) {
            if (Duration.between(lastDraw, now).compareTo(REDRAW) >= 0) {
                lastDraw = now;
                err.print("\r" + render(now) + "\033[K");
                err.flush();
            }
        } else {
            int tenth = total > 0 ? (int) Math.min(10, done * 10 / total) : (int) Math.min(Integer.MAX_VALUE, items / 10_000);
            if (tenth != lastTenth) {
                lastTenth = tenth;
                print(now);
            }
        }
    }

    /** The last state, on a line of its own. */
    public void finish() {
        if (!enabled) {
            return;
        }
        String line = render(clock.instant());
        if (interactive) {
            err.print("\r" + line + "\033[K\n");
        } else if (printedDone != done || printedItems != items) {
            print(clock.instant());
        }
        err.flush();
    }

    private void print(Instant now) {
        printedDone = done;
        printedItems = items;
        err.println(render(now));
    }

    String render(Instant now) {
        double seconds = Math.max(0.001, Duration.between(start, now).toMillis() / 1000.0);
        double rate = (items - startItems) / seconds;
        StringBuilder b = new StringBuilder(label).append("  ");
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int full = (int) Math.round(fraction * WIDTH);
            b.append('[').append("█".repeat(full)).append("░".repeat(WIDTH - full)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100))).append("  ");
        }
        b.append(String.format(Locale.ROOT, "%,d %s  %,.0f %s/s", items, unit, rate, unit));
        if (total > 0) {
            long doneHere = done - startDone;
            if (done >= total) {
                b.append("  done in ").append(clock(Duration.between(start, now)));
            } else if (doneHere > 0) {
                long left = (long) ((total - done) * (seconds / doneHere));
                b.append("  ETA ").append(clock(Duration.ofSeconds(left)));
            } else {
                b.append("  ETA --:--");
            }
        }
        return b.toString();
    }

    private static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
