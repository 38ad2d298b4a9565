package dev.mkto.server.admin;

import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Json;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/**
 * Instances (Munchkin ids) and their settings. The first start creates one, with a "Default"
 * partition and a "Default" workspace seeing it; the model keeps everything per instance so one
 * server can host several. Settings are read on every request, so they are cached here and
 * reloaded when changed.
 */
public final class Instances implements Changes.Listener {

    /** An instance. */
    public record Instance(long id, String munchkinId, InstanceSettings settings, Instant createdAt, Instant updatedAt) {
    }

    private static final Pattern MUNCHKIN = Pattern.compile("\\d{3}-[A-Z]{3}-\\d{3}");

    private static final String COLUMNS = "id, munchkin_id, settings, created_at, updated_at";
    private static final String FIRST = "SELECT " + COLUMNS + " FROM instance ORDER BY id FETCH FIRST 1 ROWS ONLY";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM instance WHERE id = :id";
    private static final String INSERT = "INSERT INTO instance (munchkin_id, settings, created_at, updated_at) "
            + "VALUES (:munchkin, :settings, :now, :now)";
    private static final String UPDATE = "UPDATE instance SET munchkin_id = :munchkin, settings = :settings, updated_at = :now WHERE id = :id";
    private static final String MUNCHKIN_TAKEN = "SELECT COUNT(*) FROM instance WHERE munchkin_id = :munchkin AND id <> :id";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Changes changes;
    private final Map<Long, Instance> cache = new ConcurrentHashMap<>();
    private volatile long defaultId;

    public Instances(Jdbi jdbi, InstantSource clock, Changes changes) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.changes = changes;
        changes.subscribe(this);
    }

    /** The instance this server serves by default, created with its Default partition and workspace on first start. */
    public Instance ensureDefault(String munchkinId) {
        Instance instance = jdbi.inTransaction(h -> {
            var existing = h.createQuery(FIRST).map(Instances::map).findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            long now = clock.millis();
            long id = h.createUpdate(INSERT).bind("munchkin", munchkinId)
                    .bind("settings", Json.MAPPER.writeValueAsString(InstanceSettings.DEFAULTS)).bind("now", now)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            long partition = h.createUpdate("INSERT INTO lead_partition (instance_id, name, description, created_at, updated_at) "
                            + "VALUES (:id, 'Default', 'Initial system lead partition', :now, :now)")
                    .bind("id", id).bind("now", now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            long workspace = h.createUpdate("INSERT INTO workspace (instance_id, name, description, primary_partition_id, created_at, updated_at) "
                            + "VALUES (:id, 'Default', 'Default workspace', :partition, :now, :now)")
                    .bind("id", id).bind("partition", partition).bind("now", now)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            h.createUpdate("INSERT INTO workspace_partition (workspace_id, partition_id) VALUES (:w, :p)")
                    .bind("w", workspace).bind("p", partition).execute();
            return h.createQuery(BY_ID).bind("id", id).map(Instances::map).one();
        });
        defaultId = instance.id();
        cache.put(instance.id(), instance);
        return instance;
    }

    public long defaultId() {
        return defaultId;
    }

    public Instance current() {
        return get(defaultId);
    }

    public Instance get(long id) {
        return cache.computeIfAbsent(id, key -> jdbi.withHandle(h -> h.createQuery(BY_ID).bind("id", key).map(Instances::map).findOne())
                .orElseThrow(() -> AdminException.notFound("no instance with id " + key)));
    }

    /** Applies a partial settings document (and a new Munchkin id, if given). */
    public Instance update(long id, JsonNode patch) {
        get(id); // 404 for an unknown instance
        if (patch.has("munchkinId")) {
            JsonNode m = patch.get("munchkinId");
            if (!m.isString() || !MUNCHKIN.matcher(m.asString().strip()).matches()) {
                throw AdminException.invalid("instance.munchkinId: must look like 123-ABC-456");
            }
        }
        jdbi.useTransaction(h -> {
            // the settings as stored, locked: a concurrent change of other settings is merged with, not written over
            Instance current = h.createQuery(BY_ID + " FOR UPDATE").bind("id", id).map(Instances::map).one();
            InstanceSettings settings = current.settings().merge(patch, "instance");
            String munchkin = patch.has("munchkinId") ? patch.get("munchkinId").asString().strip() : current.munchkinId();
            if (h.createQuery(MUNCHKIN_TAKEN).bind("munchkin", munchkin).bind("id", id).mapTo(Long.class).one() > 0) {
                throw AdminException.conflict("another instance has Munchkin id " + munchkin);
            }
            h.createUpdate(UPDATE).bind("id", id).bind("munchkin", munchkin)
                    .bind("settings", Json.MAPPER.writeValueAsString(settings)).bind("now", clock.millis()).execute();
        });
        changes.changed();
        return get(id);
    }

    /** Forgets cached settings (this or another process changed them). */
    @Override
    public void changed() {
        cache.clear();
    }


    private static Instance map(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws java.sql.SQLException {
        return new Instance(rs.getLong("id"), rs.getString("munchkin_id"),
                InstanceSettings.fromStored(Json.MAPPER.readTree(rs.getString("settings"))),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
