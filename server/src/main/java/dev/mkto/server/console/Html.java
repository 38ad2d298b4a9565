package dev.mkto.server.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small HTML builder that escapes by construction: every string given as content is text, every
 * attribute value is escaped, tag and attribute names must be plain names, and URL attributes must
 * stay on this site. There is no way to insert markup from a string, so data shown on a page
 * (role names, e-mail addresses, error messages) can never become markup.
 */
final class Html {

    private static final Pattern NAME = Pattern.compile("[a-z][a-zA-Z0-9-]*");
    private static final Set<String> VOID = Set.of("br", "hr", "img", "input", "link", "meta");
    private static final Set<String> URL_ATTRIBUTES = Set.of("href", "action", "src", "formaction");

    private Html() {
    }

    /**
     * A path on this site or a fragment. Browsers read a backslash as a slash and drop tabs and line
     * breaks from URLs, so {@code /\host} or {@code /<tab>/host} would lead to another host.
     */
    private static boolean onThisSite(String url) {
        if (url.chars().anyMatch(c -> c <= ' ' || c == '\\' || c == 0x7f)) {
            return false;
        }
        return url.startsWith("#") || url.startsWith("/") && !url.startsWith("//");
    }

    /** Something that renders to HTML. */
    sealed interface Node permits Element, Text, Fragment {
        void render(StringBuilder out);
    }

    /** An attribute; a {@code null} value leaves it out, {@code ""} renders a boolean attribute. */
    record Attr(String name, String value) {
        Attr {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not an attribute name: " + name);
            }
            if (value != null && URL_ATTRIBUTES.contains(name) && !onThisSite(value)) {
                throw new IllegalArgumentException(name + " must be a path on this site: " + value);
            }
        }
    }

    record Element(String tag, List<Attr> attrs, List<Node> children) implements Node {
        Element {
            if (!NAME.matcher(tag).matches()) {
                throw new IllegalArgumentException("not a tag name: " + tag);
            }
        }

        @Override
        public void render(StringBuilder out) {
            out.append('<').append(tag);
            for (Attr a : attrs) {
                if (a.value() == null) {
                    continue;
                }
                out.append(' ').append(a.name());
                if (!a.value().isEmpty()) {
                    out.append("=\"");
                    escape(a.value(), out);
                    out.append('"');
                }
            }
            out.append('>');
            if (VOID.contains(tag)) {
                return;
            }
            for (Node child : children) {
                child.render(out);
            }
            out.append("</").append(tag).append('>');
        }
    }

    record Text(String text) implements Node {
        @Override
        public void render(StringBuilder out) {
            escape(text, out);
        }
    }

    record Fragment(List<Node> nodes) implements Node {
        @Override
        public void render(StringBuilder out) {
            nodes.forEach(n -> n.render(out));
        }
    }

    /**
     * An element. Content may be {@link Attr}s, {@link Node}s, strings (text), numbers, iterables
     * of those, or null (nothing).
     */
    static Element el(String tag, Object... content) {
        List<Attr> attrs = new ArrayList<>();
        List<Node> children = new ArrayList<>();
        for (Object c : content) {
            add(c, attrs, children);
        }
        return new Element(tag, List.copyOf(attrs), List.copyOf(children));
    }

    static Attr attr(String name, Object value) {
        return new Attr(name, value == null ? null : String.valueOf(value));
    }

    /** A boolean attribute, present when {@code on}. */
    static Attr flag(String name, boolean on) {
        return new Attr(name, on ? "" : null);
    }

    static Attr cls(String value) {
        return new Attr("class", value);
    }

    static Attr id(String value) {
        return new Attr("id", value);
    }

    static Node text(Object value) {
        return new Text(String.valueOf(value));
    }

    static Fragment fragment(Object... content) {
        List<Attr> attrs = new ArrayList<>();
        List<Node> children = new ArrayList<>();
        for (Object c : content) {
            add(c, attrs, children);
        }
        if (!attrs.isEmpty()) {
            throw new IllegalArgumentException("a fragment has no attributes");
        }
        return new Fragment(List.copyOf(children));
    }

    /** A whole document: the doctype, then {@code html}. */
    static String document(Element html) {
        StringBuilder out = new StringBuilder(16 * 1024).append("<!DOCTYPE html>\n");
        html.render(out);
        return out.toString();
    }

    private static void add(Object c, List<Attr> attrs, List<Node> children) {
        switch (c) {
            case null -> {
            }
            case Attr a -> attrs.add(a);
            case Node n -> children.add(n);
            case CharSequence s -> children.add(new Text(s.toString()));
            case Number n -> children.add(new Text(n.toString()));
            case Iterable<?> items -> items.forEach(item -> add(item, attrs, children));
            case Object[] items -> {
                for (Object item : items) {
                    add(item, attrs, children);
                }
            }
            default -> throw new IllegalArgumentException("cannot render " + c.getClass().getName());
        }
    }

    static void escape(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
    }
}
