package dev.mkto.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Api;
import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.TestServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every endpoint the server answers × roles with and without the permission it needs: the call
 * is refused with 603 exactly when the role lacks it. Calls carry no meaningful input; what
 * matters is whether they get past the permission check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PermissionMatrixTest {

    private TestServer server;
    private final Map<String, String> tokens = new HashMap<>();

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        // several calls per endpoint on a clock that stands still: more than the default rate window holds
        server.admin().patch("/instance", Map.of("limits", Map.of("rateCalls", 1_000_000)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String tokenFor(String key, List<Permission> permissions) {
        return tokens.computeIfAbsent(key, k -> server.admin().tokenWith(permissions.stream().map(Permission::label).toArray(String[]::new)));
    }

    @Test
    void callWhenRoleLacksTheEndpointsPermissionThen603AndOtherwiseNot() {
        List<String> problems = new ArrayList<>();
        for (String endpoint : server.server().endpoints()) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String template = endpoint.substring(endpoint.indexOf(' ') + 1);
            EndpointPolicy.Rule rule = EndpointPolicy.ruleFor(method, template).orElseThrow();
            String path = template.replaceAll("\\{userid}", "nobody@example.com").replaceAll("\\{[^}]*}", "1");
            for (Permission granted : rule.anyOf()) {
                check(problems, endpoint, method, path, "only " + granted.label(), List.of(granted), false);
            }
            check(problems, endpoint, method, path, "Access API", List.of(Permission.ACCESS_API), false);
            if (!rule.anyOf().isEmpty()) {
                check(problems, endpoint, method, path, "no permission", List.of(), true);
                List<Permission> others = Arrays.stream(Permission.values())
                        .filter(p -> rule.anyOf().stream().noneMatch(p::satisfies)).toList();
                check(problems, endpoint, method, path, "every other permission", others, true);
            }
        }
        assertThat(problems).isEmpty();
    }

    private void check(List<String> problems, String endpoint, String method, String path, String roleKey,
                       List<Permission> permissions, boolean expectDenied) {
        String token = tokenFor(roleKey + permissions, permissions);
        Api.Response r = method.equals("GET") ? server.api().get(path, token)
                : server.api().method(method, path, token, "application/json", "{}");
        boolean denied = "603".equals(r.errorCode());
        if (denied != expectDenied) {
            problems.add(endpoint + " with " + roleKey + ": expected " + (expectDenied ? "603" : "not 603") + " but got "
                    + r.status() + " " + r.text());
        }
        if (r.status() >= 500) {
            problems.add(endpoint + " with " + roleKey + ": HTTP " + r.status());
        }
    }
}
