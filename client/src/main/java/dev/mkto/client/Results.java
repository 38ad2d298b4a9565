package dev.mkto.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Folds the exchanges of one call (one, or one per page or batch) into an {@link ApiResult}: it
 * succeeds when every exchange did, and stops at the first that did not.
 */
final class Results {

    private final List<String> requestIds = new ArrayList<>();
    private final List<MarketoError> warnings = new ArrayList<>();
    private Runner.@Nullable Exchange failure;
    private Runner.@Nullable Exchange last;

    /** Records an exchange; false when it failed (the caller stops there). */
    boolean add(Runner.Exchange x) {
        last = x;
        Envelope e = x.envelope();
        if (e.requestId() != null) {
            requestIds.add(e.requestId());
        }
        warnings.addAll(e.warnings());
        if (!e.success()) {
            failure = x;
            return false;
        }
        return true;
    }

    boolean failed() {
        return failure != null;
    }

    /** The failing exchange's errors (empty when none failed). */
    List<MarketoError> errors() {
        return failure == null ? List.of() : failure.envelope().errors();
    }

    <T> ApiResult<T> finish(@Nullable T value) {
        Envelope tail = last == null ? null : last.envelope();
        return new ApiResult<>(failure == null, value, errors(), warnings, requestIds,
                failure == null ? null : failure.authenticationFailure(), failure == null ? null : failure.quotaResetsAt(),
                tail == null ? null : tail.nextPageToken(), tail != null && tail.moreResult());
    }

    /** A one-request call: its value read from the envelope on success. */
    static <T> ApiResult<T> single(Runner.Exchange x, Function<Envelope, T> read) {
        Results r = new Results();
        return r.add(x) ? r.finish(read.apply(x.envelope())) : r.finish(null);
    }
}
