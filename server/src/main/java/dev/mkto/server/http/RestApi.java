package dev.mkto.server.http;

import dev.mkto.server.access.Allowlist;
import dev.mkto.server.access.Caller;
import dev.mkto.server.access.IpRules;
import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.identity.TokenService;
import dev.mkto.server.limits.Limits;
import dev.mkto.server.store.Database;
import dev.mkto.server.usage.Usage;
import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.exc.JsonNodeException;

/**
 * The one chain every API request walks ({@code /rest}, {@code /bulk}, {@code /userservice}):
 *
 * <pre>
 * requestId → URI size (414) → route (610/605) → token (600/601/602) → IP allowlist (603)
 *           → limits (607/606/615) → endpoint permission (603) → body (413/612/609)
 *           → handler (workspace/partition-scoped) → envelope → limits release → usage
 * </pre>
 *
 * Matching the route before the token lets a caller with a mistyped URL learn that first (610),
 * which is what tells an endpoint-format problem from a credentials problem. The limits are taken
 * before the permission check because Marketo counts a 603 against them; an answer that does not
 * count (604, 605, 608, 611) gives its slot back.
 */
public final class RestApi implements HttpService {

    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    /** Marketo refuses URIs over 8 KB (414) and bodies over 1 MB (413). */
    static final int MAX_URI = 8 * 1024;
    static final int MAX_BODY = 1024 * 1024;
    private static final String UNMATCHED = "(no endpoint)";

    private final Router<ApiRoutes.Endpoint> router;
    private final TokenService tokens;
    private final Instances instances;
    private final Allowlist allowlist;
    private final Limits limits;
    private final Usage usage;
    private final RequestIds requestIds;

