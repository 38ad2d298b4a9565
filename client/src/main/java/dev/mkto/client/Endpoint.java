package dev.mkto.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where an instance's API lives: the base URL, and the REST endpoint and identity URL derived from
 * it, parsed from whatever a person pastes. Marketo's Admin › Integration › Web Services shows
 * {@code https://123-ABC-456.mktorest.com/rest} (Endpoint) and {@code https://123-ABC-456.mktorest.com/identity}
 * (Identity); integrations variously ask for one of these, the URL without {@code /rest}, with a
 * trailing slash, or just the Munchkin id. All of them parse to the same endpoint:
 *
 * <pre>{@code
 * Endpoint e = Endpoint.parse(" 123-abc-456.mktorest.com/rest/v1/leads.json ");
 * e.restUrl();      // https://123-ABC-456.mktorest.com/rest
 * e.identityUrl();  // https://123-ABC-456.mktorest.com/identity
 * e.notes();        // what was corrected or assumed, in words
 * }</pre>
 *
 * Input that cannot be a Marketo endpoint (another scheme, Marketo's web application or tracking
 * host, a malformed Munchkin id, a path no Marketo host has, credentials inside the URL) is refused
 * with an {@link InvalidEndpointException} that says why. Hosts other than {@code *.mktorest.com}
 * (mkto-server, a proxy) are taken as given, with their scheme, port and any path prefix.
 */
public final class Endpoint {

    private static final Pattern MUNCHKIN = Pattern.compile("(\\d{3})-?([A-Za-z]{3})-?(\\d{3})");
    private static final Pattern HTTP_SCHEME = Pattern.compile("(?i)(https?)(:?)(/*)(.*)");
    private static final Pattern OTHER_SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*");
    private static final Pattern HOST = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");
    private static final String REST_DOMAIN = ".mktorest.com";
    private static final List<String> ROOTS = List.of("rest", "identity", "bulk", "userservice");
    private static final Set<String> CREDENTIAL_PARAMS = Set.of("client_secret", "client_id", "access_token");
    private static final List<String> MARKETO_WEB_DOMAINS = List.of("marketo.com", "marketo.net", "mktoweb.com", "mktoresp.com",
            "mktoutil.com", "mktossl.com", "mktoedge.com", "adobe.com");
    private static final String WHERE = "Admin > Integration > Web Services";

    private final URI base;
    private final @Nullable String munchkinId;
    private final List<String> notes;

    private Endpoint(URI base, @Nullable String munchkinId, List<String> notes) {
        this.base = base;
        this.munchkinId = munchkinId;
        this.notes = List.copyOf(notes);
    }

    /**
     * Parses what a person pasted: a REST endpoint, identity URL or base URL (with or without
     * trailing slash, {@code http} or {@code https}, with a path below {@code /rest}), or a Munchkin id.
     *
     * @throws InvalidEndpointException when it cannot be a Marketo endpoint
     */
    public static Endpoint parse(String input) {
        Objects.requireNonNull(input, "endpoint");
        return new Parser(input).parse();
    }

    /** The base URL, e.g. {@code https://123-ABC-456.mktorest.com}; bulk and user-management paths hang off it too. */
    public URI baseUrl() {
        return base;
    }

    /** The REST endpoint, e.g. {@code https://123-ABC-456.mktorest.com/rest}. */
    public URI restUrl() {
        return resolve("/rest");
    }

    /** The identity URL, e.g. {@code https://123-ABC-456.mktorest.com/identity}. */
    public URI identityUrl() {
        return resolve("/identity");
    }

    /** The Munchkin id, for Marketo's own hosts. */
    public Optional<String> munchkinId() {
        return Optional.ofNullable(munchkinId);
    }

    /** What was wrong with the input and what was assumed, one sentence each; empty when it was already canonical. */
    public List<String> notes() {
        return notes;
    }

    /** {@code path} (starting with {@code /}) below the base URL. */
    URI resolve(String path) {
        return URI.create(base + path);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint other && other.base.equals(base);
    }

    @Override
    public int hashCode() {
        return base.hashCode();
    }

    /** The REST endpoint. */
    @Override
    public String toString() {
        return restUrl().toString();
    }

    /** One parse: the input is consumed left to right, each correction noted as it is made. */
    private static final class Parser {

        private final String input;
        private final List<String> notes = new ArrayList<>();

        Parser(String input) {
            this.input = input;
        }

        Endpoint parse() {
            String s = trim(input);
            if (s.length() != input.length()) {
                notes.add("Removed the whitespace around it.");
            }
            s = unwrap(s);
            if (s.isEmpty()) {
                throw new InvalidEndpointException("it is empty. Paste the REST API Endpoint from " + WHERE
                        + " (e.g. https://123-ABC-456.mktorest.com/rest), or the Munchkin id.", null);
            }
            if (s.chars().anyMatch(Character::isWhitespace)) {
                throw new InvalidEndpointException("it contains a space; an endpoint is one URL such as https://123-ABC-456.mktorest.com/rest.", null);
            }
            if (s.indexOf('\\') >= 0) {
                s = s.replace('\\', '/');
                notes.add("Read the backslashes as slashes.");
            }
            Matcher munchkin = MUNCHKIN.matcher(s);
            if (munchkin.matches()) {
                String id = munchkinId(munchkin);
                URI base = URI.create("https://" + id + REST_DOMAIN);
                notes.add("Read a Munchkin id alone as the endpoint " + base + "/rest.");
                return new Endpoint(base, id, notes);
            }
            // alone, these are a Munchkin id gone wrong, not the name of a host
            if (s.toLowerCase(Locale.ROOT).matches("x{3}-x{3}-x{3}")) {
                throw placeholder();
            }
            if (s.matches("\\d{1,6}-[A-Za-z]{1,6}-\\d{1,6}")) {
                throw notMunchkin(s);
            }
            return parseUrl(s);
        }

        private Endpoint parseUrl(String s) {
            String scheme = null;
            String rest = s;
            Matcher http = HTTP_SCHEME.matcher(s);
            if (http.matches() && (!http.group(2).isEmpty() || http.group(3).length() >= 2)) {
                scheme = http.group(1).toLowerCase(Locale.ROOT);
                if (http.group(3).length() > 2) {
                    throw new InvalidEndpointException("there is no host name in it (three slashes after '" + scheme + ":').", null);
                }
                if (http.group(2).isEmpty() || !http.group(3).equals("//")) {
                    notes.add("Read '" + http.group(1) + http.group(2) + http.group(3) + "' as '" + scheme + "://'.");
                }
                rest = http.group(4);
            } else if (OTHER_SCHEME.matcher(s).matches()) {
                String other = s.substring(0, s.indexOf(':'));
                throw new InvalidEndpointException("'" + other + "://' is not a scheme Marketo's API uses; it is served over https.", null);
            } else if (s.startsWith("//")) {
                rest = s.substring(2);
            }
            int hash = rest.indexOf('#');
            if (hash >= 0) {
                rest = rest.substring(0, hash);
                notes.add("Dropped the '#' fragment.");
            }
            int question = rest.indexOf('?');
            if (question >= 0) {
                String query = rest.substring(question + 1);
                rest = rest.substring(0, question);
                notes.add("Dropped the query string" + (holdsCredentials(query)
                        ? " (it held a client id, secret or token: they never belong in the endpoint; give them to the client separately)." : "."));
            }
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "" : rest.substring(slash);
            if (authority.indexOf('@') >= 0) {
                throw new InvalidEndpointException("it contains a user name or password before '@'. Credentials are the client id and secret"
                        + " of a LaunchPoint custom service, given to the client separately, never part of the endpoint.", null);
            }
            HostPort hp = hostPort(authority);
            String host = hp.host;
            String munchkinId = marketoHost(host);
            if (munchkinId != null) {
                return marketo(munchkinId, scheme, hp.port, path);
            }
            if (scheme == null) {
                scheme = loopback(host) ? "http" : "https";
                notes.add("No scheme was given; assumed " + scheme + "://.");
            }
            String prefix = pathPrefix(path, false, null);
            String hostPart = host.contains(":") ? "[" + host + "]" : host;
            return new Endpoint(URI.create(scheme + "://" + hostPart + (hp.port == null ? "" : ":" + hp.port) + prefix), null, notes);
        }

        private Endpoint marketo(String munchkinId, @Nullable String scheme, @Nullable Integer port, String path) {
            String canonical = "https://" + munchkinId + REST_DOMAIN;
            if (scheme == null) {
                notes.add("No scheme was given; assumed https://.");
            } else if (scheme.equals("http")) {
                notes.add("Marketo serves its API over https only; used https:// instead of http://.");
            }
            if (port != null && port != 443) {
                throw new InvalidEndpointException("Marketo's REST API answers on the standard https port, not " + port + ".", canonical + "/rest");
            }
            pathPrefix(path, true, canonical);
            return new Endpoint(URI.create(canonical), munchkinId, notes);
        }

        /**
         * Finds the API root ({@code /rest}, {@code /identity}, …) in the path and returns what comes
         * before it: nothing for Marketo's hosts, a prefix (a proxy's) for others.
         */
        private String pathPrefix(String path, boolean marketoHost, @Nullable String canonical) {
            String p = path;
            if (p.contains("//")) {
                p = p.replaceAll("/{2,}", "/");
                notes.add("Collapsed '//' in the path into '/' (Marketo refuses double slashes).");
            }
            List<String> segments = new ArrayList<>(Arrays.stream(p.split("/")).filter(x -> !x.isEmpty()).toList());
            int root = -1;
            for (int i = 0; i < segments.size() && root < 0; i++) {
                if (ROOTS.contains(segments.get(i).toLowerCase(Locale.ROOT))) {
                    root = i;
                }
            }
            List<String> prefix = root < 0 ? segments : segments.subList(0, root);
            if (root >= 0) {
                explainRoot(segments.get(root), segments.subList(root + 1, segments.size()));
            }
            if (prefix.isEmpty()) {
                return "";
            }
            String shown = "/" + String.join("/", prefix);
            String meant = closeRoot(prefix.get(prefix.size() - 1));
            if (marketoHost) {
                throw new InvalidEndpointException("'" + shown + "' is not a path of Marketo's API; the REST endpoint ends in /rest"
                        + (meant == null ? "" : " (was '" + prefix.get(prefix.size() - 1) + "' meant to be '/" + meant + "'?)") + ".",
                        canonical + "/rest");
            }
            notes.add("Kept '" + shown + "' as a path prefix: calls go to " + shown + "/rest and " + shown + "/identity"
                    + (meant == null ? "." : ". Marketo's endpoints have no prefix: if '" + prefix.get(prefix.size() - 1)
                    + "' was meant to be '/" + meant + "', correct it."));
            return shown;
        }

        private void explainRoot(String root, List<String> tail) {
            String lower = root.toLowerCase(Locale.ROOT);
            if (!lower.equals(root)) {
                notes.add("Read '/" + root + "' as '/" + lower + "' (paths are case-sensitive).");
            }
            List<String> after = tail;
            if (lower.equals("rest") && !after.isEmpty() && after.get(0).equalsIgnoreCase("rest")) {
                notes.add("'/rest' appeared twice; used it once.");
                after = after.subList(1, after.size());
            }
            switch (lower) {
                case "identity" -> notes.add("This is the Identity URL; derived the REST endpoint from it.");
                case "bulk" -> notes.add("'/bulk' is where bulk calls go; used the base URL in front of it.");
                case "userservice" -> notes.add("'/userservice' is the User Management API; used the base URL in front of it.");
                default -> {
                }
            }
            if (!after.isEmpty()) {
                notes.add("Dropped '/" + String.join("/", after) + "' after '/" + lower + "': the endpoint is the base of every call.");
            }
        }

        private static InvalidEndpointException placeholder() {
            return new InvalidEndpointException("'XXX-XXX-XXX' is the placeholder from the instructions; use your instance's Munchkin id"
                    + " (shown in " + WHERE + " as part of the REST API Endpoint).", null);
        }

        private static InvalidEndpointException notMunchkin(String text) {
            return new InvalidEndpointException("'" + text + "' is not a Munchkin id (three digits, three letters, three digits,"
                    + " e.g. 123-ABC-456). Copy the REST API Endpoint from " + WHERE + ".", null);
        }

        /** The Munchkin id of a {@code *.mktorest.com} host; null for other hosts; refused for Marketo hosts that are not REST. */
        private @Nullable String marketoHost(String host) {
            if (host.equals(REST_DOMAIN.substring(1))) {
                throw new InvalidEndpointException("the Munchkin id is missing in front of mktorest.com (e.g. https://123-ABC-456.mktorest.com/rest).", null);
            }
            if (host.endsWith(REST_DOMAIN)) {
                String label = host.substring(0, host.length() - REST_DOMAIN.length());
                Matcher m = MUNCHKIN.matcher(label);
                if (m.matches()) {
                    String id = munchkinId(m);
                    if (!label.contains("-")) {
                        notes.add("Read '" + label + "' as the Munchkin id " + id + ".");
                    }
                    return id;
                }
                if (label.toLowerCase(Locale.ROOT).matches("x{3}-x{3}-x{3}")) {
                    throw placeholder();
                }
                throw notMunchkin(label);
            }
            String first = host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
            Matcher m = MUNCHKIN.matcher(first);
            if (m.matches() && host.contains(".")) {
                String id = munchkinId(m);
                throw new InvalidEndpointException("'" + host + "' is not Marketo's REST API host; REST endpoints are https://<Munchkin id>.mktorest.com/rest.",
                        "https://" + id + REST_DOMAIN + "/rest");
            }
            for (String domain : MARKETO_WEB_DOMAINS) {
                if (host.equals(domain) || host.endsWith("." + domain)) {
                    throw new InvalidEndpointException("'" + host + "' is a Marketo web application or tracking host, not the REST API."
                            + " The REST API Endpoint is shown in " + WHERE + " and looks like https://123-ABC-456.mktorest.com/rest.", null);
                }
            }
            return null;
        }

        private HostPort hostPort(String authority) {
            String host;
            String portText = null;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    throw new InvalidEndpointException("the IPv6 address is missing its closing ']'.", null);
                }
                host = authority.substring(1, close).toLowerCase(Locale.ROOT);
                String after = authority.substring(close + 1);
                if (after.startsWith(":")) {
                    portText = after.substring(1);
                } else if (!after.isEmpty()) {
                    throw new InvalidEndpointException("'" + after + "' after the IPv6 address is not a port.", null);
                }
                if (!host.matches("[0-9a-f:.]+")) {
                    throw new InvalidEndpointException("'" + host + "' is not an IPv6 address.", null);
                }
            } else {
                int colon = authority.lastIndexOf(':');
                host = (colon < 0 ? authority : authority.substring(0, colon)).toLowerCase(Locale.ROOT);
                portText = colon < 0 ? null : authority.substring(colon + 1);
                if (host.endsWith(".")) {
                    host = host.substring(0, host.length() - 1);
                }
                if (host.isEmpty()) {
                    throw new InvalidEndpointException("there is no host name in it.", null);
                }
                if (!HOST.matcher(host).matches() || host.contains("..")) {
                    throw new InvalidEndpointException("'" + host + "' is not a host name.", null);
                }
            }
            Integer port = null;
            if (portText != null && !portText.isEmpty()) {
                if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                    throw new InvalidEndpointException("'" + portText + "' is not a port number.", null);
                }
                port = Integer.parseInt(portText);
            }
            return new HostPort(host, port);
        }

        private String unwrap(String s) {
            String t = s;
            boolean changed = false;
            while (t.length() >= 2 && isWrapper(t.charAt(0), t.charAt(t.length() - 1))) {
                t = trim(t.substring(1, t.length() - 1));
                changed = true;
            }
            while (!t.isEmpty() && ",;".indexOf(t.charAt(t.length() - 1)) >= 0) {
                t = trim(t.substring(0, t.length() - 1));
                changed = true;
            }
            if (changed) {
                notes.add("Removed the quotes, brackets or punctuation around it.");
            }
            return t;
        }

        private static boolean isWrapper(char first, char last) {
            return (first == '"' && last == '"') || (first == '\'' && last == '\'') || (first == '<' && last == '>')
                    || (first == '`' && last == '`') || (first == '(' && last == ')') || (first == '\u201c' && last == '\u201d');
        }

        private static String trim(String s) {
            int start = 0;
            int end = s.length();
            while (start < end && blank(s.charAt(start))) {
                start++;
            }
            while (end > start && blank(s.charAt(end - 1))) {
                end--;
            }
            return s.substring(start, end);
        }

        private static boolean blank(char c) {
            return Character.isWhitespace(c) || c == '\u00a0' || c == '\u200b' || c == '\ufeff' || c == '\u2007' || c == '\u202f';
        }

        private static boolean holdsCredentials(String query) {
            for (String pair : query.split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                if (CREDENTIAL_PARAMS.contains(name.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean loopback(String host) {
            return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
        }

        private static String munchkinId(Matcher m) {
            return m.group(1) + "-" + m.group(2).toUpperCase(Locale.ROOT) + "-" + m.group(3);
        }

        /** The API root a path segment is probably a typo of ({@code rset} → {@code rest}), if any. */
        private static @Nullable String closeRoot(String segment) {
            String s = segment.toLowerCase(Locale.ROOT);
            for (String root : List.of("rest", "identity")) {
                if (s.length() >= 3 && distance(s, root) <= (root.length() <= 4 ? 2 : 3)) {
                    return root;
                }
            }
            return null;
        }

        /** Edit distance with adjacent transpositions (optimal string alignment). */
        private static int distance(String a, String b) {
            int[][] d = new int[a.length() + 1][b.length() + 1];
            for (int i = 0; i <= a.length(); i++) {
                d[i][0] = i;
            }
            for (int j = 0; j <= b.length(); j++) {
                d[0][j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                    if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                    }
                }
            }
            return d[a.length()][b.length()];
        }
    }

    private record HostPort(String host, @Nullable Integer port) {
    }
}
