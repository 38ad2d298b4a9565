package dev.mkto.client;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The instance's API usage statistics: calls per API user and errors per code, today and over
 * the last seven days. They need no permission (only the IP allowlist applies), which is what
 * {@link MarketoClient#diagnose()} relies on.
 */
public final class Stats {

    /** One day's calls: the total and per API user (the user id is its e-mail). */
    public record DailyUsage(LocalDate date, long total, Map<String, Long> users) {
    }

    /** One day's errors: the total and per Marketo code. */
    public record DailyErrors(LocalDate date, long total, Map<String, Long> errors) {
    }

    private final Runner runner;

    Stats(Runner runner) {
        this.runner = runner;
    }

    /** Today's calls (in the instance's time zone). */
    public ApiResult<List<DailyUsage>> usage() {
        return usage("/rest/v1/stats/usage.json");
    }

    /** The last seven days' calls, one entry per day. */
    public ApiResult<List<DailyUsage>> usageLast7Days() {
        return usage("/rest/v1/stats/usage/last7days.json");
    }

    /** Today's errors. */
    public ApiResult<List<DailyErrors>> errors() {
        return errors("/rest/v1/stats/errors.json");
    }

    /** The last seven days' errors, one entry per day. */
    public ApiResult<List<DailyErrors>> errorsLast7Days() {
        return errors("/rest/v1/stats/errors/last7days.json");
    }

    private ApiResult<List<DailyUsage>> usage(String path) {
        return Results.single(runner.run(Call.get(path)), e -> {
            List<DailyUsage> out = new ArrayList<>();
            for (JsonNode d : e.result()) {
                out.add(new DailyUsage(date(d), Json.number(d, "total", 0), counts(d.path("users"), "userId")));
            }
            return List.copyOf(out);
        });
    }

    private ApiResult<List<DailyErrors>> errors(String path) {
        return Results.single(runner.run(Call.get(path)), e -> {
            List<DailyErrors> out = new ArrayList<>();
            for (JsonNode d : e.result()) {
                out.add(new DailyErrors(date(d), Json.number(d, "total", 0), counts(d.path("errors"), "errorCode")));
            }
            return List.copyOf(out);
        });
    }

    private static Map<String, Long> counts(JsonNode items, String key) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode i : items) {
            out.merge(Json.text(i, key, ""), Json.number(i, "count", 0), Long::sum);
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code YYYY-MM-DD}, possibly followed by a time (the swagger says date-time, the examples say date). */
    private static LocalDate date(JsonNode d) {
        String text = Json.text(d, "date", "");
        try {
            return LocalDate.parse(text.length() >= 10 ? text.substring(0, 10) : text);
        } catch (DateTimeParseException e) {
            return LocalDate.EPOCH;
        }
    }
}
