package dev.mkto.server.admin;

import dev.mkto.server.access.Permission;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.ApiException;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.HttpIO;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.RequestIds;
import dev.mkto.server.http.Responses;
import dev.mkto.server.http.RestApi;
import dev.mkto.server.http.Router;
import dev.mkto.server.http.Surface;
import dev.mkto.server.identity.TokenService;
import dev.mkto.server.leads.LeadField;
import dev.mkto.server.leads.LeadSchema;
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
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The admin JSON API, {@code /admin/api/v1/…}: the instance, partitions, workspaces, roles,
 * API-only users, LaunchPoint custom services ("View Details", "Get Token"), custom lead fields,
 * and seed documents. Every request carries the admin credential as a bearer token. Bodies are
 * JSON objects whose unknown keys are refused, so a typo never passes silently.
 */
public final class AdminApi implements HttpService {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final String BASE = "/admin/api/v1";
    private static final int MAX_BODY = 10 * 1024 * 1024;
    /** Wrong credentials an address may present within {@link #LOCKOUT} before it is locked out for as long. */
    static final int MAX_FAILURES = 20;
    static final Duration LOCKOUT = Duration.ofMinutes(15);

    /** One admin request: path variables and the JSON body (an empty object when none was sent). */
    record Request(Map<String, String> vars, Map<String, List<String>> query, JsonNode body) {
        long id(String name) {
            try {
                return Long.parseLong(vars.get(name));
            } catch (NumberFormatException e) {
                throw AdminException.notFound("'" + Echo.of(vars.get(name)) + "' is not an id");
            }
        }
    }

    /** An admin operation; answers a body (200), or {@link Created} (201). */
    @FunctionalInterface
    interface Handler {
        Object handle(Request request);
    }

    record Created(Object body) {
    }

    private final Router<Handler> router = new Router<>();
    private final AdminAuth auth;
    private final Instances instances;
    private final Partitions partitions;
    private final Workspaces workspaces;
    private final Roles roles;
    private final Users users;
    private final CustomServices services;
    private final LeadSchema leadSchema;
    private final TokenService tokens;
    private final SeedLoader seeds;
    private final Assets assets;
    private final Limits limits;
    private final Usage usage;
    private final IpCheck ipCheck;
    private final LeastPrivilege leastPrivilege;
    private final InstantSource clock;
    private final RequestIds requestIds;
    private final Lockout lockout = new Lockout(MAX_FAILURES, LOCKOUT);

    public AdminApi(AdminAuth auth, Instances instances, Partitions partitions, Workspaces workspaces, Roles roles, Users users,
                    CustomServices services, LeadSchema leadSchema, TokenService tokens, SeedLoader seeds, Assets assets, Limits limits,
                    Usage usage, IpCheck ipCheck, LeastPrivilege leastPrivilege, InstantSource clock, RequestIds requestIds) {
        this.auth = auth;
        this.instances = instances;
        this.partitions = partitions;
        this.workspaces = workspaces;
        this.roles = roles;
        this.users = users;
        this.services = services;
        this.leadSchema = leadSchema;
        this.tokens = tokens;
        this.seeds = seeds;
        this.assets = assets;
        this.limits = limits;
        this.usage = usage;
        this.ipCheck = ipCheck;
        this.leastPrivilege = leastPrivilege;
        this.clock = clock;
        this.requestIds = requestIds;
        routes();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(BASE + "/*", this::handle).any(BASE, this::handle);
    }

