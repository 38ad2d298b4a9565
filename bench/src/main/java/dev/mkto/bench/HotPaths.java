package dev.mkto.bench;

import dev.mkto.server.access.Caller;
import dev.mkto.server.access.EndpointPolicy;
import dev.mkto.server.access.IpRules;
import dev.mkto.server.access.PermissionSet;
import dev.mkto.server.activities.ActivityLog;
import dev.mkto.server.admin.Changes;
import dev.mkto.server.admin.CustomServices;
import dev.mkto.server.admin.Instances;
import dev.mkto.server.admin.Partitions;
import dev.mkto.server.admin.Roles;
import dev.mkto.server.admin.SeedLoader;
import dev.mkto.server.admin.Users;
import dev.mkto.server.admin.Workspaces;
import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.http.Reply;
import dev.mkto.server.http.Responses;
import dev.mkto.server.http.Router;
import dev.mkto.server.identity.TokenService;
import dev.mkto.server.leads.LeadSchema;
import dev.mkto.server.leads.LeadService;
import dev.mkto.server.limits.Limits;
import dev.mkto.server.store.Database;
import dev.mkto.server.store.KeyRing;
import dev.mkto.server.store.Revisions;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Microbenchmarks of the request chain's hot paths, on the server's own classes wired as the
 * server wires them, over a real H2 file database: token lookup, permission check (route match
 * and grant test), allowlist match, limit admission, envelope writing, and a 300-lead sync batch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPaths {

    /** The access model, identity, limits and lead database of one instance, as the server builds them. */
    @State(Scope.Benchmark)
    public static class Instance {
        Path dir;
        Database database;
        Revisions revisions;
        TokenService tokens;
        Limits limits;
        LeadService leads;
        String token;
        Caller caller;
        final AtomicLong nextLead = new AtomicLong();

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("mkto-jmh");
            InstantSource clock = Clock.systemUTC();
            database = Database.open(ServerConfig.defaultH2Url(dir), "", "", 4, clock);
            var jdbi = database.jdbi();
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            KeyRing keys = new KeyRing(key);
            revisions = new Revisions(jdbi, Duration.ofMillis(200));
            Changes events = new Changes(jdbi, revisions);
            Instances instances = new Instances(jdbi, clock, events);
            instances.ensureDefault("123-ABC-456");
            Partitions partitions = new Partitions(jdbi, clock, events);
            Workspaces workspaces = new Workspaces(jdbi, clock, events, partitions);
            Roles roles = new Roles(jdbi, clock, events);
            Users users = new Users(jdbi, clock, events, roles, workspaces);
            CustomServices services = new CustomServices(jdbi, clock, events, keys, users);
            tokens = new TokenService(jdbi, database.exclusive(), services, instances, keys, clock);
            events.subscribe(tokens);
            LeadSchema schema = new LeadSchema(jdbi, clock, events);
            leads = new LeadService(jdbi, database.exclusive(), schema, partitions, new ActivityLog(jdbi), clock);
            new SeedLoader(jdbi, clock, events, instances, partitions, workspaces, roles, users, services, schema, leads)
                    .apply(Seeds.MAPPER.readTree(Seeds.instance(1)), "bench");
            limits = Limits.local(instances, new Ticking(), (instance, service, day) -> 0);
            token = tokens.issue(Seeds.clientId(0), Seeds.clientSecret(0)).accessToken();
            caller = tokens.authenticate(token);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            limits.close();
            revisions.close();
            tokens.close();
            database.close();
            Bench.deleteTree(dir);
        }
    }

    /** A clock one millisecond later at every reading: the window of the limits stays short however fast admissions run. */
    static final class Ticking implements InstantSource {
        private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis());
        }

        @Override
        public long millis() {
            return millis.incrementAndGet();
        }
    }

    /** The routes and permissions of every endpoint, and a caller holding Read-Only Lead. */
    @State(Scope.Benchmark)
    public static class Policy {
        Router<PermissionSet> router;
        PermissionSet held;

        @Setup(Level.Trial)
        public void build() {
            router = new Router<>();
            for (EndpointPolicy.Rule rule : EndpointPolicy.RULES) {
                router.add(rule.method(), rule.template(), rule.required());
            }
            held = PermissionSet.granting(List.of(dev.mkto.server.access.Permission.parse("Read-Only Lead").orElseThrow()));
        }
    }

    /** An allowlist of 50 entries of every kind; the address matches the last one. */
    @State(Scope.Benchmark)
    public static class Allow {
        IpRules rules;
        InetAddress address;

        @Setup(Level.Trial)
        public void build() throws IOException {
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                entries.add("10." + i + ".0.1");
                entries.add("10." + i + ".*.*");
                entries.add("192.168." + i + ".10-192.168." + i + ".20");
                entries.add("2001:db8:" + i + "::/48");
            }
            entries.add("172.16.0.0/12");
            entries.add("203.0.113.7");
            rules = IpRules.compile(entries);
            address = InetAddress.getByName("203.0.113.7");
        }
    }

    /** A page of 300 leads as the leads endpoints answer them. */
    @State(Scope.Benchmark)
    public static class Page {
        Reply.Envelope envelope;

        @Setup(Level.Trial)
        public void build() {
            List<Map<String, Object>> result = new ArrayList<>();
            for (int i = 1; i <= 300; i++) {
                Map<String, Object> lead = new LinkedHashMap<>();
                lead.put("id", i);
                lead.put("updatedAt", "2026-12-05T10:00:00Z");
                lead.put("lastName", "Lovelace");
                lead.put("email", "lead" + i + "@example.com");
                lead.put("createdAt", "2026-12-05T10:00:00Z");
                lead.put("firstName", "Ada");
                result.add(lead);
            }
            envelope = Reply.Envelope.of(result);
        }
    }

    @Benchmark
    public Caller tokenLookup(Instance i) {
        return i.tokens.authenticate(i.token);
    }

    @Benchmark
    public boolean permissionCheck(Policy p) {
        var match = p.router.match("GET", "/rest/v1/lead/123456.json");
        return match instanceof Router.Found<PermissionSet> f && p.held.intersects(f.route().handler());
    }

    @Benchmark
    public boolean allowlistMatch(Allow a) {
        return a.rules.allows(a.address);
    }

    @Benchmark
    public Object limitAdmission(Instance i) {
        Limits.Admitted admitted = i.limits.admit(i.caller);
        i.limits.release(admitted, false);
        return admitted;
    }

    @Benchmark
    public Responses.Rendered envelopeOf300Leads(Page p) {
        return Responses.envelope("bench#1", p.envelope);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object syncBatchOf300(Instance i) {
        long first = i.nextLead.getAndAdd(300);
        List<Map<String, JsonNode>> input = new ArrayList<>(300);
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        for (long n = first; n < first + 300; n++) {
            input.add(Map.of("email", nodes.stringNode("jmh" + n + "@example.com"), "firstName", nodes.stringNode("Ada"),
                    "lastName", nodes.stringNode("Lovelace")));
        }
        return i.leads.sync(i.caller, "bench#" + first, LeadService.Action.CREATE_OR_UPDATE, "email", null, input);
    }
}
