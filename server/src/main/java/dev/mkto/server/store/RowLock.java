package dev.mkto.server.store;

import org.jdbi.v3.core.Handle;

/**
 * Locks the row a change is about, first in its transaction: two changes of one role, user,
 * service, workspace, partition or instance take turns, the second reading what the first wrote,
 * so neither writes back what it read before the other (two PATCHes of different fields kept only
 * one of them); an instance's row also serialises what is counted per instance (export jobs,
 * custom activity types, program clones). Other processes on the same database wait too.
 */
public final class RowLock {

    private RowLock() {
    }

    /** Locks row {@code id} of {@code table} until the transaction of {@code h} ends; a missing row locks nothing. */
    public static void lock(Handle h, String table, long id) {
        h.createQuery("SELECT id FROM " + table + " WHERE id = :id FOR UPDATE").bind("id", id).mapTo(Long.class).findOne();
    }
}
