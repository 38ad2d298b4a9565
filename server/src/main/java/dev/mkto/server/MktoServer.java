package dev.mkto.server;

import dev.mkto.server.access.Allowlist;
import dev.mkto.server.activities.ActivityApi;
import dev.mkto.server.activities.ActivityLog;
import dev.mkto.server.activities.ActivityService;
import dev.mkto.server.activities.ActivityTypes;
import dev.mkto.server.bulk.BulkApi;
import dev.mkto.server.campaigns.CampaignApi;
import dev.mkto.server.campaigns.CampaignService;
import dev.mkto.server.lists.ListApi;
import dev.mkto.server.lists.ListService;
import dev.mkto.server.admin.Changes;
import dev.mkto.server.admin.AdminApi;
import dev.mkto.server.admin.AdminAuth;
import dev.mkto.server.admin.Assets;
import dev.mkto.server.admin.CustomServices;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.IpCheck;
import dev.mkto.server.admin.LeastPrivilege;
import dev.mkto.server.admin.Partitions;
import dev.mkto.server.admin.Roles;
import dev.mkto.server.admin.SeedLoader;
import dev.mkto.server.admin.UserManagementApi;
import dev.mkto.server.admin.Users;
import dev.mkto.server.admin.Workspaces;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.console.Console;
import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.RequestIds;
import dev.mkto.server.http.Responses;
import dev.mkto.server.http.RestApi;
import dev.mkto.server.identity.IdentityApi;
import dev.mkto.server.identity.TokenService;
import dev.mkto.server.leads.LeadApi;
import dev.mkto.server.leads.LeadSchema;
import dev.mkto.server.leads.LeadService;
import dev.mkto.server.objects.CustomObjectTypeApi;
import dev.mkto.server.objects.CustomObjectTypes;
import dev.mkto.server.objects.ObjectApi;
import dev.mkto.server.objects.ObjectService;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.KeyRing;
import dev.mkto.server.store.Pause;
import dev.mkto.server.store.Revisions;
import dev.mkto.server.store.ServerSettings;
import dev.mkto.server.usage.StatsApi;
import dev.mkto.server.usage.Usage;
import dev.mkto.server.limits.Limits;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.ServiceRegistryConfig;
import io.helidon.service.registry.ServiceRegistryManager;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mkto-server: the database, the access model, and the HTTP faces in front of them. The
 * constructor reads as the table of contents: store, access model, identity, the API's features,
 * then the routes.
 */
