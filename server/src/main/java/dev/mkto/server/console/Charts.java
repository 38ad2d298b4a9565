package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.id;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stacked bar charts as inline SVG: no script, no library, colours as presentation attributes (the
 * CSP allows no inline style). Each chart is an image with a title and a description for screen
 * readers; the page shows the same numbers in a table beside it.
 */
final class Charts {

    /** Series colours, each at least 4.5:1 against white. */
    static final List<String> PALETTE = List.of("#1f5fa8", "#a04a12", "#2e7d32", "#7b3fa0", "#a0153e", "#00695c", "#5d4037", "#455a64");
    private static final int WIDTH = 640;
    private static final int HEIGHT = 240;
    private static final int LEFT = 52;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 28;
    private static final String INK = "#1b1f24";
    private static final String GRID = "#8a96a3";

    private Charts() {
    }

    /**
     * Bars per category (e.g. day), each stacked from its series' values (series → one value per
     * category, in category order).
     */
    static Html.Element stacked(String chartId, String title, String description, List<String> categories,
                                Map<String, long[]> series) {
        long max = 0;
        for (int c = 0; c < categories.size(); c++) {
            long total = 0;
            for (long[] v : series.values()) {
                total += v[c];
            }
            max = Math.max(max, total);
        }
        long top = niceCeiling(max);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        List<Object> parts = new ArrayList<>();
        parts.add(el("title", id(chartId + "-title"), title));
        parts.add(el("desc", id(chartId + "-desc"), description));
        for (int i = 0; i <= 4; i++) {
            long value = top * i / 4;
            double y = TOP + plotH - (double) plotH * i / 4;
            parts.add(el("line", attr("x1", LEFT), attr("x2", WIDTH - RIGHT), attr("y1", fmt(y)), attr("y2", fmt(y)),
                    attr("stroke", GRID), attr("stroke-width", i == 0 ? "1.5" : "0.5")));
            parts.add(el("text", attr("x", LEFT - 6), attr("y", fmt(y + 4)), attr("text-anchor", "end"), attr("font-size", "12"),
                    attr("fill", INK), value));
        }
        double slot = (double) plotW / Math.max(1, categories.size());
        double barW = Math.min(56, slot * 0.6);
        for (int c = 0; c < categories.size(); c++) {
            double x = LEFT + slot * c + (slot - barW) / 2;
            double y = TOP + plotH;
            int s = 0;
            for (Map.Entry<String, long[]> e : series.entrySet()) {
                long v = e.getValue()[c];
                if (v > 0) {
                    double h = (double) plotH * v / top;
                    y -= h;
                    parts.add(el("rect", attr("x", fmt(x)), attr("y", fmt(y)), attr("width", fmt(barW)), attr("height", fmt(h)),
                            attr("fill", PALETTE.get(s % PALETTE.size())),
                            el("title", e.getKey() + ", " + categories.get(c) + ": " + v)));
                }
                s++;
            }
            parts.add(el("text", attr("x", fmt(LEFT + slot * c + slot / 2)), attr("y", HEIGHT - 8), attr("text-anchor", "middle"),
                    attr("font-size", "12"), attr("fill", INK), shortDate(categories.get(c))));
        }
        List<Object> legend = new ArrayList<>();
        int s = 0;
        for (String name : series.keySet()) {
            legend.add(el("li", el("span", cls("swatch swatch-" + (s % PALETTE.size())), attr("aria-hidden", "true")), name));
            s++;
        }
        return el("figure", cls("chart"),
                el("svg", attr("xmlns", "http://www.w3.org/2000/svg"), attr("viewBox", "0 0 " + WIDTH + " " + HEIGHT),
                        attr("role", "img"), attr("aria-labelledby", chartId + "-title " + chartId + "-desc"), attr("focusable", "false"),
                        parts),
                el("figcaption", el("ul", cls("legend"), attr("aria-label", "Legend"), legend)));
    }

    /** 1, 2, 5 × 10ⁿ at or above {@code max}, and at least 4 so the four grid steps are whole numbers. */
    static long niceCeiling(long max) {
        if (max <= 4) {
            return 4;
        }
        long step = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                long candidate = m * step * 4;
                if (candidate >= max) {
                    return candidate;
                }
            }
            step *= 10;
        }
    }

    private static String shortDate(String isoDate) {
        return isoDate.length() == 10 ? isoDate.substring(5) : isoDate;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
