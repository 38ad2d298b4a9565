package dev.mkto.server.store;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Server-wide values kept in the database (the admin credential's hash, the key fingerprint). */
public final class ServerSettings {

    private static final String GET = "SELECT setting_value FROM server_setting WHERE name = :name";
    private static final String INSERT = "INSERT INTO server_setting (name, setting_value) VALUES (:name, :value)";
    private static final String UPDATE = "UPDATE server_setting SET setting_value = :value WHERE name = :name";

    private final Jdbi jdbi;

    public ServerSettings(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<String> get(String name) {
        return jdbi.withHandle(h -> h.createQuery(GET).bind("name", name).mapTo(String.class).findOne());
    }

    public void put(String name, String value) {
        jdbi.useTransaction(h -> {
            if (h.createUpdate(UPDATE).bind("name", name).bind("value", value).execute() == 0) {
                h.createUpdate(INSERT).bind("name", name).bind("value", value).execute();
            }
        });
    }

    /** Stores {@code value} unless a value exists; returns the value now stored. */
    public String putIfAbsent(String name, String value) {
        return jdbi.inTransaction(h -> {
            Optional<String> existing = h.createQuery(GET).bind("name", name).mapTo(String.class).findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            h.createUpdate(INSERT).bind("name", name).bind("value", value).execute();
            return value;
        });
    }
}
