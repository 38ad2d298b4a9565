package dev.mkto.server.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Matches a method and a decoded path against templates such as {@code /rest/v1/lead/{id}.json}.
 * A segment is literal or {@code prefix{var}suffix}; more literal segments win. Knowing every
 * template lets a caller tell "no such resource" (610) from "wrong method" (605).
 *
 * @param <H> what a route carries
 */
public final class Router<H> {

    /** A registered template and what it carries. */
    public record Route<H>(String method, String template, H handler) {
    }

    /** The outcome of matching. */
    public sealed interface Match<H> {
    }

    public record Found<H>(Route<H> route, Map<String, String> vars) implements Match<H> {
    }

    public record WrongMethod<H>(List<String> allowed) implements Match<H> {
    }

    public record NoRoute<H>() implements Match<H> {
    }

    private record Segment(String prefix, String var, String suffix) {
        static Segment parse(String s) {
            int open = s.indexOf('{');
            if (open < 0) {
                return new Segment(s, null, null);
            }
            int close = s.indexOf('}', open);
            return new Segment(s.substring(0, open), s.substring(open + 1, close), s.substring(close + 1));
        }

        String match(String part) {
            if (var == null) {
                return prefix.equals(part) ? "" : null;
            }
            int minLength = prefix.length() + suffix.length() + 1;
            if (part.length() < minLength || !part.startsWith(prefix) || !part.endsWith(suffix)) {
                return null;
            }
            return part.substring(prefix.length(), part.length() - suffix.length());
        }
    }

    private record Compiled<H>(Route<H> route, Segment[] segments, int literals) {
    }

    private final Map<Integer, List<Compiled<H>>> bySegmentCount = new HashMap<>();
    private final List<Route<H>> routes = new ArrayList<>();

    public Router<H> add(String method, String template, H handler) {
        String[] parts = split(template);
        Segment[] segments = new Segment[parts.length];
        int literals = 0;
        for (int i = 0; i < parts.length; i++) {
            segments[i] = Segment.parse(parts[i]);
            if (segments[i].var() == null) {
                literals++;
            }
        }
        Route<H> route = new Route<>(method, template, handler);
        List<Compiled<H>> bucket = bySegmentCount.computeIfAbsent(parts.length, k -> new ArrayList<>());
        for (Compiled<H> c : bucket) {
            if (c.route().method().equals(method) && c.route().template().equals(template)) {
                throw new IllegalStateException("route registered twice: " + method + " " + template);
            }
        }
        bucket.add(new Compiled<>(route, segments, literals));
        bucket.sort(Comparator.comparingInt((Compiled<H> c) -> -c.literals()));
        routes.add(route);
        return this;
    }

    public List<Route<H>> routes() {
        return List.copyOf(routes);
    }

    public Match<H> match(String method, String path) {
        String[] parts = split(path);
        List<Compiled<H>> bucket = bySegmentCount.get(parts.length);
        if (bucket == null) {
            return new NoRoute<>();
        }
        TreeSet<String> allowed = null;
        int matchedLiterals = -1;
        for (Compiled<H> c : bucket) {
            if (c.literals() < matchedLiterals) {
                break; // a more specific template matched this path with another method
            }
            Map<String, String> vars = matchSegments(c.segments(), parts);
            if (vars == null) {
                continue;
            }
            if (c.route().method().equals(method)) {
                return new Found<>(c.route(), vars);
            }
            matchedLiterals = c.literals();
            if (allowed == null) {
                allowed = new TreeSet<>();
            }
            allowed.add(c.route().method());
        }
        return allowed == null ? new NoRoute<>() : new WrongMethod<>(List.copyOf(allowed));
    }

    private static Map<String, String> matchSegments(Segment[] segments, String[] parts) {
        Map<String, String> vars = null;
        for (int i = 0; i < segments.length; i++) {
            String value = segments[i].match(parts[i]);
            if (value == null) {
                return null;
            }
            if (segments[i].var() != null) {
                if (vars == null) {
                    vars = new LinkedHashMap<>(4);
                }
                vars.put(segments[i].var(), value);
            }
        }
        return vars == null ? Map.of() : vars;
    }

    /** Splits on '/', keeping empty segments so that "//" and a trailing "/" never match a template. */
    private static String[] split(String path) {
        return (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
    }
}
