package dev.mkto.client;

/**
 * One error or warning as Marketo reports it: a code (a string on the wire: {@code "606"}, or
 * {@code "1004"} for a record) and a message. Errors the SDK reports itself use the HTTP status as
 * code ({@code "413"}, {@code "502"}) when Marketo answered without its envelope, the identity
 * service's {@code error} when no token could be had, {@code "invalid_response"} for an answer
 * that is not Marketo's JSON, and {@code "no_answer"} for a later request of a batch call that got
 * no answer.
 *
 * @param code    Marketo's code, e.g. {@code "601"}
 * @param message Marketo's message, e.g. {@code "Access token invalid"}
 */
public record MarketoError(String code, String message) {

    /** What the code means for the caller, and what the SDK does about it (empty for codes it does not know). */
    public String meaning() {
        return ErrorCodes.meaning(code);
    }

    @Override
    public String toString() {
        return code.isEmpty() ? message : code + " " + message;
    }
}
