package dev.mkto.server.http;

import dev.mkto.server.access.EndpointPolicy;
import dev.mkto.server.access.PermissionSet;

/**
 * Where the API's features register their endpoints. Every endpoint must have a rule in
 * {@link EndpointPolicy}; registering one without is a programming error caught at start-up.
 */
public final class ApiRoutes {

    /** A registered endpoint: its surface, what it needs, what it does. */
    public record Endpoint(Surface surface, PermissionSet required, Operation operation) {
    }

    /** A feature that contributes endpoints. */
    public interface Feature {
        void register(ApiRoutes routes);
    }

    private final Router<Endpoint> router = new Router<>();

    public ApiRoutes get(String template, Operation operation) {
        return add("GET", template, operation);
    }

    public ApiRoutes post(String template, Operation operation) {
        return add("POST", template, operation);
    }

    public ApiRoutes delete(String template, Operation operation) {
        return add("DELETE", template, operation);
    }

    private ApiRoutes add(String method, String template, Operation operation) {
        EndpointPolicy.Rule rule = EndpointPolicy.ruleFor(method, template)
                .orElseThrow(() -> new IllegalStateException("no permission rule for " + method + " " + template));
        Surface surface = template.startsWith("/userservice/") ? Surface.USER_MANAGEMENT : Surface.MAPI;
        router.add(method, template, new Endpoint(surface, rule.required(), operation));
        return this;
    }

    Router<Endpoint> router() {
        return router;
    }

    /** Every registered endpoint as "METHOD template", in registration order. */
    public java.util.List<String> endpoints() {
        return router.routes().stream().map(r -> r.method() + " " + r.template()).toList();
    }
}
