package dev.mkto.server.admin;

import dev.mkto.server.access.ServiceCaps;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Json;
import dev.mkto.server.store.Jdbc;
import dev.mkto.server.store.KeyRing;
import dev.mkto.server.store.RowLock;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * LaunchPoint custom services: each belongs to exactly one active API-only user and holds the
 * client id and secret that the identity service trades for a token. Secrets are stored encrypted
 * (so "View Details" can show them) beside a keyed hash that identity checks in constant time.
 */
public final class CustomServices {

    /** A custom service as listed; never carries the secret. */
    public record Service(long id, String name, String description, String type, long userId, String userEmail,
                          String clientId, boolean enabled, ServiceCaps caps, Instant createdAt, Instant updatedAt) {
    }

    /** "View Details": the service with its client secret. */
    public record Details(Service service, String clientSecret) {
        @Override
        public String toString() {
            return "Details[" + service + ", clientSecret=****]";
        }
    }

    /** What the identity service needs to decide on a token request. */
    public record Credentials(long serviceId, long instanceId, String name, String clientId, String secretMac, boolean enabled,
                              String userEmail, boolean userApiOnly, boolean userActive, boolean userInvited, Long userExpiresAt) {
        @Override
        public String toString() {
            return "Credentials[service=" + serviceId + ", clientId=" + clientId + "]";
        }
    }

