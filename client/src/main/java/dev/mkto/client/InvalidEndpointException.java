package dev.mkto.client;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What was given as an endpoint cannot be one of Marketo's: the message says what is wrong and,
 * where one can be worked out, {@link #suggestion()} holds the endpoint that was probably meant.
 * Neither ever repeats a password or query string that was pasted with the endpoint.
 */
public final class InvalidEndpointException extends MarketoException {

    private static final long serialVersionUID = 1L;

    private final String problem;
    private final @Nullable String suggestion;

    InvalidEndpointException(String problem, @Nullable String suggestion) {
        super("Not a Marketo endpoint: " + problem + (suggestion == null ? "" : " Did you mean " + suggestion + " ?"));
        this.problem = problem;
        this.suggestion = suggestion;
    }

    /** What is wrong, as a sentence. */
    public String problem() {
        return problem;
    }

    /** The endpoint that was probably meant, when it can be worked out. */
    public Optional<String> suggestion() {
        return Optional.ofNullable(suggestion);
    }
}
