package dev.mkto.server.console;

import static dev.mkto.server.console.Html.attr;
import static dev.mkto.server.console.Html.cls;
import static dev.mkto.server.console.Html.el;
import static dev.mkto.server.console.Html.flag;
import static dev.mkto.server.console.Html.id;

import dev.mkto.server.console.Html.Element;
import dev.mkto.server.console.Html.Node;
import dev.mkto.server.http.AdminException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's page chrome and form controls. Every control has a visible label tied to it, and
 * an error shown beside a field is tied to it with {@code aria-describedby} and
 * {@code aria-invalid}, so a screen reader announces it with the field.
 */
final class Ui {

    static final String PRODUCT = "mkto admin";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /** The admin sections, in the order of the navigation. */
    enum Section {
        USERS("Users & Roles", "/admin/users"),
        WORKSPACES("Workspaces & Partitions", "/admin/workspaces"),
        LAUNCHPOINT("LaunchPoint", "/admin/launchpoint"),
        WEB_SERVICES("Web Services", "/admin/web-services"),
        USAGE("API Usage", "/admin/usage"),
        NONE("", "/admin");

        final String title;
        final String path;

        Section(String title, String path) {
            this.title = title;
            this.path = path;
        }
    }

    /** A form's errors: one per field (shown beside it), and the ones that belong to no field. */
    record Errors(Map<String, String> byField, List<String> general) {
        static final Errors NONE = new Errors(Map.of(), List.of());

        String of(String field) {
            return byField.get(field);
        }

        boolean any() {
            return !byField.isEmpty() || !general.isEmpty();
        }
    }

    private Ui() {
    }

    /** A whole page: skip link, header with sign-out, navigation, then {@code main}. */
    static String page(String title, Section section, String csrf, String munchkinId, String flash, Object... main) {
        List<Object> nav = new ArrayList<>();
        for (Section s : Section.values()) {
            if (s != Section.NONE) {
                nav.add(el("li", el("a", attr("href", s.path), attr("aria-current", s == section ? "page" : null), s.title)));
            }
        }
        Element body = el("body",
                el("a", cls("skip"), attr("href", "#main"), "Skip to main content"),
                el("header", cls("top"),
                        el("span", cls("brand"), PRODUCT),
                        el("span", cls("instance"), "Munchkin ID " + munchkinId),
                        el("form", cls("signout"), attr("method", "post"), attr("action", "/admin/logout"),
                                csrfField(csrf), el("button", attr("type", "submit"), cls("link"), "Sign out"))),
                el("div", cls("layout"),
                        el("nav", attr("aria-label", "Admin"), cls("side"), el("ul", nav)),
                        el("main", id("main"), attr("tabindex", "-1"),
                                flash == null ? null : el("p", cls("flash"), attr("role", "status"), flash),
                                main)));
        return document(title, body);
    }

    /** A page without navigation (sign-in). */
    static String bare(String title, Object... main) {
        return document(title, el("body", cls("bare"), el("main", id("main"), main)));
    }

    private static String document(String title, Element body) {
        return Html.document(el("html", attr("lang", "en"),
                el("head",
                        el("meta", attr("charset", "utf-8")),
                        el("meta", attr("name", "viewport"), attr("content", "width=device-width, initial-scale=1")),
                        el("title", title + " — " + PRODUCT),
                        el("link", attr("rel", "icon"), attr("type", "image/svg+xml"), attr("href", "/admin/assets/favicon.svg")),
                        el("link", attr("rel", "stylesheet"), attr("href", "/admin/assets/console.css")),
                        el("script", attr("src", "/admin/assets/console.js"), flag("defer", true))),
                body));
    }

    static Node csrfField(String csrf) {
        return el("input", attr("type", "hidden"), attr("name", "_csrf"), attr("value", csrf));
    }

    /** A POST form to {@code action} carrying the CSRF token. */
    static Element form(String action, String csrf, Object... content) {
        return el("form", attr("method", "post"), attr("action", action), flag("novalidate", true), csrfField(csrf), content);
    }

    /** A one-button POST form (Disable, Get Token, …). */
    static Element button(String action, String csrf, String label, String style) {
        return el("form", cls("inline"), attr("method", "post"), attr("action", action), csrfField(csrf),
                el("button", attr("type", "submit"), cls(style), label));
    }

    /** The list of a form's errors, focusable, linking to each field. */
    static Node errorSummary(Errors errors) {
        if (!errors.any()) {
            return null;
        }
        List<Object> items = new ArrayList<>();
        errors.general().forEach(m -> items.add(el("li", m)));
        errors.byField().forEach((field, m) -> items.add(el("li", el("a", attr("href", "#" + field), m))));
        return el("div", cls("error-summary"), attr("role", "alert"), attr("tabindex", "-1"), id("error-summary"),
                el("h2", "Please correct the following"), el("ul", items));
    }

