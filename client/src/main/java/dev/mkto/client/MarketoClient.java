package dev.mkto.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client for one Marketo instance's REST API, safe to share between threads:
 *
 * <pre>{@code
 * MarketoClient marketo = MarketoClient.builder()
 *         .endpoint("https://123-ABC-456.mktorest.com/rest")
 *         .credentials(System.getenv("MKTO_CLIENT_ID"), System.getenv("MKTO_CLIENT_SECRET"))
 *         .build();
 * System.out.println(marketo.leads().query("email", List.of("ada@example.com")).orElseThrow());
 * }</pre>
 *
 * <p>What it gets right, so that callers do not have to:
 * <ul>
 *   <li><b>Endpoint.</b> Whatever is pasted (REST endpoint, identity URL, base URL, a path below
 *       {@code /rest}, {@code http}, a Munchkin id) is parsed into the base, REST and identity URLs,
 *       with what was corrected in {@link Endpoint#notes()}; what cannot be Marketo is refused.
 *   <li><b>Tokens.</b> One token per (identity URL, client id), shared by every client and thread in
 *       the process, fetched by one thread at a time. A token within {@code tokenRefreshSkew} of its
 *       end is asked for again, and when Marketo hands back the same token it is used until it
 *       expires. A call refused with 601 or 602 drops the token, authenticates once and is repeated
 *       with the new token. Credentials go to the identity service in a form body, never in a URL,
 *       and never appear in an exception, a log line or {@code toString()}.
 *   <li><b>Limits.</b> A client-side limiter keeps within the instance's limits ({@link Limits});
 *       606 and 615 are backed off with jitter and repeated; 604, 608, 611, 713 and lost connections
 *       are repeated only for calls that are safe to repeat; 607 is never repeated, says when
 *       the quota resets, and no later call is sent before then.
 *   <li><b>Results are values.</b> Every call returns an {@link ApiResult}; only a call that got no
 *       answer at all throws ({@link TransportException}).
 * </ul>
 *
 * <p>When a connection does not work, {@link #diagnose()} says why and what to do.
 */
public final class MarketoClient {

    static final String USER_AGENT = "mkto-client/" + version();

    private final Endpoint endpoint;
    private final Credentials credentials;
    private final Runner runner;
    private final IdentityClient identity;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final Leads leads;
    private final Activities activities;
    private final StaticLists lists;
    private final Campaigns campaigns;
    private final Stats stats;

    private MarketoClient(Builder b) {
        this.endpoint = required(b.endpoint, "endpoint is required: builder().endpoint(\"https://123-ABC-456.mktorest.com/rest\")");
        this.credentials = required(b.credentials, "credentials are required: builder().credentials(clientId, clientSecret)");
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.sleeper = b.sleeper;
        Backoff backoff = new Backoff(b.random);
        this.identity = new IdentityClient(endpoint, http, b.requestTimeout, credentials, USER_AGENT);
        Tokens tokens = new Tokens(b.tokenCache, identity, endpoint, credentials, b.clock, b.sleeper, b.tokenRefreshSkew, backoff,
                b.retries, b.trace);
        Limiter limiter = b.limiters.forInstance(endpoint.restUrl(), b.limits, b.clock, b.sleeper);
        this.runner = new Runner(endpoint, http, tokens, limiter, backoff, b.sleeper, b.clock, b.quotaTimeZone, b.retries,
                b.requestTimeout, b.trace, USER_AGENT);
        this.leads = new Leads(runner);
        this.activities = new Activities(runner);
        this.lists = new StaticLists(runner);
        this.campaigns = new Campaigns(runner);
        this.stats = new Stats(runner);
    }

    /** A builder; {@link Builder#endpoint(String)} and {@link Builder#credentials(String, String)} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint this client calls. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Leads: get, query, sync, delete, describe, partitions. */
    public Leads leads() {
        return leads;
    }

    /** Lead activities: paging tokens, polling. */
    public Activities activities() {
        return activities;
    }

    /** Static lists and their members. */
    public StaticLists lists() {
        return lists;
    }

    /** Smart campaigns: request and schedule. */
    public Campaigns campaigns() {
        return campaigns;
    }

    /** API usage statistics. */
    public Stats stats() {
        return stats;
    }

    /**
     * Works out whether this client's connection works and, if not, why: one of
     * {@link Diagnosis.Outcome}'s outcomes, the requests made as evidence, and the fix. It
     * authenticates afresh (not from the token cache) and makes two or three requests.
     */
    public Diagnosis diagnose() {
        return new Diagnostician(endpoint, identity, runner, http, sleeper).run();
    }

    /** {@code GET} any endpoint (e.g. {@code /rest/v1/companies.json}); repeated after ambiguous failures, as reads are. */
    public ApiResult<List<Map<String, @Nullable Object>>> get(String path, Map<String, ?> query) {
        return call("GET", path, query, null, true);
    }

    /** {@code POST} any endpoint with a JSON body (a {@code Map}, {@code List}, record, or a JSON string); not repeated after ambiguous failures. */
    public ApiResult<List<Map<String, @Nullable Object>>> post(String path, Map<String, ?> query, @Nullable Object body) {
        return call("POST", path, query, body, false);
    }

    /**
     * Calls any endpoint below the base URL ({@code /rest/…}, {@code /bulk/…}, {@code /userservice/…})
     * with the client's tokens, limits and retries. The value is the {@code result} array, one map
     * per item; {@link ApiResult#nextPageToken()} and {@link ApiResult#moreResult()} carry paging.
     *
     * @param safeToRepeat whether the call may be repeated after 604, 608, 611, 713 or a lost connection
     */
    public ApiResult<List<Map<String, @Nullable Object>>> call(String method, String path, Map<String, ?> query, @Nullable Object body,
                                                                boolean safeToRepeat) {
        String m = method.strip().toUpperCase(Locale.ROOT);
        if (!m.matches("GET|POST|PUT|PATCH|DELETE")) {
            throw new IllegalArgumentException("method must be GET, POST, PUT, PATCH or DELETE, got '" + method + "'");
        }
        Call call = new Call(m, checkPath(path), List.of(), body == null ? null : body instanceof String s ? s : Json.write(body),
                safeToRepeat, null);
        for (Map.Entry<String, ?> e : query.entrySet()) {
            call = call.param(e.getKey(), e.getValue());
        }
        return Results.single(runner.run(call), e -> {
            List<Map<String, @Nullable Object>> out = new ArrayList<>();
            for (JsonNode item : e.result()) {
                out.add(item.isObject() ? Json.object(item) : Map.of("value", Json.plain(item)));
            }
            return List.copyOf(out);
        });
    }

    private static String checkPath(String path) {
        String p = path.strip();
        if (!(p.startsWith("/rest/") || p.startsWith("/bulk/") || p.startsWith("/userservice/"))) {
            throw new IllegalArgumentException("path must start with /rest/, /bulk/ or /userservice/ (e.g. /rest/v1/companies.json), got '"
                    + path + "'");
        }
        if (p.contains("?") || p.contains("//")) {
            throw new IllegalArgumentException("path must not contain '?' or '//'; pass query parameters in the query map");
        }
        return p;
    }

    @Override
    public String toString() {
        return "MarketoClient[" + endpoint.restUrl() + ", clientId=" + credentials.clientId() + "]";
    }

    private static <T> T required(@Nullable T value, String message) {
        if (value == null) {
            throw new IllegalStateException(message);
        }
        return value;
    }

    private static String version() {
        String v = MarketoClient.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * Configures a {@link MarketoClient}. Every setting is checked when it is set, with a message
     * naming it.
     */
    public static final class Builder {

        private @Nullable Endpoint endpoint;
        private @Nullable Credentials credentials;
        private Limits limits = Limits.marketo();
        private int retries = 5;
        private Duration requestTimeout = Duration.ofSeconds(120);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration tokenRefreshSkew = Duration.ofSeconds(60);
        private ZoneId quotaTimeZone = ZoneId.of("America/Chicago");
        private @Nullable HttpClient httpClient;
        private InstantSource clock = InstantSource.system();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random = new Random();
        private TokenCache tokenCache = TokenCache.SHARED;
        private Limiter.Registry limiters = Limiter.Registry.SHARED;
        private Trace trace = LoggingTrace.INSTANCE;

        private Builder() {
        }

        /**
         * The endpoint as a person would paste it; see {@link Endpoint#parse(String)}.
         *
         * @throws InvalidEndpointException when it cannot be a Marketo endpoint
         */
        public Builder endpoint(String endpoint) {
            this.endpoint = Endpoint.parse(endpoint);
            return this;
        }

        public Builder endpoint(Endpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** A LaunchPoint custom service's Client Id and Client Secret (Admin › Integration › LaunchPoint › View Details). */
        public Builder credentials(String clientId, String clientSecret) {
            this.credentials = new Credentials(Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(clientSecret, "clientSecret"));
            return this;
        }

        /** The client-side limits (default {@link Limits#marketo()}: 100 calls in 20 s, 10 in flight). */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** How often one call is repeated after 606, 615 or a transient failure (default 5). */
        public Builder retries(int retries) {
            if (retries < 0 || retries > 20) {
                throw new IllegalArgumentException("retries must be from 0 to 20, got " + retries);
            }
            this.retries = retries;
            return this;
        }

        /** How long one request may take (default 120 s; Marketo's own time-outs reach 90 s for syncs). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** How long connecting may take (default 10 s); ignored with {@link #httpClient(HttpClient)}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** A token with this long or less to live is asked for again (default 60 s). */
        public Builder tokenRefreshSkew(Duration skew) {
            if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(30)) > 0) {
                throw new IllegalArgumentException("tokenRefreshSkew must be from 0 to 30 minutes, got " + skew);
            }
            this.tokenRefreshSkew = skew;
            return this;
        }

        /** The time zone whose midnight resets the daily quota (Marketo: America/Chicago). */
        public Builder quotaTimeZone(ZoneId zone) {
            this.quotaTimeZone = Objects.requireNonNull(zone, "quotaTimeZone");
            return this;
        }

        /** The HTTP client to use (proxies, TLS settings); by default one with a 10 s connect time-out that follows no redirects. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        Builder clock(InstantSource clock) {
            this.clock = clock;
            return this;
        }

        Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        Builder tokenCache(TokenCache cache) {
            this.tokenCache = cache;
            return this;
        }

        Builder limiters(Limiter.Registry registry) {
            this.limiters = registry;
            return this;
        }

        /** Where the client's decisions go (retries and why, tokens refused, calls not sent); default: DEBUG logging. */
        public Builder trace(Trace trace) {
            this.trace = java.util.Objects.requireNonNull(trace, "trace");
            return this;
        }

        /**
         * The client.
         *
         * @throws IllegalStateException when the endpoint or the credentials are missing
         */
        public MarketoClient build() {
            return new MarketoClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
