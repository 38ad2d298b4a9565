package dev.mkto.server.admin;

import dev.mkto.server.store.KeyRing;
import dev.mkto.server.store.ServerSettings;
import java.util.Optional;

/**
 * The admin credential: a bearer token for the admin API (and the console's login). It is set by
 * {@code MKTO_ADMIN_TOKEN} or generated on first start and shown once; only its SHA-256 is stored.
 */
public final class AdminAuth {

    private static final String SETTING = "admin_token_sha256";

    private final ServerSettings settings;
    private volatile String hash;

    public AdminAuth(ServerSettings settings) {
        this.settings = settings;
    }

    /**
     * Makes the credential ready: the configured one replaces any stored one; without either a
     * new one is generated. Returns a generated credential, which the caller shows once.
     */
    public Optional<String> initialise(Optional<String> configured) {
        if (configured.isPresent()) {
            hash = KeyRing.sha256(configured.get());
            settings.put(SETTING, hash);
            return Optional.empty();
        }
        Optional<String> stored = settings.get(SETTING);
        if (stored.isPresent()) {
            hash = stored.get();
            return Optional.empty();
        }
        String fresh = "mkto_admin_" + KeyRing.randomAlphanumeric(40);
        hash = settings.putIfAbsent(SETTING, KeyRing.sha256(fresh));
        return hash.equals(KeyRing.sha256(fresh)) ? Optional.of(fresh) : Optional.empty();
    }

    /** Constant-time check of a presented credential. */
    public boolean accepts(String presented) {
        String h = hash;
        return h != null && presented != null && KeyRing.constantTimeEquals(KeyRing.sha256(presented), h);
    }
}
