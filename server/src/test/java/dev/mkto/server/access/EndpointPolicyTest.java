package dev.mkto.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.Backend;
import dev.mkto.server.testing.SharedSpec;
import dev.mkto.server.testing.TestServer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Holds the endpoint → permission table against Adobe's endpoint list
 * ({@code endpoint-permissions.csv}) and, for endpoints that list lacks, the swagger files'
 * "Required Permissions", for every endpoint the server answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointPolicyTest {

    /** Decisions of marketo-behaviour.md part 0 that admit a permission beside the documented one. */
    private static final Set<Set<Permission>> DECIDED_ALTERNATIVES = Set.of(
            EnumSet.of(Permission.EXECUTE_CAMPAIGN, Permission.READ_WRITE_CAMPAIGN),
            EnumSet.of(Permission.APPROVE_ASSETS, Permission.READ_WRITE_ASSETS));

    private TestServer server;
    private List<String> endpoints;

    @BeforeAll
    void start() {
        server = TestServer.start(Backend.H2);
        endpoints = server.server().endpoints();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void everyEndpointHasARuleAndEveryRuleAnEndpoint() {
        List<String> rules = EndpointPolicy.RULES.stream().map(r -> r.method() + " " + r.template()).toList();
        assertThat(endpoints).containsExactlyInAnyOrderElementsOf(rules);
    }

    @Test
    void everyEndpointAdmitsExactlyWhatAdobeDocumentsForIt() {
        List<SharedSpec.EndpointRow> csv = SharedSpec.endpointPermissions();
        List<String> problems = new ArrayList<>();
        for (String endpoint : endpoints) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String template = endpoint.substring(endpoint.indexOf(' ') + 1);
            EndpointPolicy.Rule rule = EndpointPolicy.ruleFor(method, template).orElseThrow();
            List<Permission> documented = new ArrayList<>();
            for (SharedSpec.EndpointRow row : csv) {
                if (row.hasMethod(method) && SharedSpec.shape(row.uri()).equals(SharedSpec.shape(template))) {
                    documented.add(Permission.parse(row.permission())
                            .orElseThrow(() -> new AssertionError("unknown permission in the CSV: " + row.permission())));
                }
            }
            String source = "endpoint-permissions.csv";
            if (documented.isEmpty()) {
                documented.addAll(swaggerPermissions(method, template));
                source = "swagger";
            }
            if (documented.isEmpty() && swaggerSaysNone(method, template)) {
                if (!rule.anyOf().isEmpty()) {
                    problems.add(endpoint + ": needs no permission per the swagger, but the table asks for " + rule.anyOf());
                }
                continue;
            }
            if (documented.isEmpty()) {
                problems.add(endpoint + ": documented nowhere");
                continue;
            }
            for (Permission p : documented) {
                if (!PermissionSet.granting(List.of(p)).intersects(rule.required())) {
                    problems.add(endpoint + ": a role with only '" + p.label() + "' (" + source + ") is refused");
                }
            }
            for (Permission admitted : rule.anyOf()) {
                boolean known = documented.contains(admitted) || swaggerPermissions(method, template).contains(admitted)
                        || DECIDED_ALTERNATIVES.stream().anyMatch(alt -> alt.contains(admitted) && documented.stream().anyMatch(alt::contains));
                if (!known) {
                    problems.add(endpoint + ": admits '" + admitted.label() + "', which no source documents");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void permissionNamesInAdobesListAllParse() {
        for (SharedSpec.EndpointRow row : SharedSpec.endpointPermissions()) {
            if (!row.permission().equals("None")) {
                assertThat(Permission.parse(row.permission())).as(row.permission()).isPresent();
            }
        }
    }

    private static final Pattern REQUIRED = Pattern.compile("Required Permissions?:\\s*([^<\\n]*)");

    /** Whether a swagger operation's description says "Required Permissions: None". */
    private static boolean swaggerSaysNone(String method, String template) {
        for (String file : List.of("swagger-mapi.json", "swagger-user.json")) {
            JsonNode paths = SharedSpec.json(file).path("paths");
            for (String path : paths.propertyNames()) {
                if (SharedSpec.shape(path).equals(SharedSpec.shape(template))) {
                    Matcher m = REQUIRED.matcher(paths.path(path).path(method.toLowerCase(java.util.Locale.ROOT)).path("description").asString(""));
                    if (m.find() && m.group(1).strip().equals("None")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The API permissions a swagger operation's description lists ("Access Users", an admin permission, is not one). */
    private static List<Permission> swaggerPermissions(String method, String template) {
        List<Permission> out = new ArrayList<>();
        for (String file : List.of("swagger-mapi.json", "swagger-user.json")) {
            JsonNode paths = SharedSpec.json(file).path("paths");
            for (String path : paths.propertyNames()) {
                if (!SharedSpec.shape(path).equals(SharedSpec.shape(template))) {
                    continue;
                }
                JsonNode op = paths.path(path).path(method.toLowerCase(java.util.Locale.ROOT));
                Matcher m = REQUIRED.matcher(op.path("description").asString(""));
                if (m.find()) {
                    for (String name : m.group(1).split(",| and ")) {
                        String n = name.strip().replace("Named Opportunity", "Opportunity");
                        Optional<Permission> p = Permission.parse(n);
                        p.ifPresent(out::add);
                    }
                }
            }
        }
        return out;
    }
}
