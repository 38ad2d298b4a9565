package dev.mkto.bench;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seed every benchmark starts from: limits raised to their maximum (so the benchmark measures
 * the server, not its 606s; every call is still counted), one role with Read-Write Lead, and
 * {@code services} API-only users each owning a custom service with a fixed client id and secret.
 */
final class Seeds {

    static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Seeds() {
    }

    static String clientId(int service) {
        return UUID.nameUUIDFromBytes(("bench-service-" + service).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String clientSecret(int service) {
        StringBuilder s = new StringBuilder(32);
        long x = 0x9E3779B97F4A7C15L * (service + 1);
        for (int i = 0; i < 32; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            s.append(ALPHANUMERIC.charAt((int) Long.remainderUnsigned(x, ALPHANUMERIC.length())));
        }
        return s.toString();
    }

    static String instance(int services) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode instance = root.putObject("instance");
        instance.put("munchkinId", "123-ABC-456");
        ObjectNode limits = instance.putObject("limits");
        limits.put("rateCalls", 1_000_000).put("rateWindowSeconds", 1).put("concurrent", 10_000).put("dailyQuota", 1_000_000_000);
        ArrayNode roles = root.putArray("roles");
        roles.addObject().put("name", "Bench").putArray("permissions").add("Read-Write Lead").add("Read-Write Activity");
        ArrayNode users = root.putArray("users");
        ArrayNode list = root.putArray("services");
        for (int i = 0; i < services; i++) {
            String email = "bench" + i + "@example.com";
            ObjectNode user = users.addObject().put("email", email).put("apiOnly", true);
            user.putArray("roles").addObject().put("role", "Bench").put("workspace", "Default");
            list.addObject().put("name", "Bench " + i).put("user", email).put("clientId", clientId(i)).put("clientSecret", clientSecret(i));
        }
        return root.toString();
    }
}
