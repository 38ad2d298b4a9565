package dev.mkto.server.admin;

import dev.mkto.server.store.Revisions;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Tells every process that the configuration changed — who may do what, instance settings, the
 * lead schema — so that caches of callers, credentials, tokens and settings are dropped, and the
 * tokens of services that lost access are revoked. This process's listeners run at once and again
 * after the surrounding transaction commits (so nothing read before the commit stays cached); other
 * processes learn of it from the revision counter within a poll interval.
 */
public final class Changes {

    /** Reacts to changes. */
    public interface Listener {
        /** Something cached may be stale: drop it. */
        void changed();

        /** These services' tokens must stop working now (called inside the change's transaction). */
        default void revokeTokens(List<Long> serviceIds) {
        }
    }

    private final Jdbi jdbi;
    private final Revisions revisions;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Handles whose transaction has recorded a change and not yet ended. */
    private final Set<Handle> pending = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    public Changes(Jdbi jdbi, Revisions revisions) {
        this.jdbi = jdbi;
        this.revisions = revisions;
    }

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    /** Records a change (bumping the shared revision) and drops local caches now and after commit. */
    public void changed() {
        jdbi.useHandle(h -> {
            if (!h.isInTransaction()) {
                revisions.bump(h);
            } else if (pending.add(h)) {
                // the transaction's first change: one bump and one notification after its commit
                // serve them all (a seed that creates 100,000 services is one transaction)
                revisions.bump(h);
                h.afterCommit(() -> {
                    pending.remove(h);
                    notifyLocal();
                });
                h.afterRollback(() -> pending.remove(h));
            }
        });
        notifyLocal();
    }

    /** Revokes the tokens of these services, then records the change. */
    public void revoke(List<Long> serviceIds) {
        if (!serviceIds.isEmpty()) {
            listeners.forEach(l -> l.revokeTokens(serviceIds));
        }
        changed();
    }

    /** Another process changed something: drop local caches. */
    public void notifyLocal() {
        listeners.forEach(Listener::changed);
    }
}
