package dev.mkto.server.identity;

import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.HttpIO;
import dev.mkto.server.http.IdentityException;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.http.RequestIds;
import dev.mkto.server.http.Responses;
import dev.mkto.server.http.Surface;
import dev.mkto.server.access.Allowlist;
import dev.mkto.server.admin.InstanceSettings;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.http.ApiException;
import dev.mkto.server.http.RestApi;
import dev.mkto.server.store.Database;
import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /identity/oauth/token}: the client-credentials grant, GET or POST, with the credentials in
 * the query string, a form body, or HTTP Basic (one of them per request, as RFC 6749 asks).
 * Identity calls never count against the instance's limits.
 */
public final class IdentityApi implements HttpService {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityApi.class);
    private static final int MAX_BODY = 16 * 1024;

    private final TokenService tokens;
    private final Instances instances;
    private final Allowlist allowlist;
    private final RequestIds requestIds;

    public IdentityApi(TokenService tokens, Instances instances, Allowlist allowlist, RequestIds requestIds) {
        this.tokens = tokens;
        this.instances = instances;
        this.allowlist = allowlist;
        this.requestIds = requestIds;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/identity/oauth/token", this::token)
                .post("/identity/oauth/token", this::token)
                .any("/identity/oauth/token", (req, res) -> send(res, Responses.error(Surface.IDENTITY, "",
                        IdentityException.invalidRequest("Use GET or POST for the token endpoint"))));
    }

    private void token(ServerRequest req, ServerResponse res) {
        try {
            Map<String, List<String>> query = HttpIO.parseForm(req.query().rawValue());
            Map<String, List<String>> form = Map.of();
            if (req.prologue().method().text().equals("POST")) {
                String type = HttpIO.contentType(req);
                byte[] body;
                try {
                    body = HttpIO.readBody(req, MAX_BODY);
                } catch (HttpIO.TooLarge e) {
                    throw IdentityException.invalidRequest("Request body too large");
                }
                if (body.length > 0 && HttpIO.isForm(type)) {
                    form = HttpIO.parseForm(new String(body, StandardCharsets.UTF_8));
                }
            }
            String grantType = single("grant_type", query, form);
            if (grantType == null) {
                throw IdentityException.invalidRequest("Missing grant type");
            }
            if (!grantType.equals("client_credentials")) {
                throw IdentityException.unsupportedGrantType(grantType);
            }
            String[] basic = basic(req);
            String clientId = single("client_id", query, form);
            String secret = single("client_secret", query, form);
            if (basic != null) {
                if (clientId != null || secret != null) {
                    throw IdentityException.invalidRequest("Send client credentials either as HTTP Basic or as parameters, not both");
                }
                clientId = basic[0];
                secret = basic[1];
            }
            if (clientId == null || clientId.isEmpty()) {
                throw IdentityException.invalidRequest("Missing client_id");
            }
            if (secret == null || secret.isEmpty()) {
                throw IdentityException.invalidRequest("Missing client_secret");
            }
            long instance = tokens.instanceOf(clientId).orElse(instances.defaultId());
            InstanceSettings.IpAllowlist a = instances.get(instance).settings().ipAllowlist();
            if (a.enabled() && a.applyToIdentity()) {
                Allowlist.Rules rules = allowlist.rules(a.enabled(), a.entries(), a.applyToIdentity(), a.trustedProxies());
                java.net.InetAddress client = RestApi.clientAddress(req, rules.proxies());
                if (!rules.admits(client)) {
                    throw IdentityException.accessDenied("IP address " + client.getHostAddress() + " is not on the instance's allowlist");
                }
            }
            TokenService.Grant grant = tokens.issue(clientId, secret);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("access_token", grant.accessToken());
            out.put("token_type", "bearer");
            out.put("expires_in", grant.expiresIn());
            out.put("scope", grant.scope());
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.header(HeaderNames.PRAGMA, "no-cache");
            send(res, new Responses.Rendered(200, Json.write(out)));
        } catch (MarketoException e) {
            // the grant could not record a token (608): the client's request was fine, it may try again
            send(res, e.code() == ErrorCode.TEMPORARILY_UNAVAILABLE ? unavailable() : Responses.error(Surface.IDENTITY, "", e));
        } catch (ApiException e) {
            send(res, Responses.error(Surface.IDENTITY, "", e));
        } catch (HttpIO.MalformedForm e) {
            send(res, Responses.error(Surface.IDENTITY, "", IdentityException.invalidRequest(e.getMessage())));
        } catch (BadRequestException e) {
            throw e; // HTTP-level (an unreadable body): Helidon answers 400 and closes the connection
        } catch (RuntimeException e) {
            String requestId = requestIds.next();
            if (Database.isUnavailable(e)) {
                LOG.warn("identity request {}: the database does not answer", requestId);
                send(res, unavailable());
                return;
            }
            LOG.error("identity request {} failed", requestId, e);
            send(res, Responses.unexpected(Surface.IDENTITY, requestId));
        }
    }

    /** What the REST API answers 608: in OAuth 2.0's vocabulary, 503 {@code temporarily_unavailable}. */
    private static Responses.Rendered unavailable() {
        return new Responses.Rendered(503, Json.write(Map.of("error", "temporarily_unavailable",
                "error_description", "The identity service is temporarily unavailable; try again shortly")));
    }

    /** One value from the query or the form; the same parameter twice is refused. */
    private static String single(String name, Map<String, List<String>> query, Map<String, List<String>> form) {
        List<String> q = query.getOrDefault(name, List.of());
        List<String> f = form.getOrDefault(name, List.of());
        if (q.size() + f.size() > 1) {
            throw IdentityException.invalidRequest("Parameter " + name + " given more than once");
        }
        String value = !q.isEmpty() ? q.getFirst() : !f.isEmpty() ? f.getFirst() : null;
        // RFC 6749 3.1: a parameter sent without a value is treated as if it were omitted
        return value == null || value.isEmpty() ? null : value;
    }

    private static String[] basic(ServerRequest req) {
        if (req.headers().all(HeaderNames.AUTHORIZATION, java.util.List::of).size() > 1) {
            throw IdentityException.invalidRequest("Send one Authorization header, not several");
        }
        var header = req.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.get().substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw IdentityException.invalidRequest("Malformed HTTP Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw IdentityException.invalidRequest("Malformed HTTP Basic credentials");
        }
        // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding
        return new String[] {urlDecode(decoded.substring(0, colon)), urlDecode(decoded.substring(colon + 1))};
    }

    private static String urlDecode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static void send(ServerResponse res, Responses.Rendered r) {
        HttpIO.send(res, r);
    }
}
