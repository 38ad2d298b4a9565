package dev.mkto.server.admin;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tells the hot path that who-may-do-what changed: caches of callers, credentials and grants are
 * dropped, and the tokens of services that lost access are revoked. Listeners run on the thread
 * that made the change, inside its transaction where there is one.
 */
public final class AccessEvents {

    /** Reacts to access changes. */
    public interface Listener {
        /** Something that grants or scopes access changed. */
        void accessChanged();

        /** These services' tokens must stop working now. */
        void revokeTokens(List<Long> serviceIds);
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    public void changed() {
        listeners.forEach(Listener::accessChanged);
    }

    public void revoke(List<Long> serviceIds) {
        if (!serviceIds.isEmpty()) {
            listeners.forEach(l -> l.revokeTokens(serviceIds));
        }
        changed();
    }
}
