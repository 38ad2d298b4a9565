package dev.mkto.client;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;

/** Clients for tests: each with its own token cache and limiter, so tests do not share state through the process-wide ones. */
final class TestClients {

    private TestClients() {
    }

    static MarketoClient.Builder builder(String endpoint, String clientId, String clientSecret, Trace trace) {
        return MarketoClient.builder()
                .endpoint(endpoint)
                .credentials(clientId, clientSecret)
                .tokenCache(new TokenCache())
                .limiters(new Limiter.Registry())
                .trace(trace);
    }

    static MarketoClient.Builder builder(ServerProcess server, ServerAdmin.Service service, Trace trace) {
        return builder(server.restEndpoint(), service.clientId(), service.clientSecret(), trace);
    }

    static MarketoClient client(ServerProcess server, ServerAdmin.Service service) {
        return builder(server, service, new RecordingTrace()).build();
    }
}
