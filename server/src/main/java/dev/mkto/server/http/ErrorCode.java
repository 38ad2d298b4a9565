package dev.mkto.server.http;

/**
 * Marketo's response-level error codes the server answers with, their documented messages, and
 * whether a call answered with them counts against the instance's limits and usage
 * (601, 602, 604, 605, 608, 611 and 600 do not).
 */
public enum ErrorCode {
    ACCESS_TOKEN_NOT_SPECIFIED("600", "Access token not specified", false),
    ACCESS_TOKEN_INVALID("601", "Access token invalid", false),
    ACCESS_TOKEN_EXPIRED("602", "Access token expired", false),
    ACCESS_DENIED("603", "Access denied", true),
    REQUEST_TIMED_OUT("604", "Request time-out", false),
    METHOD_NOT_SUPPORTED("605", "HTTP Method not supported", false),
    RATE_LIMIT_EXCEEDED("606", "Max rate limit '%s' exceeded with in '%s' secs", true),
    DAILY_QUOTA_REACHED("607", "Daily quota reached", true),
    TEMPORARILY_UNAVAILABLE("608", "API Temporarily Unavailable", false),
    INVALID_JSON("609", "Invalid JSON", true),
    NOT_FOUND("610", "Requested resource not found", true),
    SYSTEM_ERROR("611", "System error", false),
    INVALID_CONTENT_TYPE("612", "Invalid Content Type", true),
    CONCURRENT_LIMIT_REACHED("615", "Concurrent access limit '%s' reached", true),
    BLANK("701", "%s cannot be blank", true),
    INVALID_DATE("704", "Invalid date format", true),
    BUSINESS_RULE_VIOLATION("709", "Business Rule Violation", true),
    EXTERNAL_SALES_PERSON_NOT_FOUND("718", "ExternalSalesPersonID not found", true),
    INVALID_VALUE("1001", "Invalid value '%s'. Required of type '%s'", true),
    MISSING_VALUE("1002", "Missing value for the required parameter '%s'", true),
    INVALID_DATA("1003", "Invalid data", true),
    LEAD_NOT_FOUND("1004", "Lead not found", true),
    FIELD_NOT_FOUND("1006", "Field '%s' not found", true),
    FIELD_NOT_SUPPORTED("1011", "Field '%s' not supported", true),
    OBJECT_NOT_FOUND("1013", "Object not found", true),
    OBJECT_EXISTS("1017", "Object already exists", true),
    TOO_MANY_CLONES("1020", "Too many clones to program", true),
    OBJECT_IN_USE("1022", "Object in use", true),
    MAX_ACTIVITY_TYPES("1027", "Max Activity Type Limit Reached", true),
    MAX_FIELDS("1028", "Max field limit reached", true),
    TOO_MANY_JOBS("1029", "Too many jobs in queue", true),
    INVALID_RUN_AT("1042", "Invalid runAt date", true),
    DISCARD_DRAFT_FAILED("1048", "Custom Object Discard Draft Failed", true),
    BAD_REQUEST("400", "Bad Request", false, 400),
    PAYLOAD_TOO_LARGE("413", "Request Entity Too Large", true, 413),
    URI_TOO_LONG("414", "Request-URI Too Long", false, 414);

    private final String code;
    private final String message;
    private final boolean counted;
    private final int httpStatus;

    ErrorCode(String code, String message, boolean counted) {
        this(code, message, counted, 200);
    }

    ErrorCode(String code, String message, boolean counted, int httpStatus) {
        this.code = code;
        this.message = message;
        this.counted = counted;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    /** The documented message, with any {@code %s} filled from {@code args}. */
    public String message(Object... args) {
        return args.length == 0 ? message : String.format(message, args);
    }

    /** Whether a call answered with this code counts against limits and usage. */
    public boolean counted() {
        return counted;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
