package dev.mkto.cli.perms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which permission each Marketo API endpoint needs: the table in {@code endpoints.tsv}, covering
 * the Lead Database, bulk, asset and User Management APIs. It lives on the client side because
 * mkto must answer for real Marketo too, which cannot be asked.
 */
public final class EndpointTable {

    /**
     * One endpoint.
     *
     * @param anyOf the permissions, any one of which admits it; empty when none is needed
     */
    public record Endpoint(String method, String template, List<Permission> anyOf, String group, String name) {
        /** Whether {@code held} admits this endpoint. */
        public boolean admittedBy(java.util.Collection<Permission> held) {
            return anyOf.isEmpty() || anyOf.stream().anyMatch(req -> held.stream().anyMatch(h -> h.satisfies(req)));
        }

        String key() {
            return method + " " + template;
        }
    }

    private record Compiled(Endpoint endpoint, Pattern pattern, int literals) {
    }

    private static final EndpointTable BUILT_IN = load();

    private final List<Compiled> endpoints;

    private EndpointTable(List<Compiled> endpoints) {
        this.endpoints = endpoints;
    }

    /** The table shipped with mkto. */
    public static EndpointTable builtIn() {
        return BUILT_IN;
    }

    public List<Endpoint> all() {
        return endpoints.stream().map(Compiled::endpoint).toList();
    }

    /**
     * The endpoint a call goes to. The path may be a full URL, carry a query string, or leave out
     * {@code /rest}; where several templates match, the one with the most literal text wins
     * ({@code /rest/v1/leads/describe.json} over {@code /rest/v1/leads/{id}.json}).
     */
    public Optional<Endpoint> find(String method, String path) {
        String m = method.strip().toUpperCase(Locale.ROOT);
        String p = normalise(path);
        Optional<Endpoint> found = match(m, p);
        if (found.isEmpty() && !p.startsWith("/rest/") && !p.startsWith("/bulk/") && !p.startsWith("/identity/")
                && !p.startsWith("/userservice/")) {
            found = match(m, "/rest" + p);
        }
        return found;
    }

    /** Endpoints at the same path that take other methods (for a helpful message). */
    public List<String> otherMethods(String path) {
        String p = normalise(path);
        return endpoints.stream().filter(c -> c.pattern.matcher(p).matches() || c.pattern.matcher("/rest" + p).matches())
                .map(c -> c.endpoint.method()).distinct().toList();
    }

    private Optional<Endpoint> match(String method, String path) {
        return endpoints.stream()
                .filter(c -> c.endpoint.method().equals(method) && c.pattern.matcher(path).matches())
                .max(Comparator.comparingInt(Compiled::literals))
                .map(Compiled::endpoint);
    }

    static String normalise(String path) {
        String p = path.strip();
        if (p.startsWith("http://") || p.startsWith("https://")) {
            URI u = URI.create(p.replace(" ", "%20"));
            p = u.getRawPath() == null ? "/" : u.getRawPath();
        }
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        return p.replaceAll("/{2,}", "/");
    }

    private static EndpointTable load() {
        try (InputStream in = EndpointTable.class.getResourceAsStream("endpoints.tsv")) {
            if (in == null) {
                throw new IllegalStateException("endpoints.tsv is missing from mkto's jar");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EndpointTable parse(List<String> lines) {
        List<Compiled> out = new ArrayList<>();
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 5) {
                throw new IllegalStateException("endpoints.tsv line " + n + ": expected 5 tab-separated fields, got " + f.length);
            }
            List<Permission> anyOf = new ArrayList<>();
            if (!f[2].equals("none")) {
                for (String p : f[2].split("\\|")) {
                    anyOf.add(Permission.parse(p).orElseThrow(() -> new IllegalStateException("endpoints.tsv line " + line + ": unknown permission " + p)));
                }
            }
            Endpoint e = new Endpoint(f[0], f[1], List.copyOf(anyOf), f[3], f[4]);
            if (out.stream().anyMatch(c -> c.endpoint.key().equals(e.key()))) {
                throw new IllegalStateException("endpoints.tsv line " + n + ": " + e.key() + " is listed twice");
            }
            String regex = Pattern.quote(f[1]).replaceAll("\\{[^}/]+\\}", "\\\\E[^/]+\\\\Q");
            out.add(new Compiled(e, Pattern.compile(regex), f[1].replaceAll("\\{[^}/]+\\}", "").length()));
        }
        return new EndpointTable(List.copyOf(out));
    }
}
