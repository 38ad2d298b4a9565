package dev.mkto.server.access;

/**
 * Who is calling the REST API: the custom service whose token was presented, its API-only user
 * and that user's grants. Handlers receive this and never see the token.
 */
public record Caller(long instanceId, long serviceId, String clientId, String serviceName, long userId, String userEmail,
                     Grants grants, ServiceCaps caps) {

    @Override
    public String toString() {
        return "Caller[service=" + serviceId + ", user=" + userEmail + "]";
    }
}
