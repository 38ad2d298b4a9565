package dev.mkto.client;

import java.util.Map;
import java.util.Set;

/**
 * Marketo's codes as the SDK treats them: which end a call, which are retried and when. The table
 * in docs/client.md is this class in words.
 */
final class ErrorCodes {

    /** The token was refused: drop it, authenticate once, repeat the call with the new token. */
    static final Set<String> TOKEN = Set.of("600", "601", "602");
    /** The instance's rate window is full: back off (the whole client) and repeat. */
    static final String RATE_LIMIT = "606";
    /** Too many calls in flight for the instance: back off and repeat. */
    static final String CONCURRENCY_LIMIT = "615";
    /** The daily quota is used up: never repeated before it resets. */
    static final String DAILY_QUOTA = "607";
    /** Transient failures after which the request may or may not have been executed: repeated only where that is safe. */
    static final Set<String> TRANSIENT = Set.of("604", "608", "611", "713", "500", "502", "503", "504");
    /** Calls answered with these are not counted against the instance's limits. */
    static final Set<String> NOT_COUNTED = Set.of("600", "601", "602", "604", "605", "608", "611");

    private static final Map<String, String> MEANINGS = Map.ofEntries(
            Map.entry("600", "No access token was sent. The SDK authenticates and repeats the call once."),
            Map.entry("601", "The access token is not valid (unknown, revoked, or expired and already reported). The SDK drops it, authenticates once and repeats the call with the new token."),
            Map.entry("602", "The access token expired. The SDK drops it, authenticates once and repeats the call with the new token."),
            Map.entry("603", "Access denied: the API-only user's role lacks a permission this endpoint needs, or the instance's IP allowlist does not include this machine. MarketoClient.diagnose() tells which."),
            Map.entry("604", "Marketo timed the request out; it may have been executed. Repeated only when the call is safe to repeat."),
            Map.entry("605", "The endpoint does not accept this HTTP method."),
            Map.entry("606", "The instance's rate limit (by default 100 calls in 20 seconds, shared by every integration) was exceeded. The SDK pauses the client, backs off with jitter and repeats the call, up to its retries."),
            Map.entry("607", "The instance's daily quota is used up. Never repeated: ApiResult.quotaResetsAt() says when it resets (midnight, America/Chicago)."),
            Map.entry("608", "The API is temporarily unavailable. Repeated only when the call is safe to repeat."),
            Map.entry("609", "The request body is not valid JSON, or not the shape the endpoint takes."),
            Map.entry("610", "No such resource: the path, or the endpoint the client was given, is wrong."),
            Map.entry("611", "Marketo failed unexpectedly; the request may have been executed. Repeated only when the call is safe to repeat."),
            Map.entry("612", "The request's content type is not what the endpoint takes."),
            Map.entry("613", "The multipart request is malformed."),
            Map.entry("614", "The subscription could not be found or reached (usually temporary)."),
            Map.entry("615", "The instance's concurrency limit (by default 10 calls in flight, shared by every integration) was reached. The SDK backs off with jitter and repeats the call, up to its retries."),
            Map.entry("616", "The subscription's type does not include this API."),
            Map.entry("701", "A required parameter is missing or empty."),
            Map.entry("702", "No data matched the request."),
            Map.entry("703", "The feature is not enabled for the subscription."),
            Map.entry("704", "A date is not in a format Marketo accepts."),
            Map.entry("709", "The request breaks a business rule (e.g. approving an asset with no draft)."),
            Map.entry("710", "The parent folder does not exist."),
            Map.entry("711", "The folder is of the wrong type."),
            Map.entry("713", "A transient error. Repeated only when the call is safe to repeat."),
            Map.entry("719", "A lock wait timed out on Marketo's side."),
            Map.entry("no_answer", "A later request of a batch call got no answer (a lost connection): its records may or may not have been applied, the earlier requests' results are kept. Check before repeating calls that create or send."),
            Map.entry("413", "The request body is larger than Marketo accepts (1 MB)."),
            Map.entry("414", "The URI is longer than Marketo accepts (8 KB); the SDK sends long queries as POST with _method=GET."),
            Map.entry("1001", "A value does not fit its field's type."),
            Map.entry("1002", "A required value is missing (e.g. the lookup field)."),
            Map.entry("1003", "Invalid data (e.g. an id outside updateOnly, or more than 1,000 leads matching a filter)."),
            Map.entry("1004", "The lead was not found."),
            Map.entry("1005", "The lead already exists."),
            Map.entry("1006", "The field does not exist."),
            Map.entry("1007", "More than one lead matches the lookup."),
            Map.entry("1008", "The API user cannot access that partition."),
            Map.entry("1009", "A partition name must be given."),
            Map.entry("1010", "The lead cannot be moved to another partition this way."),
            Map.entry("1011", "The field cannot be used for lookups or filters."),
            Map.entry("1013", "The object was not found."));

    private ErrorCodes() {
    }

    static String meaning(String code) {
        return MEANINGS.getOrDefault(code, "");
    }
}
