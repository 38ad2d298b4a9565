package dev.mkto.server.access;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An instance's IP allowlist, compiled once per distinct setting, and how the client's address is
 * found: the socket peer, or — only when that peer is a trusted proxy — the right-most address in
 * {@code X-Forwarded-For} that is not itself a trusted proxy.
 */
public final class Allowlist {

    /** A compiled allowlist. */
    public record Rules(boolean enabled, boolean appliesToIdentity, IpRules entries, IpRules proxies) {
        /** Whether a call from {@code client} is let through (always when disabled). */
        public boolean admits(InetAddress client) {
            return !enabled || entries.allows(client);
        }
    }

    private record Key(boolean enabled, List<String> entries, boolean identity, List<String> proxies) {
    }

    private final ConcurrentHashMap<Key, Rules> compiled = new ConcurrentHashMap<>();

    public Rules rules(boolean enabled, List<String> entries, boolean appliesToIdentity, List<String> trustedProxies) {
        return compiled.computeIfAbsent(new Key(enabled, entries, appliesToIdentity, trustedProxies),
                k -> new Rules(k.enabled(), k.identity(), IpRules.compile(k.entries()), IpRules.compile(k.proxies())));
    }

    /** The client behind {@code peer}, given the values of its X-Forwarded-For headers (in order). */
    public static InetAddress client(InetAddress peer, List<String> forwardedFor, IpRules trustedProxies) {
        if (trustedProxies.isEmpty() || !trustedProxies.allows(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        String[] hops = String.join(",", forwardedFor).split(",");
        InetAddress client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            Optional<InetAddress> hop = IpRules.literal(stripPort(hops[i].strip()));
            if (hop.isEmpty()) {
                return client; // an unreadable hop: trust nothing further left
            }
            client = hop.get();
            if (!trustedProxies.allows(client)) {
                return client;
            }
        }
        return client;
    }

    /** "1.2.3.4:5678" → "1.2.3.4"; "[2001:db8::1]:443" → "2001:db8::1"; a bare IPv6 address stays. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int close = hop.indexOf(']');
            return close > 0 ? hop.substring(1, close) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }
}
