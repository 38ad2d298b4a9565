package dev.mkto.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What happened to one input record of a batch call (sync, delete, list membership): Marketo's
 * status ({@code created}, {@code updated}, {@code deleted}, {@code added}, {@code removed},
 * {@code memberof}, {@code notmemberof}, {@code skipped}) and, when skipped, its reasons
 * ({@code 1004 Lead not found}, …). The SDK adds statuses of its own: {@code failed}, for the
 * records of a request Marketo refused as a whole (the reasons are its response-level errors),
 * {@code notSent}, for records after it that were not sent, and {@code unknown}, for records whose
 * request got no answer (a lost connection; reason {@code no_answer}) or whose answer held no result
 * for them: they may or may not have been applied. A record whose request alone would be larger
 * than Marketo accepts (1 MB) is not sent: {@code skipped}, reason {@code 413}.
 *
 * @param index   the record's position in the input given to the SDK (across all batches)
 * @param id      the lead id Marketo reported, if any
 * @param status  Marketo's status, or {@code failed} / {@code notSent} / {@code unknown}
 * @param reasons why a record was skipped or failed
 */
public record RecordResult(int index, Optional<Long> id, String status, List<MarketoError> reasons) {

    public RecordResult {
        reasons = List.copyOf(reasons);
    }

    /** True unless the record was skipped, failed, not sent, or its outcome is unknown. */
    public boolean succeeded() {
        return !status.equals("skipped") && !status.equals("failed") && !status.equals("notSent") && !status.equals("unknown");
    }

    static RecordResult read(int index, JsonNode item) {
        List<MarketoError> reasons = new ArrayList<>();
        for (String key : List.of("reasons", "errors")) {
            for (JsonNode r : item.path(key)) {
                reasons.add(new MarketoError(Json.text(r, "code", ""), Json.text(r, "message", "")));
            }
        }
        return new RecordResult(index, Optional.ofNullable(Json.number(item, "id")), Json.text(item, "status", "unknown"), reasons);
    }

    static RecordResult failed(int index, List<MarketoError> errors) {
        return new RecordResult(index, Optional.empty(), "failed", errors);
    }

    static RecordResult unknown(int index, List<MarketoError> reasons) {
        return new RecordResult(index, Optional.empty(), "unknown", reasons);
    }

    /** A record whose request alone would be over Marketo's 1 MB: not sent, skipped with reason 413. */
    static RecordResult tooLarge(int index) {
        return new RecordResult(index, Optional.empty(), "skipped", List.of(new MarketoError("413",
                "The record alone is larger than Marketo accepts in one request (1 MB); it was not sent")));
    }

    static RecordResult notSent(int index) {
        return new RecordResult(index, Optional.empty(), "notSent", List.of());
    }
}