    public RestApi(ApiRoutes routes, TokenService tokens, Instances instances, Allowlist allowlist, Limits limits, Usage usage,
                   RequestIds requestIds) {
        this.router = routes.router();
        this.tokens = tokens;
        this.instances = instances;
        this.allowlist = allowlist;
        this.limits = limits;
        this.usage = usage;
        this.requestIds = requestIds;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/rest/*", this::handle)
                .any("/bulk/*", this::handle)
                .any("/userservice/*", this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String requestId = requestIds.next();
        String path = req.path().path();
        Surface surface = Surface.of(path);
        String endpointKey = UNMATCHED;
        Caller caller = null;
        Limits.Admitted admitted = null;
        String failure = null;
        boolean sending = false;
        try {
            String rawQuery = req.query().rawValue();
            String rawPath = req.prologue().uriPath().rawPath();
            if (rawPath.length() + rawQuery.length() + 1 > MAX_URI) {
                throw MarketoException.of(ErrorCode.URI_TOO_LONG);
            }
            Map<String, List<String>> params = HttpIO.parseForm(rawQuery);
            String method = req.prologue().method().text();
            String override = method.equals("POST") ? first(params, "_method") : null;
            if (override != null) {
                // Marketo's override exists for long GET queries; it names no other method
                if (!override.equalsIgnoreCase("GET")) {
                    throw MarketoException.of(ErrorCode.METHOD_NOT_SUPPORTED);
                }
                method = "GET";
            }
            ApiRoutes.Endpoint endpoint;
            Map<String, String> vars;
            switch (router.match(method, routingPath(req))) {
                case Router.Found<ApiRoutes.Endpoint> f -> {
                    endpoint = f.route().handler();
                    vars = f.vars();
                    endpointKey = f.route().method() + " " + f.route().template();
                }
                case Router.WrongMethod<ApiRoutes.Endpoint> w -> throw MarketoException.of(ErrorCode.METHOD_NOT_SUPPORTED);
                case Router.NoRoute<ApiRoutes.Endpoint> n -> throw MarketoException.of(ErrorCode.NOT_FOUND);
            }
            caller = authenticate(req, params, surface);
            if (!admitsAddress(req, caller.instanceId())) {
                throw MarketoException.of(ErrorCode.ACCESS_DENIED);
            }
            admitted = limits.admit(caller);
            if (!endpoint.required().isEmpty() && !caller.grants().anywhere().intersects(endpoint.required())) {
                throw MarketoException.of(ErrorCode.ACCESS_DENIED);
            }
            byte[] body = HttpIO.readBody(req, MAX_BODY);
            String contentType = HttpIO.contentType(req);
            if (override != null && HttpIO.isForm(contentType)) {
                params.putAll(HttpIO.parseForm(new String(body, StandardCharsets.UTF_8)));
                body = new byte[0];
            }
            Reply reply = endpoint.operation().handle(new ApiCall(requestId, vars, params, body, contentType, caller,
                    req.headers().first(HeaderNames.RANGE).orElse(null)));
            switch (reply) {
                case Reply.Envelope e -> {
                    Responses.Rendered rendered = Responses.envelope(requestId, e);
                    sending = true;
                    HttpIO.send(res, rendered);
                }
                case Reply.Body b -> {
                    Responses.Rendered rendered = Responses.body(b);
                    sending = true;
                    HttpIO.send(res, rendered);
                }
                case Reply.File f -> {
                    res.status(f.status());
                    res.header(HeaderNames.CONTENT_TYPE, f.contentType());
                    f.headers().forEach(res::header);
                    sending = true;
                    res.send(f.bytes());
                }
            }
        } catch (ApiException e) {
            failure = codeOf(e);
            HttpIO.send(res, Responses.error(surface, requestId, e));
        } catch (HttpIO.TooLarge e) {
            failure = ErrorCode.PAYLOAD_TOO_LARGE.code();
            HttpIO.send(res, Responses.error(surface, requestId, MarketoException.of(ErrorCode.PAYLOAD_TOO_LARGE)));
        } catch (BadRequestException e) {
            throw e; // HTTP-level (an unreadable body): Helidon answers 400 and closes the connection
        } catch (HttpIO.MalformedForm e) {
            failure = ErrorCode.BAD_REQUEST.code();
            HttpIO.send(res, Responses.error(surface, requestId, new MarketoException(ErrorCode.BAD_REQUEST, e.getMessage())));
        } catch (RuntimeException e) {
            if (sending) {
                // the call was answered; the client went away while the answer was written: no system error, and it counts
                LOG.info("request {} {}: the client went away before the answer was written ({})", requestId, HttpIO.loggedPath(req),
                        e.getClass().getSimpleName());
            } else if (e instanceof JsonNodeException unexpected) {
                // a handler read a body value as a type or range it does not hold (e.g. a number beyond a long):
                // the body is not the shape the endpoint takes (609, rest-api.md); logged, as the handler should have said so
                LOG.warn("request {} {}: a body value of an unexpected type or range reached the handler ({})", requestId,
                        HttpIO.loggedPath(req), Echo.of(unexpected.getOriginalMessage()));
                failure = ErrorCode.INVALID_JSON.code();
                HttpIO.send(res, Responses.error(surface, requestId, MarketoException.of(ErrorCode.INVALID_JSON)));
            } else if (Database.isUnavailable(e)) {
                LOG.warn("request {} {}: the database does not answer", requestId, HttpIO.loggedPath(req));
                failure = ErrorCode.TEMPORARILY_UNAVAILABLE.code();
                HttpIO.send(res, Responses.error(surface, requestId, MarketoException.of(ErrorCode.TEMPORARILY_UNAVAILABLE)));
            } else if (Database.isUnstorableText(e)) {
                // text PostgreSQL cannot store (NUL) that reached the database: the input's fault, not a system error;
                // logged, as the handler should have refused it where it entered
                LOG.warn("request {} {}: text the database cannot store reached it ({})", requestId, HttpIO.loggedPath(req),
                        e.getClass().getSimpleName());
                failure = ErrorCode.INVALID_DATA.code();
                HttpIO.send(res, Responses.error(surface, requestId, new MarketoException(ErrorCode.INVALID_DATA,
                        "The input holds the NUL character (U+0000) or half a surrogate pair, which cannot be stored; remove it")));
            } else {
                LOG.error("request {} {} failed", requestId, HttpIO.loggedPath(req), e);
                failure = ErrorCode.SYSTEM_ERROR.code();
                HttpIO.send(res, Responses.unexpected(surface, requestId));
            }
        } finally {
            account(caller, admitted, endpointKey, failure);
        }
    }

    /** Gives back the limits slot, refunding answers that do not count, and records the call's usage. */
    private void account(Caller caller, Limits.Admitted admitted, String endpointKey, String failure) {
        boolean refund = failure != null && !counts(failure);
        try {
            if (admitted != null) {
                limits.release(admitted, refund);
            }
            usage.record(caller == null ? instances.defaultId() : caller.instanceId(), caller, endpointKey, failure,
                    admitted != null && !refund, admitted == null ? null : admitted.day());
        } catch (RuntimeException e) {
            LOG.warn("could not account for a call: {}", e.getClass().getSimpleName());
        }
    }

    private static boolean counts(String code) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.code().equals(code)) {
                return c.counted();
            }
        }
        return true;
    }

    private static String codeOf(ApiException e) {
        if (e instanceof MarketoException m) {
            return m.code().code();
        }
        return Integer.toString(e.httpStatus());
    }

    /** The IP allowlist: the client's address (behind trusted proxies) must be on it, when it is enabled. */
    private boolean admitsAddress(ServerRequest req, long instanceId) {
        InstanceSettings.IpAllowlist a = instances.get(instanceId).settings().ipAllowlist();
        if (!a.enabled()) {
            return true;
        }
        Allowlist.Rules rules = allowlist.rules(a.enabled(), a.entries(), a.applyToIdentity(), a.trustedProxies());
        return rules.admits(clientAddress(req, rules.proxies()));
    }

    /** The caller's address: the socket peer, or what trusted proxies say in X-Forwarded-For. */
    public static InetAddress clientAddress(ServerRequest req, IpRules trustedProxies) {
        InetAddress peer = IpRules.literal(HttpIO.remoteAddress(req)).orElseThrow();
        List<String> forwarded = req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of);
        return Allowlist.client(peer, forwarded, trustedProxies);
    }

    /**
     * The bearer token (header), or, on the Lead Database API and only where the instance allows
     * it, the legacy {@code access_token} query parameter. Without either: 600. Two Authorization
     * headers name no one caller: 601.
     */
    private Caller authenticate(ServerRequest req, Map<String, List<String>> params, Surface surface) {
        if (req.headers().all(HeaderNames.AUTHORIZATION, List::of).size() > 1) {
            throw MarketoException.of(ErrorCode.ACCESS_TOKEN_INVALID);
        }
        String token = req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).strip())
                .filter(t -> !t.isEmpty())
                .orElse(null);
        if (token != null) {
            return tokens.authenticate(token);
        }
        String fromQuery = surface == Surface.MAPI ? first(params, "access_token") : null;
        if (fromQuery == null || !instances.current().settings().allowQueryToken()) {
            throw MarketoException.of(ErrorCode.ACCESS_TOKEN_NOT_SPECIFIED);
        }
        Caller caller = tokens.authenticate(fromQuery);
        if (!instances.get(caller.instanceId()).settings().allowQueryToken()) {
            throw MarketoException.of(ErrorCode.ACCESS_TOKEN_NOT_SPECIFIED);
        }
        return caller;
    }

    /**
     * The path as sent, segment by segment percent-decoded, for the router. Helidon's own path is
     * normalised: it folds "//", "." and ".." segments, ";" parameters and an encoded "/" into some
     * other resource's path, where none of those names a resource here (610), as the router intends;
     * nor is a dot segment ever a path variable's value.
     */
    private static String routingPath(ServerRequest req) {
        String[] segments = req.prologue().uriPath().rawPath().split("/", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            String segment;
            try {
                segment = URLDecoder.decode(segments[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw MarketoException.of(ErrorCode.NOT_FOUND);
            }
            if (segment.indexOf('/') >= 0 || segment.equals(".") || segment.equals("..")) {
                throw MarketoException.of(ErrorCode.NOT_FOUND);
            }
            out.append(i == 0 ? "" : "/").append(segment);
        }
        return out.toString();
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() || v.getFirst().isBlank() ? null : v.getFirst().strip();
    }
}
