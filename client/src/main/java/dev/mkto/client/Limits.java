package dev.mkto.client;

import java.time.Duration;

/**
 * How fast a client lets itself call Marketo, so that it is not refused with 606 (rate) or 615
 * (concurrency). Marketo's limits belong to the instance and are shared by every integration that
 * calls it: 100 calls in any 20 seconds and 10 calls in flight. Adobe suggests one integration
 * use at most half of that: {@code Limits.share(0.5)}.
 *
 * <p>Clients in one process that call the same instance with equal limits share one limiter.
 * Identity calls do not count, and calls Marketo answers with 601, 602, 604, 605, 608 or 611
 * are given back, as Marketo does not count them either.
 *
 * @param calls      calls that may start in any {@code window}
 * @param window     the sliding window
 * @param concurrent calls that may be in flight at once
 */
public record Limits(int calls, Duration window, int concurrent) {

    private static final Limits MARKETO = new Limits(100, Duration.ofSeconds(20), 10);
    private static final Limits UNLIMITED = new Limits(Integer.MAX_VALUE, Duration.ofSeconds(1), Integer.MAX_VALUE);

    public Limits {
        if (calls < 1) {
            throw new IllegalArgumentException("limits.calls must be at least 1, got " + calls);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("limits.window must be positive, got " + window);
        }
        if (concurrent < 1) {
            throw new IllegalArgumentException("limits.concurrent must be at least 1, got " + concurrent);
        }
    }

    /** Marketo's instance limits: 100 calls in 20 seconds, 10 in flight (the default). */
    public static Limits marketo() {
        return MARKETO;
    }

    /** A share of Marketo's limits, e.g. {@code 0.5} for 50 calls in 20 seconds and 5 in flight; at least 1 of each. */
    public static Limits share(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("limits share must be above 0 and at most 1, got " + fraction);
        }
        return new Limits(Math.max(1, (int) Math.floor(MARKETO.calls * fraction)), MARKETO.window,
                Math.max(1, (int) Math.floor(MARKETO.concurrent * fraction)));
    }

    /** No client-side limiting: Marketo's 606 and 615 answers are still backed off and retried. */
    public static Limits unlimited() {
        return UNLIMITED;
    }

    boolean limitsRate() {
        return calls != Integer.MAX_VALUE;
    }

    boolean limitsConcurrency() {
        return concurrent != Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
        if (this.equals(UNLIMITED)) {
            return "Limits[unlimited]";
        }
        return "Limits[" + (limitsRate() ? calls + " calls per " + window.toSeconds() + " s" : "no rate limit") + ", "
                + (limitsConcurrency() ? concurrent + " in flight" : "no concurrency limit") + "]";
    }
}