    private void routes() {
        router.add("GET", BASE + "/instance", r -> instance(instances.current()))
                .add("PATCH", BASE + "/instance", r -> instance(instances.update(instances.defaultId(), r.body())))
                .add("GET", BASE + "/permissions", r -> permissions())
                .add("POST", BASE + "/instance/ip-check", this::ipCheck)
                .add("GET", BASE + "/limits", r -> limitsView())
                .add("GET", BASE + "/usage", r -> usageView(days(r)))

                .add("GET", BASE + "/partitions", r -> partitions.list(id()))
                .add("POST", BASE + "/partitions", r -> {
                    keys(r, "name", "description");
                    return new Created(partitions.create(id(), str(r, "name"), str(r, "description")));
                })
                .add("GET", BASE + "/partitions/{id}", r -> partitions.get(id(), r.id("id")))
                .add("PATCH", BASE + "/partitions/{id}", r -> {
                    keys(r, "name", "description");
                    return partitions.update(id(), r.id("id"), str(r, "name"), str(r, "description"));
                })
                .add("DELETE", BASE + "/partitions/{id}", r -> {
                    partitions.delete(id(), r.id("id"));
                    return null;
                })

                .add("GET", BASE + "/workspaces", r -> workspaces.list(id()).stream().map(this::workspace).toList())
                .add("POST", BASE + "/workspaces", r -> {
                    keys(r, "name", "description", "partitions", "primaryPartition");
                    return new Created(workspace(workspaces.create(id(), str(r, "name"), str(r, "description"),
                            BodyFields.strings(r.body(), "partitions"), str(r, "primaryPartition"))));
                })
                .add("GET", BASE + "/workspaces/{id}", r -> workspace(workspaces.get(id(), r.id("id"))))
                .add("PATCH", BASE + "/workspaces/{id}", r -> {
                    keys(r, "name", "description", "partitions", "primaryPartition");
                    return workspace(workspaces.update(id(), r.id("id"), str(r, "name"), str(r, "description"),
                            BodyFields.strings(r.body(), "partitions"), str(r, "primaryPartition")));
                })
                .add("DELETE", BASE + "/workspaces/{id}", r -> {
                    workspaces.delete(id(), r.id("id"));
                    return null;
                })

                .add("GET", BASE + "/roles", r -> roles.list(id()).stream().map(AdminApi::role).toList())
                .add("POST", BASE + "/roles", r -> {
                    keys(r, "name", "description", "permissions");
                    return new Created(role(roles.create(id(), str(r, "name"), str(r, "description"), BodyFields.strings(r.body(), "permissions"))));
                })
                .add("GET", BASE + "/roles/{id}", r -> role(roles.get(id(), r.id("id"))))
                .add("PATCH", BASE + "/roles/{id}", r -> {
                    keys(r, "name", "description", "permissions");
                    return role(roles.update(id(), r.id("id"), str(r, "name"), str(r, "description"), BodyFields.strings(r.body(), "permissions")));
                })
                .add("DELETE", BASE + "/roles/{id}", r -> {
                    roles.delete(id(), r.id("id"));
                    return null;
                })

                .add("GET", BASE + "/users", r -> {
                    Map<Long, Instant> used = usage.lastUsed("user");
                    return users.list(id()).stream().map(u -> user(u, used.get(u.id()))).toList();
                })
                .add("POST", BASE + "/users", r -> new Created(user(users.create(id(), userDraft(r)), null)))
                .add("GET", BASE + "/users/{id}", r -> user(users.get(id(), r.id("id")), usage.lastUsed("user").get(r.id("id"))))
                .add("PATCH", BASE + "/users/{id}", r -> user(users.update(id(), r.id("id"), userDraft(r)), usage.lastUsed("user").get(r.id("id"))))
                .add("GET", BASE + "/users/{id}/least-privilege", r -> leastPrivilege.report(id(), r.id("id"), days(r)))
                .add("DELETE", BASE + "/users/{id}", r -> {
                    users.delete(id(), r.id("id"));
                    return null;
                })

                .add("GET", BASE + "/services", r -> {
                    Map<Long, Instant> used = usage.lastUsed("service");
                    return services.list(id()).stream().map(sv -> service(sv, used.get(sv.id()))).toList();
                })
                .add("POST", BASE + "/services", r -> {
                    keys(r, "name", "description", "user", "clientId", "clientSecret");
                    return new Created(details(services.create(id(), new CustomServices.Draft(str(r, "name"), str(r, "description"),
                            str(r, "user"), str(r, "clientId"), str(r, "clientSecret")))));
                })
                .add("GET", BASE + "/services/{id}", r -> service(services.get(id(), r.id("id")), usage.lastUsed("service").get(r.id("id"))))
                .add("PATCH", BASE + "/services/{id}", r -> {
                    keys(r, "name", "description", "enabled", "user", "caps");
                    long sid = r.id("id");
                    if (r.body().has("caps")) {
                        services.setCaps(id(), sid, CustomServices.caps(r.body().get("caps"), "caps"));
                    }
                    return service(services.update(id(), sid, str(r, "name"), str(r, "description"), BodyFields.bool(r.body(), "enabled"), str(r, "user")),
                            usage.lastUsed("service").get(sid));
                })
                .add("DELETE", BASE + "/services/{id}", r -> {
                    services.delete(id(), r.id("id"));
                    return null;
                })
                .add("GET", BASE + "/services/{id}/details", r -> details(services.details(id(), r.id("id"))))
                .add("POST", BASE + "/services/{id}/secret", r -> {
                    keys(r, "clientSecret");
                    return details(services.rotateSecret(id(), r.id("id"), str(r, "clientSecret")));
                })
                .add("POST", BASE + "/services/{id}/token", r -> {
                    TokenService.Grant g = tokens.tokenFor(services.get(id(), r.id("id")).clientId());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("access_token", g.accessToken());
                    m.put("token_type", "bearer");
                    m.put("expires_in", g.expiresIn());
                    m.put("scope", g.scope());
                    return m;
                })

                .add("GET", BASE + "/fields", r -> leadSchema.fields(id()).all().stream().map(AdminApi::field).toList())
                .add("POST", BASE + "/fields", r -> {
                    keys(r, "name", "displayName", "dataType", "length");
                    return new Created(field(leadSchema.create(id(), str(r, "name"), str(r, "displayName"), str(r, "dataType"),
                            BodyFields.integer(r.body(), "length"))));
                })
                .add("DELETE", BASE + "/fields/{name}", r -> {
                    leadSchema.delete(id(), r.vars().get("name"));
                    return null;
                })

                .add("GET", BASE + "/lists", r -> assets.lists(id()))
                .add("POST", BASE + "/lists", r -> {
                    keys(r, "name", "description", "workspace");
                    return new Created(assets.createList(id(), str(r, "name"), str(r, "description"), str(r, "workspace")));
                })
                .add("GET", BASE + "/lists/{id}", r -> assets.list(id(), r.id("id")))
                .add("DELETE", BASE + "/lists/{id}", r -> {
                    assets.deleteList(id(), r.id("id"));
                    return null;
                })
                .add("GET", BASE + "/campaigns", r -> assets.campaigns(id()))
                .add("POST", BASE + "/campaigns", r -> {
                    keys(r, "name", "description", "type", "workspace", "requestable", "active");
                    return new Created(assets.createCampaign(id(), str(r, "name"), str(r, "description"), str(r, "type"), str(r, "workspace"),
                            BodyFields.bool(r.body(), "requestable"), BodyFields.bool(r.body(), "active")));
                })
                .add("GET", BASE + "/campaigns/{id}", r -> assets.campaign(id(), r.id("id")))
                .add("PATCH", BASE + "/campaigns/{id}", r -> {
                    keys(r, "description", "requestable", "active");
                    return assets.updateCampaign(id(), r.id("id"), str(r, "description"), BodyFields.bool(r.body(), "requestable"), BodyFields.bool(r.body(), "active"));
                })
                .add("DELETE", BASE + "/campaigns/{id}", r -> {
                    assets.deleteCampaign(id(), r.id("id"));
                    return null;
                })

                .add("POST", BASE + "/seed", r -> seeds.apply(r.body(), "request body"));
    }

