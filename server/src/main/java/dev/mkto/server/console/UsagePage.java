package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.admin.Instances;
import dev.mkto.server.console.Exchange.Handler;
import dev.mkto.server.console.Exchange.Page;
import dev.mkto.server.console.Exchange.Req;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Router;
import dev.mkto.server.usage.Usage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * API usage: calls per day of the last 7 days per API user, and errors per code, as charts and
 * tables — the numbers of Marketo's stats endpoints ({@code /rest/v1/stats/usage/last7days.json},
 * {@code …/errors/last7days.json}); {@code GET /admin/api/v1/usage} has them per service and endpoint.
 */
final class UsagePage implements Exchange.Pages {

    private static final int DAYS = 7;
    private static final Map<String, String> TEMPLATED = Map.of(
            "606", "Max rate limit exceeded", "615", "Concurrent access limit reached", "701", "Value cannot be blank",
            "1001", "Invalid value", "1002", "Missing value for a required parameter", "1006", "Field not found",
            "1011", "Field not supported");

    private final Instances instances;
    private final Usage usage;

    UsagePage(Instances instances, Usage usage) {
        this.instances = instances;
        this.usage = usage;
    }

    @Override
    public void routes(Router<Handler> router) {
        router.add("GET", "/admin/usage", this::page);
    }

    private Page page(Req r) {
        long instance = instances.defaultId();
        List<Usage.Day> days = usage.usage(instance, DAYS);
        List<Usage.ErrorDay> errorDays = usage.errors(instance, DAYS);
        List<String> dates = days.stream().map(Usage.Day::date).toList();

        Map<String, long[]> perUser = new LinkedHashMap<>();
        new TreeSet<>(days.stream().flatMap(d -> d.byUser().keySet().stream()).toList())
                .forEach(u -> perUser.put(u, new long[dates.size()]));
        for (int i = 0; i < days.size(); i++) {
            int day = i;
            days.get(i).byUser().forEach((u, n) -> perUser.get(u)[day] += n);
        }
        Map<String, long[]> perCode = new LinkedHashMap<>();
        errorDays.stream().flatMap(d -> d.byCode().keySet().stream()).distinct()
                .sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
                .forEach(c -> perCode.put(c, new long[dates.size()]));
        for (int i = 0; i < errorDays.size(); i++) {
            int day = dates.indexOf(errorDays.get(i).date());
            if (day >= 0) {
                errorDays.get(i).byCode().forEach((c, n) -> perCode.get(c)[day] += n);
            }
        }
        long calls = days.stream().mapToLong(Usage.Day::total).sum();
        long errors = errorDays.stream().mapToLong(Usage.ErrorDay::total).sum();
        Map<String, long[]> perCodeLabelled = new LinkedHashMap<>();
        perCode.forEach((c, v) -> perCodeLabelled.put(c + " " + label(c), v));

        return Page.ok("API Usage", Ui.Section.USAGE,
                el("h1", "API Usage"),
                el("p", cls("lead"), "The last " + DAYS + " days (" + dates.getFirst() + " to " + dates.getLast()
                        + ", in the instance's time zone): " + calls + " calls, " + errors + " errors."),
                el("section", cls("panel"), attr("aria-labelledby", "calls-h"),
                        el("h2", id("calls-h"), "Calls per day, per API user"),
                        calls == 0 ? el("p", cls("empty"), "No API calls in the last " + DAYS + " days.")
                                : Charts.stacked("calls-chart", "API calls per day, per API user",
                                "Stacked bars, one per day; the table below gives the numbers.", dates, perUser),
                        table("calls-table", "API calls per day, per API user", "API user", dates, perUser, "No API calls.")),
                el("section", cls("panel"), attr("aria-labelledby", "errors-h"),
                        el("h2", id("errors-h"), "Errors per day, per code"),
                        errors == 0 ? el("p", cls("empty"), "No errors in the last " + DAYS + " days.")
                                : Charts.stacked("errors-chart", "API errors per day, per code",
                                "Stacked bars, one per day; the table below gives the numbers.", dates, perCodeLabelled),
                        table("errors-table", "API errors per day, per code", "Error code", dates, perCodeLabelled, "No errors.")));
    }

    private static Html.Element table(String tableId, String caption, String rowHeader, List<String> dates, Map<String, long[]> rows,
                                      String empty) {
        if (rows.isEmpty()) {
            return el("p", cls("empty"), empty);
        }
        List<Object> head = new ArrayList<>();
        head.add(el("th", attr("scope", "col"), rowHeader));
        dates.forEach(d -> head.add(el("th", attr("scope", "col"), d.substring(5))));
        head.add(el("th", attr("scope", "col"), "Total"));
        List<Object> body = new ArrayList<>();
        rows.forEach((name, values) -> {
            List<Object> cells = new ArrayList<>();
            cells.add(el("th", attr("scope", "row"), name));
            long total = 0;
            for (long v : values) {
                cells.add(el("td", cls("num"), v));
                total += v;
            }
            cells.add(el("td", cls("num"), total));
            body.add(el("tr", cells));
        });
        return el("table", id(tableId), el("caption", caption), el("thead", el("tr", head)), el("tbody", body));
    }

    private static String label(String code) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.code().equals(code)) {
                return TEMPLATED.getOrDefault(code, c.message());
            }
        }
        return "";
    }
}
