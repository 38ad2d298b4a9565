package dev.mkto.server.access;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Permissions as a bit set, closed under implication: a set built from "Read-Write Lead" also
 * contains "Read-Only Lead", and one built from "Access API" contains everything. A check is one
 * AND of two longs.
 */
public record PermissionSet(long bits) {

    public static final PermissionSet EMPTY = new PermissionSet(0L);

    static {
        if (Permission.values().length > 64) {
            throw new AssertionError("more permissions than bits");
        }
    }

    /** The closure of {@code held}: every permission that holding them satisfies. */
    public static PermissionSet granting(Collection<Permission> held) {
        long bits = 0;
        for (Permission h : held) {
            for (Permission p : Permission.values()) {
                if (h.satisfies(p)) {
                    bits |= 1L << p.ordinal();
                }
            }
        }
        return new PermissionSet(bits);
    }

    /** Exactly {@code required}, not closed: the "any of these" side of a check. */
    public static PermissionSet anyOf(Collection<Permission> required) {
        long bits = 0;
        for (Permission p : required) {
            bits |= 1L << p.ordinal();
        }
        return new PermissionSet(bits);
    }

    public boolean contains(Permission p) {
        return (bits & (1L << p.ordinal())) != 0;
    }

    /** True when this (closed) set holds at least one of {@code required}. */
    public boolean intersects(PermissionSet required) {
        return (bits & required.bits) != 0;
    }

    public PermissionSet union(PermissionSet other) {
        return new PermissionSet(bits | other.bits);
    }

    public boolean isEmpty() {
        return bits == 0;
    }

    public Set<Permission> toSet() {
        EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
        for (Permission p : Permission.values()) {
            if (contains(p)) {
                set.add(p);
            }
        }
        return set;
    }
}
