package dev.mkto.server.admin;

import dev.mkto.server.access.Allowlist;
import dev.mkto.server.access.IpRules;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A dry run of the IP allowlist: would a caller at {@code address} (behind {@code forwardedFor},
 * when it comes through trusted proxies) pass the instance's allowlist, or the one given instead?
 * Used by the admin API ({@code POST /instance/ip-check}) and the console's IP restrictions editor.
 */
public final class IpCheck {

    /**
     * The outcome: the client address the server would see, whether an entry lets it through,
     * which one, and whether the allowlist as it is enabled now would refuse it.
     */
    public record Result(String client, boolean allowed, String matchedEntry, boolean allowlistEnabled, boolean wouldBeRefused) {
    }

    private final Allowlist allowlist;

    public IpCheck(Allowlist allowlist) {
        this.allowlist = allowlist;
    }

    /**
     * Checks {@code address} against {@code entries} and {@code trustedProxies} (null: the current
     * ones); a bad address or entry is refused with a message naming it.
     */
    public Result check(InstanceSettings.IpAllowlist current, String address, List<String> entries, List<String> trustedProxies,
                        List<String> forwardedFor) {
        if (address == null || address.isBlank()) {
            throw AdminException.invalid("address is required");
        }
        InetAddress peer = IpRules.literal(address.strip())
                .orElseThrow(() -> AdminException.invalid("address '" + Echo.of(address) + "' is not an IPv4 or IPv6 address"));
        List<String> e = entries == null ? current.entries() : entries;
        List<String> p = trustedProxies == null ? current.trustedProxies() : trustedProxies;
        compiles("entries", e);
        compiles("trustedProxies", p);
        Allowlist.Rules rules = allowlist.rules(true, e, current.applyToIdentity(), p);
        InetAddress client = Allowlist.client(peer, forwardedFor == null ? List.of() : forwardedFor, rules.proxies());
        Optional<String> match = rules.entries().matching(client);
        return new Result(client.getHostAddress(), match.isPresent(), match.orElse(null), current.enabled(),
                current.enabled() && match.isEmpty());
    }

    /** The trusted proxies of {@code current}: whose X-Forwarded-For tells a caller's address. */
    IpRules trustedProxies(InstanceSettings.IpAllowlist current) {
        return allowlist.rules(false, List.of(), false, current.trustedProxies()).proxies();
    }

    private static void compiles(String what, List<String> entries) {
        try {
            IpRules.compile(entries);
        } catch (IllegalArgumentException bad) {
            throw AdminException.invalid(what + ": " + bad.getMessage());
        }
    }
}