    /** A labelled text input with an optional hint and error. */
    static Element input(String type, String name, String label, String value, String hint, Errors errors, boolean required) {
        String error = errors.of(name);
        String described = describedBy(name, hint, error);
        return el("div", cls(error == null ? "field" : "field invalid"),
                el("label", attr("for", name), label, required ? el("span", cls("req"), " (required)") : null),
                hint == null ? null : el("p", cls("hint"), id(name + "-hint"), hint),
                error == null ? null : el("p", cls("field-error"), id(name + "-error"), error),
                el("input", attr("type", type), id(name), attr("name", name), attr("value", value == null ? "" : value),
                        flag("required", required), attr("aria-describedby", described),
                        attr("aria-invalid", error == null ? null : "true")));
    }

    static Element textarea(String name, String label, String value, String hint, Errors errors, int rows) {
        String error = errors.of(name);
        return el("div", cls(error == null ? "field" : "field invalid"),
                el("label", attr("for", name), label),
                hint == null ? null : el("p", cls("hint"), id(name + "-hint"), hint),
                error == null ? null : el("p", cls("field-error"), id(name + "-error"), error),
                el("textarea", id(name), attr("name", name), attr("rows", rows), attr("aria-describedby", describedBy(name, hint, error)),
                        attr("aria-invalid", error == null ? null : "true"), value == null ? "" : value));
    }

    static Element checkbox(String name, String value, String label, boolean checked, String hint) {
        String fieldId = name + "-" + value.replaceAll("[^A-Za-z0-9]", "-");
        return el("div", cls("check"),
                el("input", attr("type", "checkbox"), id(fieldId), attr("name", name), attr("value", value), flag("checked", checked),
                        attr("aria-describedby", hint == null ? null : fieldId + "-hint")),
                el("label", attr("for", fieldId), label),
                hint == null ? null : el("span", cls("hint"), id(fieldId + "-hint"), hint));
    }

    /** A select; {@code options} are value → label, in order. */
    static Element select(String name, String label, Map<String, String> options, String selected, String hint, Errors errors,
                          boolean required) {
        String error = errors.of(name);
        List<Object> opts = new ArrayList<>();
        options.forEach((v, l) -> opts.add(el("option", attr("value", v), flag("selected", v.equals(selected)), l)));
        return el("div", cls(error == null ? "field" : "field invalid"),
                el("label", attr("for", name), label, required ? el("span", cls("req"), " (required)") : null),
                hint == null ? null : el("p", cls("hint"), id(name + "-hint"), hint),
                error == null ? null : el("p", cls("field-error"), id(name + "-error"), error),
                el("select", id(name), attr("name", name), flag("required", required), attr("aria-describedby", describedBy(name, hint, error)),
                        attr("aria-invalid", error == null ? null : "true"), opts));
    }

    static Element submit(String label) {
        return el("button", attr("type", "submit"), cls("primary"), label);
    }

    /** A table with a caption, column headers and rows (each row a list of cells). */
    static Element table(String caption, List<String> headers, List<List<Object>> rows, String empty) {
        if (rows.isEmpty()) {
            return el("p", cls("empty"), empty);
        }
        List<Object> head = new ArrayList<>();
        headers.forEach(h -> head.add(el("th", attr("scope", "col"), h)));
        List<Object> body = new ArrayList<>();
        for (List<Object> row : rows) {
            List<Object> cells = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                cells.add(i == 0 ? el("th", attr("scope", "row"), row.get(i)) : el("td", row.get(i)));
            }
            body.add(el("tr", cells));
        }
        return el("table", el("caption", caption), el("thead", el("tr", head)), el("tbody", body));
    }

    static String when(Instant t) {
        return t == null ? "—" : WHEN.format(t);
    }

    static Element link(String href, String label) {
        return el("a", attr("href", href), label);
    }

    static Element backLink(String href, String label) {
        return el("p", cls("back"), el("a", attr("href", href), "← " + label));
    }

    /**
     * A refused change as a form's errors: the message goes beside the first field whose keywords
     * it mentions, or above the form when it names none.
     */
    static Errors errors(AdminException e, Map<String, List<String>> keywords) {
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<String>> k : keywords.entrySet()) {
            if (k.getValue().stream().anyMatch(w -> m.contains(w.toLowerCase(Locale.ROOT)))) {
                return new Errors(Map.of(k.getKey(), e.getMessage()), List.of());
            }
        }
        return new Errors(Map.of(), List.of(e.getMessage()));
    }

    /** "Delete X?": what it does, a button that does it, and a way back. */
    static Object[] confirm(String heading, String consequence, String action, String csrf, String button, String cancelHref) {
        return new Object[] {
            el("h1", heading),
            el("p", consequence),
            el("div", cls("actions"),
                    form(action, csrf, el("button", attr("type", "submit"), cls("danger"), button)),
                    el("a", cls("button secondary"), attr("href", cancelHref), "Cancel"))
        };
    }

    private static String describedBy(String name, String hint, String error) {
        String s = (hint == null ? "" : name + "-hint ") + (error == null ? "" : name + "-error");
        return s.isBlank() ? null : s.strip();
    }
}
