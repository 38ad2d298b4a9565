package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.el;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The escaping HTML builder and the inline SVG charts, without a server. */
class ConsoleHtmlTest {

    private static String render(Html.Node node) {
        StringBuilder out = new StringBuilder();
        node.render(out);
        return out.toString();
    }

    @Test
    void textAndAttributeValuesAreEscaped() {
        String html = render(el("p", attr("title", "\"><script>x</script>"), "<b>Tom & 'Jerry'</b>"));
        assertThat(html).isEqualTo("<p title=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\">&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;</p>");
    }

    @Test
    void nullContentAndNullAttributesAreLeftOutAndFlagsRenderBare() {
        assertThat(render(el("input", attr("value", null), Html.flag("checked", true), Html.flag("disabled", false), null)))
                .isEqualTo("<input checked>");
    }

    @Test
    void urlAttributesMustStayOnThisSite() {
        assertThat(render(el("a", attr("href", "/admin/roles"), "Roles"))).isEqualTo("<a href=\"/admin/roles\">Roles</a>");
        assertThat(render(el("a", attr("href", "#main"), "Skip"))).contains("href=\"#main\"");
        assertThatThrownBy(() -> attr("href", "javascript:alert(1)")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> attr("action", "//evil.example/steal")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> attr("src", "https://cdn.example/x.js")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Browsers read a backslash as a slash and drop tabs and line breaks, so each of these leaves the site. */
    @Test
    void urlAttributesThatBrowsersReadAsAnotherHostAreRefused() {
        for (String url : List.of("/\\evil.example/steal", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example",
                "/ /evil.example", "#\u0000x")) {
            assertThatThrownBy(() -> attr("href", url)).as(url).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> attr("action", url)).as(url).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(render(el("a", attr("href", "/admin/users/7/least-privilege"), "Report"))).contains("href=\"/admin/users/7/least-privilege\"");
    }

    @Test
    void tagAndAttributeNamesMustBePlainNames() {
        assertThatThrownBy(() -> el("p onclick=x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> attr("on click", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> attr("a\"b", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chartIsAnImageWithTitleDescriptionBarsAndLegend() {
        Map<String, long[]> series = new LinkedHashMap<>();
        series.put("a@example.com", new long[] {1, 0, 3});
        series.put("<b>@example.com", new long[] {2, 0, 0});
        String svg = render(Charts.stacked("c", "Calls", "Bars per day", List.of("2026-11-21", "2026-11-22", "2026-11-23"), series));
        assertThat(svg).contains("role=\"img\"", "aria-labelledby=\"c-title c-desc\"", "<title id=\"c-title\">Calls</title>")
                .contains("11-21", "11-23", "&lt;b&gt;@example.com").doesNotContain("style=");
        assertThat(svg.split("<rect", -1)).hasSize(1 + 3); // three non-zero values, one bar segment each
    }

    @Test
    void chartScaleRoundsUpToOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(Charts.niceCeiling(0)).isEqualTo(4);
        assertThat(Charts.niceCeiling(6)).isEqualTo(8);
        assertThat(Charts.niceCeiling(21)).isEqualTo(40);
        assertThat(Charts.niceCeiling(170)).isEqualTo(200);
        assertThat(Charts.niceCeiling(50_001)).isEqualTo(80_000);
    }
}
