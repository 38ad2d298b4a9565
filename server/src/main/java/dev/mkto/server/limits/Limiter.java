package dev.mkto.server.limits;

/**
 * Where calls are counted against limits: in this process's memory ({@link LocalLimiter}) or in
 * Redis, shared by every process ({@link RedisLimiter}). Admission checks, in order, the daily
 * quota (607), the sliding rate window (606) and the calls in flight (615), for the instance and,
 * when it has caps, the service; an admitted call holds a {@link Permit} until it is answered.
 */
interface Limiter extends AutoCloseable {

    /** Admits a call counted against {@code scopes} (instance first) or says which limit refused it. */
    Admission acquire(Scope[] scopes, long now);

    /** The call is answered; {@code refund} takes it back out of the window and the quota (exempt answers). */
    void release(Permit permit, boolean refund);

    /** The scope's quota counter starts again, at its next admission, from the usage recorded that day. */
    void recount(Scope scope);

    /** How much of each limit of {@code scope} is in use. */
    Usage usage(Scope scope, long now);

    @Override
    void close();

    /** A set of limits and the key they are counted under. {@code Integer.MAX_VALUE} means none. */
    record Scope(String key, int rateCalls, long windowMillis, int concurrent, long dailyQuota, String day) {
    }

    /** An admitted call; {@code id} names it in Redis (null in memory). */
    record Permit(Scope[] scopes, String id, long admittedAt) {
    }

    /** The outcome of {@link #acquire}: a permit, or the refusing limit (606, 607, 615) and scope. */
    record Admission(Permit permit, int refusal, Scope refusedBy) {
        static Admission admitted(Permit p) {
            return new Admission(p, 0, null);
        }

        static Admission refused(int code, Scope scope) {
            return new Admission(null, code, scope);
        }
    }

    /** Current use: calls in the window, in flight (and the most seen at once), today's quota. */
    record Usage(long inWindow, long inFlight, long peakInFlight, long quotaUsed) {
    }
}