    private void handle(ServerRequest req, ServerResponse res) {
        // answers carry client secrets and tokens: no cache keeps them, no browser reads them as anything but JSON
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("X-Content-Type-Options", "nosniff");
        try {
            authenticate(req, res);
            String method = req.prologue().method().text();
            Handler handler;
            Map<String, String> vars;
            switch (router.match(method, req.path().path())) {
                case Router.Found<Handler> f -> {
                    handler = f.route().handler();
                    vars = f.vars();
                }
                case Router.WrongMethod<Handler> w -> throw AdminException.methodNotAllowed(
                        method + " is not supported here; use " + String.join(" or ", w.allowed()));
                case Router.NoRoute<Handler> n -> throw AdminException.notFound("no admin resource at " + req.path().path());
            }
            JsonNode body = body(req);
            Object result = handler.handle(new Request(vars, HttpIO.parseForm(req.query().rawValue()), body));
            if (result == null) {
                res.status(204).send();
            } else if (result instanceof Created c) {
                HttpIO.send(res, new Responses.Rendered(201, Json.write(c.body())));
            } else {
                HttpIO.send(res, new Responses.Rendered(200, Json.write(result)));
            }
        } catch (ApiException e) {
            HttpIO.send(res, Responses.error(Surface.ADMIN, "", e));
        } catch (HttpIO.TooLarge e) {
            HttpIO.send(res, Responses.error(Surface.ADMIN, "", AdminException.tooLarge("request body over 10 MB")));
        } catch (BadRequestException e) {
            throw e; // HTTP-level (an unreadable body): Helidon answers 400 and closes the connection
        } catch (HttpIO.MalformedForm e) {
            HttpIO.send(res, Responses.error(Surface.ADMIN, "", AdminException.invalid(e.getMessage())));
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) {
                // checked free, then taken by a request running at the same moment
                HttpIO.send(res, Responses.error(Surface.ADMIN, "", AdminException.conflict(
                        "it already exists: a request made at the same moment created it")));
                return;
            }
            String requestId = requestIds.next();
            LOG.error("admin request {} {} failed", requestId, HttpIO.loggedPath(req), e);
            HttpIO.send(res, Responses.unexpected(Surface.ADMIN, requestId));
        }
    }

    /**
     * The admin credential as a bearer token. An address that presented {@link #MAX_FAILURES} wrong
     * ones within {@link #LOCKOUT} is refused unchecked until its lockout ends, as at the console's
     * sign-in. A right credential does not clear the count: on an address shared with a busy script,
     * a guesser's count would otherwise never grow.
     */
    private void authenticate(ServerRequest req, ServerResponse res) {
        Instant now = clock.instant();
        InetAddress address = RestApi.clientAddress(req, ipCheck.trustedProxies(instances.current().settings().ipAllowlist()));
        Optional<Instant> locked = lockout.lockedUntil(address, now);
        if (locked.isPresent()) {
            throw lockedOut(res, locked.get(), now);
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || req.headers().all(HeaderNames.AUTHORIZATION, List::of).size() > 1) {
            throw unauthorized(res);
        }
        if (!auth.accepts(header.substring(7).strip())) {
            throw lockout.failed(address, now).map(until -> lockedOut(res, until, now)).orElseGet(() -> unauthorized(res));
        }
    }

    private static AdminException unauthorized(ServerResponse res) {
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"mkto-admin\"");
        return AdminException.unauthorized("send the admin credential as 'Authorization: Bearer <token>'");
    }

    private static AdminException lockedOut(ServerResponse res, Instant until, Instant now) {
        res.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, Duration.between(now, until).toSeconds())));
        return AdminException.tooManyFailures("too many wrong admin credentials from your address; it is refused until "
                + until.truncatedTo(ChronoUnit.SECONDS));
    }

    private static JsonNode body(ServerRequest req) {
        byte[] bytes = HttpIO.readBody(req, MAX_BODY);
        if (bytes.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        String type = java.util.Objects.requireNonNullElse(HttpIO.contentType(req), "");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw AdminException.unsupportedMediaType("send the body as Content-Type: application/json");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw AdminException.invalid("the body must be a JSON object");
            }
            Json.nulAt(node).ifPresent(at -> {
                throw AdminException.invalid("body" + at + ": text must not contain the NUL character (\\u0000)");
            });
            return node;
        } catch (JacksonException e) {
            throw AdminException.invalid(Json.duplicateKey(e).map(key -> "the body gives a key twice in one object (" + key + ")")
                    .orElse("the body is not valid JSON"));
        }
    }

    private long id() {
        return instances.defaultId();
    }

    // ----- views --------------------------------------------------------------------------

    private Map<String, Object> instance(Instances.Instance i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("munchkinId", i.munchkinId());
        m.put("tokenTtlSeconds", i.settings().tokenTtlSeconds());
        m.put("allowQueryToken", i.settings().allowQueryToken());
        m.put("limits", i.settings().limits());
        m.put("ipAllowlist", i.settings().ipAllowlist());
        m.put("createdAt", i.createdAt());
        m.put("updatedAt", i.updatedAt());
        return m;
    }

    private Object ipCheck(Request r) {
        keys(r, "address", "entries", "trustedProxies", "forwardedFor");
        return ipCheck.check(instances.current().settings().ipAllowlist(), str(r, "address"), BodyFields.strings(r.body(), "entries"),
                BodyFields.strings(r.body(), "trustedProxies"), BodyFields.strings(r.body(), "forwardedFor"));
    }

    private Object limitsView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", limits.snapshot(id(), null, null));
        List<Map<String, Object>> capped = new ArrayList<>();
        for (CustomServices.Service sv : services.list(id())) {
            if (!sv.caps().none()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("serviceId", sv.id());
                one.put("service", sv.name());
                one.put("usage", limits.snapshot(id(), sv.id(), sv.caps()));
                capped.add(one);
            }
        }
        m.put("services", capped);
        return m;
    }

    private Object usageView(int days) {
        Map<Long, String> names = new LinkedHashMap<>();
        services.list(id()).forEach(sv -> names.put(sv.id(), sv.name()));
        List<Map<String, Object>> calls = new ArrayList<>();
        for (Usage.CallRow c : usage.callRows(id(), days)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", c.date());
            m.put("serviceId", c.serviceId());
            m.put("service", names.get(c.serviceId()));
            m.put("userId", c.userEmail());
            m.put("endpoint", c.endpoint());
            m.put("calls", c.calls());
            calls.add(m);
        }
        List<Map<String, Object>> errors = new ArrayList<>();
        for (Usage.ErrorRow e : usage.errorRows(id(), days)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", e.date());
            m.put("serviceId", e.serviceId() == 0 ? null : e.serviceId());
            m.put("service", names.get(e.serviceId()));
            m.put("endpoint", e.endpoint());
            m.put("errorCode", e.errorCode());
            m.put("count", e.count());
            errors.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("days", days);
        out.put("calls", calls);
        out.put("errors", errors);
        return out;
    }

    private static int days(Request r) {
        List<String> v = r.query().get("days");
        if (v == null || v.isEmpty()) {
            return 7;
        }
        try {
            int d = Integer.parseInt(v.getFirst());
            if (d >= 1 && d <= 90) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw AdminException.invalid("days must be an integer from 1 to 90");
    }

    private static Map<String, Object> service(CustomServices.Service sv, Instant lastUsedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", sv.id());
        m.put("name", sv.name());
        m.put("description", sv.description());
        m.put("type", sv.type());
        m.put("user", sv.userEmail());
        m.put("clientId", sv.clientId());
        m.put("enabled", sv.enabled());
        m.put("caps", sv.caps().none() ? null : sv.caps());
        m.put("lastUsedAt", lastUsedAt);
        m.put("createdAt", sv.createdAt());
        m.put("updatedAt", sv.updatedAt());
        return m;
    }

    private static List<Map<String, Object>> permissions() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Permission p : Permission.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.label());
            m.put("aliases", p.aliases());
            m.put("implies", Arrays.stream(Permission.values()).filter(o -> o != p && p.satisfies(o)).map(Permission::label).toList());
            out.add(m);
        }
        return out;
    }

    private Map<String, Object> workspace(Workspaces.Workspace w) {
        Map<Long, String> names = new LinkedHashMap<>();
        partitions.list(id()).forEach(p -> names.put(p.id(), p.name()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("name", w.name());
        m.put("description", w.description());
        m.put("primaryPartition", names.get(w.primaryPartitionId()));
        m.put("partitions", w.partitionIds().stream().map(names::get).toList());
        m.put("createdAt", w.createdAt());
        m.put("updatedAt", w.updatedAt());
        return m;
    }

    private static Map<String, Object> role(Roles.Role r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("description", r.description());
        m.put("permissions", r.permissions().stream().map(Permission::label).toList());
        m.put("createdAt", r.createdAt());
        m.put("updatedAt", r.updatedAt());
        return m;
    }

    private Map<String, Object> user(Users.User u, Instant lastUsedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("email", u.email());
        m.put("firstName", u.firstName());
        m.put("lastName", u.lastName());
        m.put("apiOnly", u.apiOnly());
        m.put("active", u.active());
        m.put("status", u.status(clock.instant()));
        m.put("expiresAt", u.expiresAt());
        m.put("roles", u.roles().stream().map(a -> {
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("role", a.roleName());
            role.put("workspace", a.workspaceName());
            return role;
        }).toList());
        m.put("lastUsedAt", lastUsedAt);
        m.put("createdAt", u.createdAt());
        m.put("updatedAt", u.updatedAt());
        return m;
    }

    private static Map<String, Object> details(CustomServices.Details d) {
        Map<String, Object> m = new LinkedHashMap<>();
        CustomServices.Service s = d.service();
        m.put("id", s.id());
        m.put("name", s.name());
        m.put("description", s.description());
        m.put("type", s.type());
        m.put("user", s.userEmail());
        m.put("clientId", s.clientId());
        m.put("clientSecret", d.clientSecret());
        m.put("enabled", s.enabled());
        return m;
    }

    private static Map<String, Object> field(LeadField f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("displayName", f.displayName());
        m.put("dataType", f.type().marketoName());
        m.put("length", f.length());
        m.put("custom", f.custom());
        m.put("updateable", f.updateable());
        m.put("searchable", f.searchable());
        return m;
    }

    // ----- body fields ----------------------------------------------------------------------

    private Users.Draft userDraft(Request r) {
        keys(r, "email", "firstName", "lastName", "apiOnly", "active", "expiresAt", "roles");
        List<Users.RoleRef> refs = null;
        JsonNode list = r.body().get("roles");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw AdminException.invalid("roles must be an array of {\"role\": name, \"workspace\": name}");
            }
            refs = new ArrayList<>();
            for (JsonNode item : list) {
                if (!item.isObject()) {
                    throw AdminException.invalid("roles must be an array of {\"role\": name, \"workspace\": name}");
                }
                InstanceSettings.knownKeys(item, "roles[]", Set.of("role", "workspace"));
                refs.add(Users.RoleRef.byName(BodyFields.text(item, "role", "roles[].role"), BodyFields.text(item, "workspace", "roles[].workspace")));
            }
        }
        return new Users.Draft(str(r, "email"), str(r, "firstName"), str(r, "lastName"), BodyFields.bool(r.body(), "apiOnly"), BodyFields.bool(r.body(), "active"),
                expiry(r.body()), refs);
    }

    /** {@code expiresAt}: absent keeps, null clears, an ISO-8601 datetime sets. */
    static Optional<Instant> expiry(JsonNode body) {
        if (!body.has("expiresAt")) {
            return null;
        }
        JsonNode v = body.get("expiresAt");
        if (v.isNull()) {
            return Optional.empty();
        }
        if (!v.isString()) {
            throw AdminException.invalid("expiresAt must be an ISO-8601 datetime such as 2030-12-31T23:59:59Z, or null");
        }
        try {
            return Optional.of(OffsetDateTime.parse(v.asString().strip()).toInstant());
        } catch (DateTimeParseException e) {
            throw AdminException.invalid("expiresAt '" + Echo.of(v.asString()) + "' is not an ISO-8601 datetime such as 2030-12-31T23:59:59Z");
        }
    }

    private static void keys(Request r, String... allowed) {
        InstanceSettings.knownKeys(r.body(), "body", Set.of(allowed));
    }

    private static String str(Request r, String name) {
        return BodyFields.text(r.body(), name);
    }

}
