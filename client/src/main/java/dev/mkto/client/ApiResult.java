package dev.mkto.client;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a call to Marketo came to: a success with its value, or the errors that stopped it. Marketo
 * answers failures with HTTP 200 and {@code "success": false}; the SDK never makes you look at the
 * status. Only a call that got no answer at all throws ({@link TransportException}); a batch call
 * whose later request gets no answer ends with the error {@code no_answer} and the earlier results.
 *
 * <p>A call that spans several requests (paging, batches of 300) stops at the first request that
 * fails and keeps what the earlier ones returned: {@link #value()} holds that part, {@link #errors()}
 * says why it stopped.
 *
 * @param <T> the value of a successful call
 */
public final class ApiResult<T> {

    private final boolean success;
    private final @Nullable T value;
    private final List<MarketoError> errors;
    private final List<MarketoError> warnings;
    private final List<String> requestIds;
    private final @Nullable AuthenticationFailure authenticationFailure;
    private final @Nullable Instant quotaResetsAt;
    private final @Nullable String nextPageToken;
    private final boolean moreResult;

    ApiResult(boolean success, @Nullable T value, List<MarketoError> errors, List<MarketoError> warnings, List<String> requestIds,
              @Nullable AuthenticationFailure authenticationFailure, @Nullable Instant quotaResetsAt,
              @Nullable String nextPageToken, boolean moreResult) {
        this.success = success;
        this.value = value;
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
        this.requestIds = List.copyOf(requestIds);
        this.authenticationFailure = authenticationFailure;
        this.quotaResetsAt = quotaResetsAt;
        this.nextPageToken = nextPageToken;
        this.moreResult = moreResult;
    }

    /** True when every request the call made succeeded. */
    public boolean success() {
        return success;
    }

    /** The value: always present on success; on failure, what the requests before the failing one returned, if anything. */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    /** The value of a successful call; otherwise throws an {@link ApiFailureException} carrying the errors. */
    public T orElseThrow() {
        if (success && value != null) {
            return value;
        }
        throw new ApiFailureException(describe(), errors, authenticationFailure);
    }

    /** Marketo's errors, the one that stopped the call first; empty on success. */
    public List<MarketoError> errors() {
        return errors;
    }

    /** The first error, if any. */
    public Optional<MarketoError> error() {
        return errors.isEmpty() ? Optional.empty() : Optional.of(errors.get(0));
    }

    /** True when one of the errors has this code, e.g. {@code hasError("603")}. */
    public boolean hasError(String code) {
        return errors.stream().anyMatch(e -> e.code().equals(code));
    }

    /** Marketo's warnings; a warning given as a bare string has an empty code. */
    public List<MarketoError> warnings() {
        return warnings;
    }

    /** Marketo's request id of the last request the call made. */
    public Optional<String> requestId() {
        return requestIds.isEmpty() ? Optional.empty() : Optional.of(requestIds.get(requestIds.size() - 1));
    }

    /** Marketo's request ids of every request the call made, in order (one per page or batch). */
    public List<String> requestIds() {
        return requestIds;
    }

    /** Present when no access token could be had: the identity service's answer. */
    public Optional<AuthenticationFailure> authenticationFailure() {
        return Optional.ofNullable(authenticationFailure);
    }

    /** Present when the call was refused with 607 (daily quota): when the quota resets. */
    public Optional<Instant> quotaResetsAt() {
        return Optional.ofNullable(quotaResetsAt);
    }

    /** The paging token Marketo returned with the last page, for calls that expose paging. */
    public Optional<String> nextPageToken() {
        return Optional.ofNullable(nextPageToken);
    }

    /** Marketo's {@code moreResult} of the last page. */
    public boolean moreResult() {
        return moreResult;
    }

    /** The same result with its value transformed. */
    public <U> ApiResult<U> map(Function<? super T, ? extends U> f) {
        return new ApiResult<>(success, value == null ? null : f.apply(value), errors, warnings, requestIds,
                authenticationFailure, quotaResetsAt, nextPageToken, moreResult);
    }

    private String describe() {
        StringBuilder b = new StringBuilder(success ? "success without a value" : "failed: ");
        if (authenticationFailure != null) {
            // a 5xx is the identity service (or a gateway before it) failing, not a refusal of the credentials
            b.append(authenticationFailure.httpStatus() >= 500 ? "the identity service failed (" : "authentication refused (")
                    .append(authenticationFailure).append(')');
        } else if (!errors.isEmpty()) {
            b.append(errors.get(0));
            if (errors.size() > 1) {
                b.append(" (and ").append(errors.size() - 1).append(" more)");
            }
        }
        if (quotaResetsAt != null) {
            b.append("; the daily quota resets at ").append(quotaResetsAt);
        }
        requestId().ifPresent(id -> b.append(" [requestId ").append(id).append(']'));
        return b.toString();
    }

    @Override
    public String toString() {
        return success ? "ApiResult[success" + requestId().map(id -> ", requestId " + id).orElse("") + "]"
                : "ApiResult[" + describe() + "]";
    }
}
