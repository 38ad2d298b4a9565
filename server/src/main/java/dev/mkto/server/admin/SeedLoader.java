package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.Json;
import dev.mkto.server.leads.FieldType;
import dev.mkto.server.leads.LeadField;
import dev.mkto.server.leads.LeadSchema;
import dev.mkto.server.leads.LeadService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Applies seed documents (see docs/seed-format.md): an instance's settings, partitions,
 * workspaces, roles, API-only users, custom services with fixed credentials, custom fields, leads,
 * lists and campaigns. Entries are matched by name, e-mail or client id, so applying a document
 * twice changes nothing. A document is applied in one transaction: any problem, reported with the
 * entry it concerns, leaves nothing of it behind.
 */
public final class SeedLoader {

    /** A credential the seed did not fix and the server generated; shown once. */
    public record Generated(String service, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Generated[service=" + service + ", clientId=" + clientId + ", clientSecret=****]";
        }
    }

    /** What applying a document did. */
    public record Result(int created, int updated, int unchanged, List<Generated> generated) {
    }

    private static final Set<String> TOP = Set.of("instance", "partitions", "workspaces", "roles", "users", "services", "leads",
            "fields", "lists", "campaigns");

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes events;
    private final Instances instances;
    private final Partitions partitions;
    private final Workspaces workspaces;
    private final Roles roles;
    private final Users users;
    private final CustomServices services;
    private final LeadSchema leadSchema;
    private final LeadService leads;

    public SeedLoader(Jdbi jdbi, InstantSource clock, Changes events, Instances instances, Partitions partitions,
                      Workspaces workspaces, Roles roles, Users users, CustomServices services, LeadSchema leadSchema, LeadService leads) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.instances = instances;
        this.partitions = partitions;
        this.workspaces = workspaces;
        this.roles = roles;
        this.users = users;
        this.services = services;
        this.leadSchema = leadSchema;
        this.leads = leads;
    }

    /** Reads and applies a seed file; problems name the file and the entry. */
    public Result apply(Path file) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw AdminException.invalid("seed " + file + ": cannot read it (" + e.getMessage() + ")");
        } catch (JacksonException e) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            String why = Json.duplicateKey(e).map(key -> "a key given twice in one object (" + key + ")").orElse("not valid JSON");
            throw AdminException.invalid("seed " + file + ": " + why + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()
                    + (name.endsWith(".yaml") || name.endsWith(".yml") ? " (seed files are JSON, not YAML: see docs/seeds.md)" : ""));
        }
        return apply(doc, "seed " + file);
    }

    /** Applies a parsed seed document in one transaction. */
    public Result apply(JsonNode doc, String source) {
        if (doc == null || !doc.isObject()) {
            throw AdminException.invalid(source + ": a seed document is a JSON object");
        }
        Json.nulAt(doc).ifPresent(at -> {
            throw AdminException.invalid(source + ": " + (at.isEmpty() ? "" : at.substring(1) + ": ")
                    + "text must not contain the NUL character (\\u0000)");
        });
        Counter counter = new Counter();
        try {
            jdbi.useTransaction(h -> new Application(doc, source, counter).run());
        } catch (RuntimeException e) {
            events.notifyLocal(); // caches may hold what the rollback undid
            throw e;
        }
        return new Result(counter.created, counter.updated, counter.unchanged, List.copyOf(counter.generated));
    }

    private static final class Counter {
        int created;
        int updated;
        int unchanged;
        final List<Generated> generated = new ArrayList<>();

        void count(Boolean createdOrChanged, boolean existed) {
            if (!existed) {
                created++;
            } else if (Boolean.TRUE.equals(createdOrChanged)) {
                updated++;
            } else {
                unchanged++;
            }
        }
    }

    /** One application of one document. */
    private final class Application {
        private final JsonNode doc;
        private final String source;
        private final Counter counter;
        private final long instance;

        Application(JsonNode doc, String source, Counter counter) {
            this.doc = doc;
            this.source = source;
            this.counter = counter;
            this.instance = instances.defaultId();
        }

        void run() {
            keys(doc, source, TOP);
            if (doc.has("instance")) {
                at("instance", () -> instanceSettings(doc.get("instance")));
            }
            each("partitions", Set.of("name", "description"), SeedLoader::byName, this::partition);
            each("workspaces", Set.of("name", "description", "partitions", "primaryPartition"), SeedLoader::byName, this::workspace);
            each("roles", Set.of("name", "description", "permissions"), SeedLoader::byName, this::role);
            each("users", Set.of("email", "firstName", "lastName", "apiOnly", "active", "expiresAt", "roles"), SeedLoader::byEmail,
                    this::user);
            each("services", Set.of("name", "description", "user", "clientId", "clientSecret", "caps"), SeedLoader::byClientIdOrName,
                    this::service);
            each("fields", Set.of("name", "displayName", "dataType", "length"),
                    n -> lowerCase(byName(n)), this::field);
            each("leads", null, SeedLoader::byPartitionAndEmail, this::lead);
            each("lists", Set.of("name", "description", "workspace"), SeedLoader::byName, this::list);
            each("campaigns", Set.of("name", "description", "type", "workspace", "requestable", "active"), SeedLoader::byName,
                    this::campaign);
        }

        private void instanceSettings(JsonNode n) {
            if (!n.isObject()) {
                throw AdminException.invalid("must be an object");
            }
            Instances.Instance current = instances.get(instance);
            InstanceSettings merged = current.settings().merge(n, "instance");
            boolean munchkinChanges = n.has("munchkinId") && !n.get("munchkinId").asString("").strip().equals(current.munchkinId());
            if (!merged.equals(current.settings()) || munchkinChanges) {
                instances.update(instance, n);
                counter.updated++;
            } else {
                counter.unchanged++;
            }
        }

        private void partition(JsonNode n) {
            String name = req(n, "name");
            String description = opt(n, "description");
            Optional<Partitions.Partition> p = partitions.byName(instance, name);
            if (p.isEmpty()) {
                partitions.create(instance, name, description);
                counter.count(true, false);
            } else {
                boolean changed = description != null && !description.equals(p.get().description());
                if (changed) {
                    partitions.update(instance, p.get().id(), null, description);
                }
                counter.count(changed, true);
            }
        }

        private void workspace(JsonNode n) {
            String name = req(n, "name");
            String description = opt(n, "description");
            List<String> parts = BodyFields.strings(n, "partitions");
            String primary = opt(n, "primaryPartition");
            Optional<Workspaces.Workspace> w = workspaces.byName(instance, name);
            if (w.isEmpty()) {
                workspaces.create(instance, name, description, parts, primary);
                counter.count(true, false);
                return;
            }
            Workspaces.Workspace current = w.get();
            List<Long> wanted = parts == null ? current.partitionIds()
                    : parts.stream().map(p -> partitions.require(instance, p).id()).toList();
            Long wantedPrimary = primary == null ? null : partitions.require(instance, primary).id();
            boolean changed = (description != null && !description.equals(current.description()))
                    || !Set.copyOf(wanted).equals(Set.copyOf(current.partitionIds()))
                    || (wantedPrimary != null && wantedPrimary != current.primaryPartitionId());
            if (changed) {
                workspaces.update(instance, current.id(), null, description, parts, primary);
            }
            counter.count(changed, true);
        }

        private void role(JsonNode n) {
            String name = req(n, "name");
            String description = opt(n, "description");
            List<String> perms = BodyFields.strings(n, "permissions");
            Optional<Roles.Role> r = roles.byName(instance, name);
            if (r.isEmpty()) {
                roles.create(instance, name, description, perms == null ? List.of() : perms);
                counter.count(true, false);
                return;
            }
            boolean changed = (description != null && !description.equals(r.get().description()))
                    || (perms != null && !Roles.parsePermissions(perms).equals(Set.copyOf(r.get().permissions())));
            if (changed) {
                roles.update(instance, r.get().id(), null, description, perms);
            }
            counter.count(changed, true);
        }

        private void user(JsonNode n) {
            String email = req(n, "email");
            List<Users.RoleRef> refs = null;
            if (n.has("roles")) {
                JsonNode list = n.get("roles");
                if (!list.isArray()) {
                    throw AdminException.invalid("roles must be an array of {\"role\": …, \"workspace\": …}");
                }
                refs = new ArrayList<>();
                int i = 0;
                for (JsonNode item : list) {
                    String where = "roles[" + i++ + "]";
                    if (!item.isObject()) {
                        throw AdminException.invalid(where + " must be an object");
                    }
                    keys(item, where, Set.of("role", "workspace"));
                    refs.add(Users.RoleRef.byName(BodyFields.text(item, "role", where + ".role"),
                            BodyFields.text(item, "workspace", where + ".workspace")));
                }
            }
            Boolean apiOnly = BodyFields.bool(n, "apiOnly");
            Boolean active = BodyFields.bool(n, "active");
            Optional<Instant> expires = AdminApi.expiry(n);
            Users.Draft draft = new Users.Draft(email, opt(n, "firstName"), opt(n, "lastName"), apiOnly, active, expires, refs);
            Optional<Users.User> existing = users.byEmail(instance, email);
            if (existing.isEmpty()) {
                users.create(instance, draft);
                counter.count(true, false);
                return;
            }
            Users.User u = existing.get();
            boolean changed = differs(draft.firstName(), u.firstName()) || differs(draft.lastName(), u.lastName())
                    || (apiOnly != null && apiOnly != u.apiOnly()) || (active != null && active != u.active())
                    || (expires != null && !Objects.equals(expires.orElse(null), u.expiresAt()))
                    || (refs != null && !sameRoles(refs, u));
            if (changed) {
                users.update(instance, u.id(), draft);
            }
            counter.count(changed, true);
        }

        private boolean sameRoles(List<Users.RoleRef> refs, Users.User u) {
            Set<String> wanted = new java.util.HashSet<>();
            for (Users.RoleRef r : refs) {
                long role = roles.require(instance, r.role()).id();
                long ws = r.workspace() == null ? workspaces.list(instance).getFirst().id() : workspaces.require(instance, r.workspace()).id();
                wanted.add(role + "/" + ws);
            }
            Set<String> have = new java.util.HashSet<>();
            u.roles().forEach(a -> have.add(a.roleId() + "/" + a.workspaceId()));
            return wanted.equals(have);
        }

        private void service(JsonNode n) {
            String name = req(n, "name");
            String clientId = opt(n, "clientId");
            String secret = opt(n, "clientSecret");
            String user = req(n, "user");
            String description = opt(n, "description");
            Optional<CustomServices.Service> existing = clientId != null ? services.byClientId(instance, clientId)
                    : services.byName(instance, name);
            dev.mkto.server.access.ServiceCaps caps = n.has("caps") ? CustomServices.caps(n.get("caps"), "caps") : null;
            if (existing.isEmpty()) {
                CustomServices.Details d = services.create(instance, new CustomServices.Draft(name, description, user, clientId, secret));
                if (secret == null) {
                    counter.generated.add(new Generated(name, d.service().clientId(), d.clientSecret()));
                }
                if (caps != null && !caps.none()) {
                    services.setCaps(instance, d.service().id(), caps);
                }
                counter.count(true, false);
                return;
            }
            CustomServices.Service s = existing.get();
            boolean changed = false;
            if (caps != null && !caps.equals(s.caps())) {
                services.setCaps(instance, s.id(), caps);
                changed = true;
            }
            if (!s.name().equals(name.strip()) || differs(description, s.description()) || !s.userEmail().equalsIgnoreCase(user.strip())) {
                services.update(instance, s.id(), name, description, null, s.userEmail().equalsIgnoreCase(user.strip()) ? null : user);
                changed = true;
            }
            if (secret != null && !services.hasSecret(instance, s.id(), secret)) {
                services.rotateSecret(instance, s.id(), secret);
                changed = true;
            }
            counter.count(changed, true);
        }

        private void field(JsonNode n) {
            String name = req(n, "name");
            String type = opt(n, "dataType");
            Integer length = n.has("length") && !n.get("length").isNull() ? BodyFields.integer(n, "length") : null;
            Optional<LeadField> existing = leadSchema.fields(instance).find(name);
            if (existing.isEmpty()) {
                leadSchema.create(instance, name, opt(n, "displayName"), type, length);
                counter.count(true, false);
                return;
            }
            LeadField f = existing.get();
            FieldType wanted = type == null ? FieldType.STRING : FieldType.parse(type)
                    .orElseThrow(() -> AdminException.invalid("unknown dataType '" + Echo.of(type) + "'"));
            if (!f.custom() || f.type() != wanted) {
                throw AdminException.invalid("field '" + f.name() + "' already exists as a " + (f.custom() ? "custom " : "standard ")
                        + f.type().marketoName() + " field; a field's type cannot change");
            }
            counter.count(false, true);
        }

        private void lead(JsonNode n, String where) {
            String partitionName = opt(n, "partition");
            long partition = partitions.require(instance, partitionName == null ? "Default" : partitionName).id();
            Map<String, JsonNode> record = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("partition")) {
                    record.put(e.getKey(), e.getValue());
                }
            }
            LeadService.Seeded outcome = leads.seed(instance, partition, record, where);
            counter.count(outcome == LeadService.Seeded.UPDATED, outcome != LeadService.Seeded.CREATED);
        }

        private void list(JsonNode n) {
            String name = Names.name(req(n, "name"), "list name");
            long workspace = workspaceOf(n);
            upsertNamed("static_list", name, workspace, Names.description(opt(n, "description"), "list description"), Map.of());
        }

        private void campaign(JsonNode n) {
            String name = Names.name(req(n, "name"), "campaign name");
            String type = opt(n, "type") == null ? "batch" : opt(n, "type");
            if (!type.equals("batch") && !type.equals("trigger")) {
                throw AdminException.invalid("type must be batch or trigger");
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("type", type);
            extra.put("requestable", Boolean.TRUE.equals(BodyFields.bool(n, "requestable")));
            extra.put("active", !Boolean.FALSE.equals(BodyFields.bool(n, "active")));
            upsertNamed("campaign", name, workspaceOf(n), Names.description(opt(n, "description"), "campaign description"), extra);
        }

        private long workspaceOf(JsonNode n) {
            String ws = opt(n, "workspace");
            return ws == null ? workspaces.list(instance).getFirst().id() : workspaces.require(instance, ws).id();
        }

        /** Lists and campaigns: matched by name; only what differs is written. */
        private void upsertNamed(String table, String name, long workspace, String description, Map<String, Object> extra) {
            Map<String, Object> wanted = new LinkedHashMap<>(extra);
            wanted.put("workspace_id", workspace);
            wanted.put("description", description);
            jdbi.useHandle(h -> {
                Optional<Map<String, Object>> row = h.createQuery("SELECT * FROM " + table + " WHERE instance_id = :i AND name = :n")
                        .bind("i", instance).bind("n", name).mapToMap().findOne();
                long now = clock.millis();
                if (row.isEmpty()) {
                    StringBuilder cols = new StringBuilder("instance_id, name, created_at, updated_at");
                    StringBuilder vals = new StringBuilder(":i, :n, :now, :now");
                    wanted.keySet().forEach(k -> {
                        cols.append(", ").append(k);
                        vals.append(", :").append(k);
                    });
                    var insert = h.createUpdate("INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ")")
                            .bind("i", instance).bind("n", name).bind("now", now);
                    wanted.forEach(insert::bind);
                    insert.execute();
                    counter.count(true, false);
                    return;
                }
                boolean changed = wanted.entrySet().stream()
                        .anyMatch(e -> !Objects.equals(normal(row.get().get(e.getKey())), normal(e.getValue())));
                if (changed) {
                    StringBuilder set = new StringBuilder("updated_at = :now");
                    wanted.keySet().forEach(k -> set.append(", ").append(k).append(" = :").append(k));
                    var update = h.createUpdate("UPDATE " + table + " SET " + set + " WHERE instance_id = :i AND name = :n")
                            .bind("i", instance).bind("n", name).bind("now", now);
                    wanted.forEach(update::bind);
                    update.execute();
                }
                counter.count(changed, true);
            });
        }

        // ----- walking the document -----

        private interface EntryAction {
            void apply(JsonNode entry, String where);
        }

        private void each(String section, Set<String> allowed, Function<JsonNode, String> identity,
                          java.util.function.Consumer<JsonNode> action) {
            each(section, allowed, identity, (EntryAction) (entry, where) -> action.accept(entry));
        }

        /**
         * Applies a section's entries in order. Two entries naming the same thing (the same
         * {@code identity}) are refused: the later one would silently rewrite the earlier.
         */
        private void each(String section, Set<String> allowed, Function<JsonNode, String> identity, EntryAction action) {
            JsonNode list = doc.get(section);
            if (list == null || list.isNull()) {
                return;
            }
            if (!list.isArray()) {
                throw AdminException.invalid(source + ": " + section + " must be an array");
            }
            int i = 0;
            Map<String, String> seen = new HashMap<>();
            for (JsonNode entry : list) {
                String where = section + "[" + i++ + "]" + label(entry);
                if (!entry.isObject()) {
                    throw AdminException.invalid(source + ": " + where + " must be an object");
                }
                if (allowed != null) {
                    keys(entry, source + ": " + where, allowed);
                }
                String id = identity.apply(entry);
                String earlier = id == null ? null : seen.putIfAbsent(id, where);
                if (earlier != null) {
                    throw AdminException.invalid(source + ": " + where + ": the same " + IDENTITY.get(section) + " as "
                            + earlier + "; give each once");
                }
                at(where, () -> action.apply(entry, source + ": " + where));
            }
        }

        private void at(String where, Runnable step) {
            try {
                step.run();
            } catch (AdminException e) {
                if (e.getMessage().startsWith(source + ": ")) {
                    throw e;
                }
                throw AdminException.invalid(source + ": " + where + ": " + e.getMessage());
            }
        }
    }

    /** What makes two entries of a section the same thing, as the messages name it. */
    private static final Map<String, String> IDENTITY = Map.of("partitions", "name", "workspaces", "name", "roles", "name",
            "users", "e-mail", "services", "client id (or name, without one)", "fields", "name", "leads", "e-mail in the same partition",
            "lists", "name", "campaigns", "name");

    private static String text(JsonNode entry, String key) {
        JsonNode v = entry.path(key);
        return v.isString() ? v.asString().strip() : null;
    }

    private static String lowerCase(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static String byName(JsonNode entry) {
        return text(entry, "name");
    }

    private static String byEmail(JsonNode entry) {
        return lowerCase(text(entry, "email"));
    }

    private static String byClientIdOrName(JsonNode entry) {
        String clientId = text(entry, "clientId");
        String name = text(entry, "name");
        return clientId != null ? "clientId " + clientId : name == null ? null : "name " + name;
    }

    private static String byPartitionAndEmail(JsonNode entry) {
        String email = byEmail(entry);
        JsonNode given = entry.path("partition");
        String partition = given.isMissingNode() || given.isNull() ? "Default" : text(entry, "partition");
        return email == null || partition == null ? null : partition + "\u0000" + email;
    }

    private static String label(JsonNode entry) {
        for (String key : List.of("name", "email")) {
            if (entry.isObject() && entry.path(key).isString()) {
                return " (" + entry.path(key).asString() + ")";
            }
        }
        return "";
    }

    private static void keys(JsonNode node, String where, Set<String> allowed) {
        for (String key : node.propertyNames()) {
            if (!allowed.contains(key)) {
                throw AdminException.invalid(where + ": unknown key '" + Echo.of(key) + "' (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String req(JsonNode n, String name) {
        String v = opt(n, name);
        if (v == null || v.isBlank()) {
            throw AdminException.invalid(name + " is required");
        }
        return v;
    }

    private static String opt(JsonNode n, String name) {
        return BodyFields.text(n, name, name);
    }

    private static boolean differs(String wanted, String current) {
        return wanted != null && !wanted.strip().equals(current);
    }

    private static Object normal(Object v) {
        return v instanceof Number num ? num.longValue() : v;
    }
}