    /** A service to create; client id and secret are generated when null. */
    public record Draft(String name, String description, String user, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Draft[name=" + name + ", user=" + user + ", clientId=" + clientId + "]";
        }
    }

    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern SECRET = Pattern.compile("[\\x21-\\x7e]{16,128}");

    private static final String COLUMNS = "s.id, s.name, s.description, s.user_id, u.email, s.client_id, s.enabled, s.caps, s.created_at, s.updated_at";
    private static final String LIST = "SELECT " + COLUMNS + " FROM custom_service s JOIN app_user u ON u.id = s.user_id "
            + "WHERE s.instance_id = :instance ORDER BY s.id";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM custom_service s JOIN app_user u ON u.id = s.user_id "
            + "WHERE s.instance_id = :instance AND s.id = :id";
    private static final String BY_NAME = "SELECT " + COLUMNS + " FROM custom_service s JOIN app_user u ON u.id = s.user_id "
            + "WHERE s.instance_id = :instance AND s.name = :name";
    private static final String BY_CLIENT_ID = "SELECT " + COLUMNS + " FROM custom_service s JOIN app_user u ON u.id = s.user_id "
            + "WHERE s.instance_id = :instance AND s.client_id = :clientId";
    private static final String SECRET_OF = "SELECT secret_enc FROM custom_service WHERE instance_id = :instance AND id = :id";
    // positional, in plain JDBC: read for every grant to a client not cached yet
    private static final String ALL_CREDENTIALS = "SELECT s.id, s.instance_id, s.name, s.client_id, s.secret_mac, s.enabled, u.email, "
            + "u.api_only, u.active, u.invited, u.expires_at FROM custom_service s JOIN app_user u ON u.id = s.user_id";
    private static final String CREDENTIALS = ALL_CREDENTIALS + " WHERE s.client_id = ?";
    private static final String CLIENT_ID_TAKEN = "SELECT COUNT(*) FROM custom_service WHERE client_id = :clientId";
    private static final String NAME_TAKEN = "SELECT COUNT(*) FROM custom_service WHERE instance_id = :instance AND name = :name AND id <> :id";
    private static final String INSERT = "INSERT INTO custom_service (instance_id, name, description, user_id, client_id, secret_enc, "
            + "secret_mac, enabled, created_at, updated_at) VALUES (:instance, :name, :description, :user, :clientId, :secretEnc, "
            + ":secretMac, TRUE, :now, :now)";
    private static final String UPDATE = "UPDATE custom_service SET name = :name, description = :description, user_id = :user, "
            + "enabled = :enabled, updated_at = :now WHERE instance_id = :instance AND id = :id";
    private static final String DELETE = "DELETE FROM custom_service WHERE instance_id = :instance AND id = :id";
    private static final String SET_CAPS = "UPDATE custom_service SET caps = :caps, updated_at = :now WHERE instance_id = :instance AND id = :id";
    private static final String SET_SECRET = "UPDATE custom_service SET secret_enc = :secretEnc, secret_mac = :secretMac, updated_at = :now "
            + "WHERE instance_id = :instance AND id = :id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes events;
    private final KeyRing keys;
    private final Users users;

    public CustomServices(Jdbi jdbi, InstantSource clock, Changes events, KeyRing keys, Users users) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.keys = keys;
        this.users = users;
    }

    public List<Service> list(long instance) {
        return jdbi.withHandle(h -> h.createQuery(LIST).bind("instance", instance).map(CustomServices::map).list());
    }

    public Service get(long instance, long id) {
        return jdbi.withHandle(h -> h.createQuery(BY_ID).bind("instance", instance).bind("id", id).map(CustomServices::map).findOne())
                .orElseThrow(() -> AdminException.notFound("no custom service with id " + id));
    }

    public Optional<Service> byName(long instance, String name) {
        return one(BY_NAME, instance, "name", name.strip());
    }

    public Optional<Service> byClientId(long instance, String clientId) {
        return one(BY_CLIENT_ID, instance, "clientId", clientId);
    }

    private Optional<Service> one(String sql, long instance, String param, String value) {
        if (value.indexOf('\0') >= 0) {
            return Optional.empty(); // no name or client id holds NUL, and PostgreSQL cannot bind it
        }
        return jdbi.withHandle(h -> h.createQuery(sql).bind("instance", instance).bind(param, value).map(CustomServices::map).findOne());
    }

    /** "View Details": client id, client secret and owner. */
    public Details details(long instance, long id) {
        Service s = get(instance, id);
        String sealed = jdbi.withHandle(h -> h.createQuery(SECRET_OF).bind("instance", instance).bind("id", id).mapTo(String.class).one());
        return new Details(s, keys.decrypt(sealed));
    }

    /** For the identity service: the service holding {@code clientId}, in any instance. */
    public Optional<Credentials> credentials(String clientId) {
        if (clientId.indexOf('\0') >= 0) {
            return Optional.empty(); // no client id holds NUL, and PostgreSQL cannot bind it
        }
        return jdbi.withHandle(h -> Jdbc.with(h, CREDENTIALS, query -> {
            query.setString(1, clientId);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? Optional.of(credentials(rs)) : Optional.empty();
            }
        }));
    }

    /** For the identity service: every service's credentials, by client id. */
    public Map<String, Credentials> allCredentials() {
        return jdbi.withHandle(h -> Jdbc.with(h, ALL_CREDENTIALS, query -> {
            Map<String, Credentials> all = new HashMap<>();
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    Credentials c = credentials(rs);
                    all.put(c.clientId(), c);
                }
            }
            return all;
        }));
    }

    private static Credentials credentials(ResultSet rs) throws SQLException {
        long expires = rs.getLong(11);
        Long expiresAt = rs.wasNull() ? null : expires;
        return new Credentials(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getBoolean(6), rs.getString(7), rs.getBoolean(8), rs.getBoolean(9), rs.getBoolean(10), expiresAt);
    }

    /** Creates a service owned by an active API-only user (by e-mail); returns it with its secret. */
    public Details create(long instance, Draft draft) {
        String name = Names.name(draft.name(), "service name");
        String description = Names.description(draft.description(), "service description");
        String clientId = draft.clientId() == null ? UUID.randomUUID().toString() : draft.clientId().strip();
        String secret = draft.clientSecret() == null ? KeyRing.randomAlphanumeric(32) : draft.clientSecret();
        if (!CLIENT_ID.matcher(clientId).matches()) {
            throw AdminException.invalid("clientId must be 1–64 letters, digits, '-' or '_' (a UUID, for instance)");
        }
        if (!SECRET.matcher(secret).matches()) {
            throw AdminException.invalid("clientSecret must be 16–128 printable characters without spaces (32 letters and digits, for instance)");
        }
        Details created = jdbi.inTransaction(h -> {
            Users.User owner = owner(instance, draft.user());
            if (h.createQuery(NAME_TAKEN).bind("instance", instance).bind("name", name).bind("id", -1L).mapTo(Long.class).one() > 0) {
                throw AdminException.conflict("a custom service named '" + name + "' already exists");
            }
            if (h.createQuery(CLIENT_ID_TAKEN).bind("clientId", clientId).mapTo(Long.class).one() > 0) {
                throw AdminException.conflict("client id " + clientId + " is already in use");
            }
            long id = h.createUpdate(INSERT).bind("instance", instance).bind("name", name).bind("description", description)
                    .bind("user", owner.id()).bind("clientId", clientId).bind("secretEnc", keys.encrypt(secret))
                    .bind("secretMac", keys.mac(secret)).bind("now", clock.millis())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return new Details(get(instance, id), secret);
        });
        events.changed(); // a client id unknown until now: no process may still answer that it does not exist
        return created;
    }

    /**
     * Renames, re-describes, enables or disables a service, or gives it another owner (null keeps
     * the current value). Disabling it, or changing its owner, revokes its tokens.
     */
    public Service update(long instance, long id, String name, String description, Boolean enabled, String user) {
        boolean[] revoke = {false};
        Service s = jdbi.inTransaction(h -> {
            RowLock.lock(h, "custom_service", id);
            Service current = get(instance, id);
            String n = name == null ? current.name() : Names.name(name, "service name");
            if (h.createQuery(NAME_TAKEN).bind("instance", instance).bind("name", n).bind("id", id).mapTo(Long.class).one() > 0) {
                throw AdminException.conflict("a custom service named '" + n + "' already exists");
            }
            String d = description == null ? current.description() : Names.description(description, "service description");
            long owner = user == null ? current.userId() : owner(instance, user).id();
            boolean on = enabled == null ? current.enabled() : enabled;
            h.createUpdate(UPDATE).bind("instance", instance).bind("id", id).bind("name", n).bind("description", d)
                    .bind("user", owner).bind("enabled", on).bind("now", clock.millis()).execute();
            revoke[0] = (current.enabled() && !on) || owner != current.userId();
            return get(instance, id);
        });
        if (revoke[0]) {
            events.revoke(List.of(id));
        } else {
            events.changed();
        }
        return s;
    }

    /**
     * Replaces a service's client secret (a new random one when {@code secret} is null); its
     * tokens are revoked, since they were obtained with the old one. Returns the new secret.
     */
    public Details rotateSecret(long instance, long id, String secret) {
        String s = secret == null ? KeyRing.randomAlphanumeric(32) : secret;
        if (!SECRET.matcher(s).matches()) {
            throw AdminException.invalid("clientSecret must be 16–128 printable characters without spaces (32 letters and digits, for instance)");
        }
        jdbi.useTransaction(h -> {
            get(instance, id);
            h.createUpdate(SET_SECRET).bind("instance", instance).bind("id", id).bind("secretEnc", keys.encrypt(s))
                    .bind("secretMac", keys.mac(s)).bind("now", clock.millis()).execute();
        });
        events.revoke(List.of(id));
        return new Details(get(instance, id), s);
    }

    /**
     * Sets a service's own caps under the instance's limits (null fields: no cap; null: none at
     * all). Takes effect with the next call.
     */
    public Service setCaps(long instance, long id, ServiceCaps caps) {
        jdbi.useTransaction(h -> {
            get(instance, id);
            h.createUpdate(SET_CAPS).bind("instance", instance).bind("id", id)
                    .bind("caps", caps == null || caps.none() ? null : Json.MAPPER.writeValueAsString(caps))
                    .bind("now", clock.millis()).execute();
        });
        events.changed();
        return get(instance, id);
    }

    /** Reads caps as stored (or as sent: {"rateCalls": n, "rateWindowSeconds": s, "concurrent": n, "dailyQuota": n}), checked. */
    public static ServiceCaps caps(String json) {
        return json == null || json.isBlank() ? ServiceCaps.NONE : caps(Json.MAPPER.readTree(json), "caps");
    }

    static ServiceCaps caps(tools.jackson.databind.JsonNode n, String where) {
        if (n == null || n.isNull()) {
            return ServiceCaps.NONE;
        }
        if (!n.isObject()) {
            throw AdminException.invalid(where + " must be an object with rateCalls, rateWindowSeconds, concurrent, dailyQuota");
        }
        InstanceSettings.knownKeys(n, where, java.util.Set.of("rateCalls", "rateWindowSeconds", "concurrent", "dailyQuota"));
        return new ServiceCaps(capField(n, "rateCalls", where), capField(n, "rateWindowSeconds", where),
                capField(n, "concurrent", where), capField(n, "dailyQuota", where));
    }

    private static Integer capField(tools.jackson.databind.JsonNode n, String name, String where) {
        tools.jackson.databind.JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw AdminException.invalid(where + "." + name + " must be a positive integer or null");
        }
        return v.asInt();
    }

    /** Whether {@code secret} is the service's current secret (constant time). */
    public boolean hasSecret(long instance, long id, String secret) {
        String mac = jdbi.withHandle(h -> h.createQuery("SELECT secret_mac FROM custom_service WHERE instance_id = :instance AND id = :id")
                .bind("instance", instance).bind("id", id).mapTo(String.class).one());
        return keys.matches(secret, mac);
    }

    /** Deletes a service; its tokens stop working at once. */
    public void delete(long instance, long id) {
        jdbi.useTransaction(h -> {
            get(instance, id);
            events.revoke(List.of(id));
            h.createUpdate(DELETE).bind("instance", instance).bind("id", id).execute();
        });
    }

    private Users.User owner(long instance, String email) {
        if (email == null || email.isBlank()) {
            throw AdminException.invalid("a custom service needs an API-only user (user: the user's e-mail)");
        }
        Users.User u = users.require(instance, email);
        if (!u.apiOnly()) {
            throw AdminException.invalid("user '" + u.email() + "' is not API-only; a custom service needs an API-only user");
        }
        if (!u.usableAt(clock.instant())) {
            throw AdminException.invalid("user '" + u.email() + "' is " + u.status(clock.instant())
                    + "; a custom service needs an active API-only user");
        }
        return u;
    }

    private static Service map(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws java.sql.SQLException {
        return new Service(rs.getLong("id"), rs.getString("name"), rs.getString("description"), "Custom", rs.getLong("user_id"),
                rs.getString("email"), rs.getString("client_id"), rs.getBoolean("enabled"), caps(rs.getString("caps")),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
