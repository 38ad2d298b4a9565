package dev.mkto.client;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link ApiResult#orElseThrow()} for a result that is not a success: carries Marketo's
 * errors (and the identity service's answer when authentication failed) for callers who prefer
 * exceptions to checking {@link ApiResult#success()}.
 */
public final class ApiFailureException extends MarketoException {

    private static final long serialVersionUID = 1L;

    private final transient List<MarketoError> errors;
    private final transient @Nullable AuthenticationFailure authenticationFailure;

    ApiFailureException(String message, List<MarketoError> errors, @Nullable AuthenticationFailure authenticationFailure) {
        super(message);
        this.errors = List.copyOf(errors);
        this.authenticationFailure = authenticationFailure;
    }

    /** The errors of the failed result, first the one that stopped it. */
    public List<MarketoError> errors() {
        return errors;
    }

    /** Present when the call failed because no access token could be had. */
    public Optional<AuthenticationFailure> authenticationFailure() {
        return Optional.ofNullable(authenticationFailure);
    }
}