public final class MktoServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MktoServer.class);

    /** Start-up could not complete; the message says why and what to do. */
    public static final class StartupException extends RuntimeException {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ServerConfig config;
    private final Database database;
    private final WebServer webServer;
    private final Instances instances;
    private final Optional<String> generatedAdminToken;
    private final List<SeedLoader.Generated> generatedCredentials = new ArrayList<>();
    private final Thread housekeeping;
    private final Pause housekeepingPause = new Pause();
    private final ApiRoutes api;
    private Revisions revisions;
    private TokenService tokens;
    private Usage usage;
    private Limits limits;
    private BulkApi bulk;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MktoServer(ServerConfig config, InstantSource clock) {
        this.config = config;
        checkAddress(config);
        createDataDir(config.dataDir());
        this.database = openDatabase(config, clock);
        // processes starting together on one database write their first-start defaults, settings
        // and seeds in turns: each finds the other's there instead of inserting them again
        Database.Lock startup;
        try {
            startup = database.startupLock();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        try {
            KeyRing keys = config.secretKey().map(KeyRing::new).orElseGet(() -> KeyRing.fromDataDir(config.dataDir()));
            ServerSettings settings = new ServerSettings(database.jdbi());
            checkKey(settings, keys);

            // the access model; every process's caches follow the shared revision
            var jdbi = database.jdbi();
            revisions = new Revisions(jdbi, Duration.ofMillis(200));
            revisions.baseline(); // before anything is cached: what other processes change from now on reaches this one
            Changes events = new Changes(jdbi, revisions);
            instances = new Instances(jdbi, clock, events);
            instances.ensureDefault(config.munchkinId());
            Partitions partitions = new Partitions(jdbi, clock, events);
            Workspaces workspaces = new Workspaces(jdbi, clock, events, partitions);
            Roles roles = new Roles(jdbi, clock, events);
            Users users = new Users(jdbi, clock, events, roles, workspaces);
            CustomServices services = new CustomServices(jdbi, clock, events, keys, users);

            // identity
            tokens = new TokenService(jdbi, database.exclusive(), services, instances, keys, clock);
            events.subscribe(tokens);

            // the lead database
            LeadSchema leadSchema = new LeadSchema(jdbi, clock, events);
            ActivityLog activityLog = new ActivityLog(jdbi);
            ActivityTypes activityTypes = new ActivityTypes(jdbi, clock, events);
            LeadService leads = new LeadService(jdbi, database.exclusive(), leadSchema, partitions, activityLog, clock);
            ListService lists = new ListService(jdbi, leads, activityLog, clock);
            CampaignService campaigns = new CampaignService(jdbi, workspaces, instances, activityLog, clock);
            CustomObjectTypes customObjectTypes = new CustomObjectTypes(jdbi, leadSchema, events, clock);
            ObjectService objects = new ObjectService(jdbi, customObjectTypes, leads, instances, clock);

            // limits and usage: in this process, or shared through Redis
            usage = new Usage(jdbi, database.dialect(), instances, clock, Duration.ofSeconds(2));
            String cluster = settings.putIfAbsent("cluster_id", java.util.UUID.randomUUID().toString());
            limits = config.redisUrl().map(url -> Limits.redis(url, cluster, instances, clock, usage))
                    .orElseGet(() -> Limits.local(instances, clock, usage));
            Allowlist allowlist = new Allowlist();
            IpCheck ipCheck = new IpCheck(allowlist);
            LeastPrivilege leastPrivilege = new LeastPrivilege(users, roles, services, usage);

            // fixtures and the admin credential
            SeedLoader seeds = new SeedLoader(jdbi, clock, events, instances, partitions, workspaces, roles, users, services, leadSchema, leads);
            for (Path seed : config.seeds()) {
                generatedCredentials.addAll(seeds.apply(seed).generated());
            }
            AdminAuth adminAuth = new AdminAuth(settings);
            generatedAdminToken = adminAuth.initialise(config.adminToken());
            startup.close();

            // HTTP
            RequestIds requestIds = new RequestIds(clock);
            api = new ApiRoutes();
            new LeadApi(leads).register(api);
            ActivityService activities = new ActivityService(jdbi, activityTypes);
            new ActivityApi(activities, activityTypes, leadSchema, jdbi, clock).register(api);
            bulk = new BulkApi(jdbi, instances, leads, activities, clock);
            bulk.register(api);
            new ListApi(lists).register(api);
            new CampaignApi(campaigns).register(api);
            new ObjectApi(objects, customObjectTypes).register(api);
            new CustomObjectTypeApi(customObjectTypes, leadSchema).register(api);
            new UserManagementApi(instances, users, roles, workspaces).register(api);
            new StatsApi(usage).register(api);
            IdentityApi identity = new IdentityApi(tokens, instances, allowlist, requestIds);
            RestApi rest = new RestApi(api, tokens, instances, allowlist, limits, usage, requestIds);
            AdminApi admin = new AdminApi(adminAuth, instances, partitions, workspaces, roles, users, services, leadSchema, tokens,
                    seeds, new Assets(jdbi, clock, workspaces), limits, usage, ipCheck, leastPrivilege, clock, requestIds);
            Console console = new Console(adminAuth, instances, partitions, workspaces, roles, users, services, tokens, limits, usage,
                    ipCheck, leastPrivilege, allowlist, clock, requestIds, this::baseUrl);

            useOwnServiceRegistry();
            webServer = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .shutdownGracePeriod(Duration.ofSeconds(5))
                    // this HTTP/1.1 configuration alone: beside the one Helidon discovers, two candidates made Helidon
                    // close an HTTP/1.0 connection without a word instead of answering it
                    .protocolsDiscoverServices(false)
                    .addProtocol(Http1Config.builder().maxPrologueLength(64 * 1024).build())
                    // without it a response written in more than one segment waited for the client's
                    // delayed ACK (40 ms on Linux) on every kept-alive connection
                    .connectionOptions(socket -> socket.tcpNoDelay(true))
                    .directHandlers(d -> d.addHandler(DirectHandler.EventType.BAD_REQUEST, Responses.unreadable(requestIds))
                            .addHandler(DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED, Responses.otherHttpVersion(requestIds)))
                    .routing(routing -> routing
                            .addFilter(MktoServer::closeWhenAsked)
                            .addFilter(MktoServer::answerHead)
                            .get("/ping", (req, res) -> res.send("pong"))
                            .register(identity, rest, admin, console))
                    .build()
                    .start();
            if (!webServer.isRunning()) {
                throw new StartupException("cannot listen on " + config.host() + ":" + config.port()
                        + " (taken since start-up began?); stop what uses it or choose another --port (0 picks a free one)", null);
            }
            housekeeping = Thread.ofVirtual().name("mkto-housekeeping").start(() -> housekeep(tokens));
            usage.start();
            revisions.start(events::notifyLocal);
            bulk.start();
        } catch (RuntimeException e) {
            startup.close();
            if (limits != null) {
                limits.close();
            }
            if (tokens != null) {
                tokens.close();
            }
            database.close();
            throw e;
        }
    }

    /** Starts a server; {@code clock} is the time every expiry, window and quota is measured on. */
    public static MktoServer start(ServerConfig config, InstantSource clock) {
        return new MktoServer(config, clock);
    }

    public int port() {
        return webServer.port();
    }

    /** e.g. {@code http://127.0.0.1:8080} */
    public String baseUrl() {
        return config.baseUrl(port());
    }

    public String munchkinId() {
        return instances.current().munchkinId();
    }

    /** The API endpoints this server answers, as "METHOD template". */
    public List<String> endpoints() {
        return api.endpoints();
    }

    /** The admin credential generated on this (first) start, to be shown once. */
    public Optional<String> generatedAdminToken() {
        return generatedAdminToken;
    }

    /** Client credentials that seed files left to the server to generate, to be shown once. */
    public List<SeedLoader.Generated> generatedCredentials() {
        return List.copyOf(generatedCredentials);
    }

    /** Stops gracefully: requests in flight finish, usage counts are flushed, then the stores close. Once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        webServer.stop();
        bulk.close();
        housekeepingPause.stop(housekeeping, Duration.ofSeconds(5));
        tokens.close();
        revisions.close();
        usage.close();
        limits.close();
        database.close();
    }

    private void housekeep(TokenService tokens) {
        do {
            try {
                int purged = tokens.purgeExpired();
                if (purged > 0) {
                    LOG.debug("purged {} expired tokens", purged);
                }
            } catch (RuntimeException e) {
                LOG.warn("housekeeping failed: {}", e.getMessage());
            }
        } while (housekeepingPause.sleep(Duration.ofHours(1))); // after a failure too: the next attempt is the next hour's
    }

    /**
     * Helidon looks its extensions up in a process-wide service registry that, by default, scans the
     * class path for every service descriptor; the server wires everything it uses in code, so the
     * registry it gets is an empty one (about a tenth of a second of start-up CPU).
     */
    private static void useOwnServiceRegistry() {
        GlobalServiceRegistry.registry(() -> ServiceRegistryManager.create(ServiceRegistryConfig.builder()
                .discoverServices(false)
                .discoverServicesFromServiceLoader(false)
                .build()).registry());
    }

    /**
     * HEAD is answered here, without a body (RFC 9110 §9.3.2; Helidon 4.5.0 wrote whatever body a
     * handler sent, which a kept-alive client then read as the start of the next response):
     * {@code /ping} with 200, every other path with 405 and the methods the server takes.
     */
    private static void answerHead(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.prologue().method() != Method.HEAD) {
            chain.proceed();
            return;
        }
        if (req.path().path().equals("/ping")) {
            res.status(Status.OK_200);
        } else {
            res.status(Status.METHOD_NOT_ALLOWED_405);
            res.header(HeaderNames.ALLOW, "GET, POST");
        }
        res.send();
    }

    /**
     * A request with {@code Connection: close} is answered with the same header and its connection
     * then closed (RFC 9112 §9.6), so a client reading to the end of the stream gets it; Helidon
     * 4.5.0 sent the header and kept the connection open until its idle time-out.
     */
    private static void closeWhenAsked(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        chain.proceed();
        if (res.isSent() && req.headers().contains(HeaderValues.CONNECTION_CLOSE)) {
            throw new CloseConnectionException("the client asked to close the connection");
        }
    }

    /**
     * Binds the configured address once, before anything is opened or written: a port in use or a
     * host that is not this machine's stops start-up here, rather than after the seeds were applied
     * and an admin token generated that would then never be shown.
     */
    private static void checkAddress(ServerConfig config) {
        InetAddress address;
        try {
            address = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw new StartupException("host: cannot resolve '" + config.host() + "'; use an address of this machine"
                    + " (--host 127.0.0.1, or 0.0.0.0 for every interface)", e);
        }
        if (!ownAddress(address)) {
            throw new StartupException("host: " + config.host() + " is not an address of this machine; use one of its own"
                    + " (--host 127.0.0.1, or 0.0.0.0 for every interface)", null);
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address, config.port()));
        } catch (BindException e) {
            throw new StartupException("port: cannot listen on " + config.host() + ":" + config.port() + " ("
                    + e.getMessage() + "); is another mkto-server running? Stop it or choose another --port (0 picks a free one)", e);
        } catch (IOException e) {
            throw new StartupException("host: cannot listen on " + config.host() + ":" + config.port() + " (" + e.getMessage() + ")", e);
        }
    }

    /** Whether this machine can listen on {@code address}: the wildcard, a loopback address or one of its interfaces'. */
    private static boolean ownAddress(InetAddress address) {
        try {
            return address.isAnyLocalAddress() || address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true; // cannot tell: binding will say
        }
    }

    private static void createDataDir(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StartupException("data-dir: " + dir + " is a file, not a directory; choose another --data-dir", null);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StartupException("data-dir: cannot create " + dir + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage()) + "); choose a --data-dir you can write to", e);
        }
        if (!Files.isWritable(dir)) {
            throw new StartupException("data-dir: " + dir + " is not writable; choose a --data-dir you can write to", null);
        }
    }

    private static Database openDatabase(ServerConfig config, InstantSource clock) {
        String where = config.toString().replaceAll(".*dbUrl=([^,]*),.*", "$1");
        try {
            return Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(), config.postgres() ? 20 : 10, clock);
        } catch (Database.SchemaException e) {
            throw new StartupException("cannot open the database at " + where + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (config.postgres() && "No suitable driver".equals(rootMessage(e))) {
                throw new StartupException("db-url: " + where + " is not a PostgreSQL JDBC URL the driver accepts;"
                        + " write it as jdbc:postgresql://host:5432/database", e);
            }
            throw new StartupException("cannot open the database at " + where
                    + ": " + rootMessage(e) + (config.postgres() ? " (is PostgreSQL running, and do the URL, MKTO_DB_USER and"
                    + " MKTO_DB_PASSWORD fit it?)" : " (is another mkto-server using this data directory?)"), e);
        }
    }

    /** A database created with one key cannot be used with another: its secrets would not decrypt. */
    private static void checkKey(ServerSettings settings, KeyRing keys) {
        String stored = settings.putIfAbsent("key_fingerprint", keys.fingerprint());
        if (!stored.equals(keys.fingerprint())) {
            throw new StartupException("the secret key (" + KeyRing.KEY_FILE + " in the data directory, or MKTO_SECRET_KEY) is not the one"
                    + " this database was created with; client secrets could not be read. Use the original key.", null);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
