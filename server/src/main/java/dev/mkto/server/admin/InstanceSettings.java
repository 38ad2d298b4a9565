package dev.mkto.server.admin;

import dev.mkto.server.access.IpRules;
import dev.mkto.server.http.AdminException;
import dev.mkto.server.http.Echo;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * An instance's settings, stored as one JSON document. Changes arrive as partial JSON (admin API
 * {@code PATCH}, seed {@code instance}) and are merged field by field; an unknown key or a bad
 * value is refused with a message naming it, and nothing is changed.
 *
 * @param tokenTtlSeconds lifetime of a new access token (Marketo: 3600)
 * @param allowQueryToken accept the legacy {@code access_token} query parameter
 * @param limits          the instance's API limits
 * @param ipAllowlist     the instance's IP allowlist for API access
 */
public record InstanceSettings(int tokenTtlSeconds, boolean allowQueryToken, Limits limits, IpAllowlist ipAllowlist) {

    /** Limits shared by every API user of the instance; {@code exportDailyQuotaMb} is the bulk extract allocation. */
    public record Limits(int rateCalls, int rateWindowSeconds, int concurrent, int dailyQuota, String timeZone, int exportDailyQuotaMb) {
        public static final Limits DEFAULTS = new Limits(100, 20, 10, 50_000, "America/Chicago", 500);
    }

    /**
     * Which client addresses may call the API. {@code trustedProxies} are the addresses whose
     * {@code X-Forwarded-For} is believed; any other peer is the client itself.
     */
    public record IpAllowlist(boolean enabled, List<String> entries, boolean applyToIdentity, List<String> trustedProxies) {
        public static final IpAllowlist DEFAULTS = new IpAllowlist(false, List.of(), false, List.of());

        public IpAllowlist {
            entries = List.copyOf(entries);
            trustedProxies = List.copyOf(trustedProxies);
        }
    }

    public static final InstanceSettings DEFAULTS = new InstanceSettings(3600, false, Limits.DEFAULTS, IpAllowlist.DEFAULTS);

    private static final int MAX_TTL_SECONDS = 86_400 * 7;

    /** These settings with {@code patch} applied; {@code where} prefixes messages (e.g. "instance"). */
    public InstanceSettings merge(JsonNode patch, String where) {
        return merge(patch, where, false);
    }

    private InstanceSettings merge(JsonNode patch, String where, boolean stored) {
        requireObject(patch, where);
        knownKeys(patch, where, Set.of("tokenTtlSeconds", "allowQueryToken", "limits", "ipAllowlist", "munchkinId"));
        int ttl = intField(patch, "tokenTtlSeconds", tokenTtlSeconds, 1, MAX_TTL_SECONDS, where);
        boolean query = boolField(patch, "allowQueryToken", allowQueryToken, where);
        Limits l = limits;
        if (patch.has("limits")) {
            JsonNode n = patch.get("limits");
            String at = where + ".limits";
            requireObject(n, at);
            knownKeys(n, at, Set.of("rateCalls", "rateWindowSeconds", "concurrent", "dailyQuota", "timeZone", "exportDailyQuotaMb"));
            String zone = textField(n, "timeZone", l.timeZone(), at);
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw AdminException.invalid(at + ".timeZone: unknown time zone '" + Echo.of(zone) + "' (use an IANA name such as America/Chicago)");
            }
            l = new Limits(
                    intField(n, "rateCalls", l.rateCalls(), 1, 1_000_000, at),
                    intField(n, "rateWindowSeconds", l.rateWindowSeconds(), 1, 86_400, at),
                    intField(n, "concurrent", l.concurrent(), 1, 10_000, at),
                    intField(n, "dailyQuota", l.dailyQuota(), 1, 1_000_000_000, at),
                    zone,
                    intField(n, "exportDailyQuotaMb", l.exportDailyQuotaMb(), 1, 10_000_000, at));
        }
        IpAllowlist a = ipAllowlist;
        if (patch.has("ipAllowlist")) {
            JsonNode n = patch.get("ipAllowlist");
            String at = where + ".ipAllowlist";
            requireObject(n, at);
            knownKeys(n, at, Set.of("enabled", "entries", "applyToIdentity", "trustedProxies", "force"));
            List<String> entries = n.has("entries") ? addresses(n.get("entries"), at + ".entries") : a.entries();
            List<String> proxies = n.has("trustedProxies") ? addresses(n.get("trustedProxies"), at + ".trustedProxies") : a.trustedProxies();
            boolean enabled = boolField(n, "enabled", a.enabled(), at);
            if (enabled && entries.isEmpty() && !stored && !boolField(n, "force", false, at)) {
                throw AdminException.invalid(at + ": an enabled allowlist without entries refuses every API call;"
                        + " add entries, or send \"force\": true to do it anyway");
            }
            a = new IpAllowlist(enabled, entries, boolField(n, "applyToIdentity", a.applyToIdentity(), at), proxies);
        }
        return new InstanceSettings(ttl, query, l, a);
    }

    /** A list of allowlist entries, each checked; a bad one is named. */
    private static List<String> addresses(JsonNode list, String where) {
        if (!list.isArray()) {
            throw AdminException.invalid(where + ": must be an array of strings");
        }
        List<String> entries = new ArrayList<>();
        for (JsonNode e : list) {
            if (!e.isString() || e.asString().isBlank()) {
                throw AdminException.invalid(where + ": every entry must be a non-empty string");
            }
            entries.add(e.asString().strip());
        }
        try {
            IpRules.compile(entries);
        } catch (IllegalArgumentException bad) {
            throw AdminException.invalid(where + ": " + bad.getMessage());
        }
        return entries;
    }

    /** Reads a stored document (written by this class, so it merges cleanly onto the defaults). */
    public static InstanceSettings fromStored(JsonNode stored) {
        return DEFAULTS.merge(stored, "stored instance settings", true);
    }

    private static void requireObject(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw AdminException.invalid(where + ": must be a JSON object");
        }
    }

    static void knownKeys(JsonNode n, String where, Set<String> allowed) {
        for (Iterator<String> it = n.propertyNames().iterator(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw AdminException.invalid(where + ": unknown key '" + Echo.of(key) + "' (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static int intField(JsonNode n, String name, int current, int min, int max, String where) {
        JsonNode v = n.get(name);
        if (v == null) {
            return current;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw AdminException.invalid(where + "." + name + ": must be an integer from " + min + " to " + max);
        }
        return v.asInt();
    }

    private static boolean boolField(JsonNode n, String name, boolean current, String where) {
        JsonNode v = n.get(name);
        if (v == null) {
            return current;
        }
        if (!v.isBoolean()) {
            throw AdminException.invalid(where + "." + name + ": must be true or false");
        }
        return v.asBoolean();
    }

    private static String textField(JsonNode n, String name, String current, String where) {
        JsonNode v = n.get(name);
        if (v == null) {
            return current;
        }
        if (!v.isString() || v.asString().isBlank()) {
            throw AdminException.invalid(where + "." + name + ": must be a non-empty string");
        }
        return v.asString().strip();
    }
}
