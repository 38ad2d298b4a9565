package dev.mkto.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import dev.mkto.client.Diagnosis.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * Works out why a connection fails, with as few requests as the answer needs:
 *
 * <ol>
 *   <li>a fresh identity request (never the cached token): no answer or a 5xx → UNREACHABLE; another
 *       answer that is not Marketo's identity service → ENDPOINT_FORMAT; 401 → which credential is wrong, or
 *       whether the API-only user is inactive, from the OAuth error and its description; 403 →
 *       an allowlist applied to the identity service too;
 *   <li>{@code GET /rest/v1/leads/describe.json}, which needs Read-Only Lead: success → OK; a 5xx → UNREACHABLE;
 *       610 or a non-Marketo answer → ENDPOINT_FORMAT; 601/602 for a brand-new token → a second
 *       later, a fresh identity request and the read again (the first token may have been in its
 *       last second); refused again → the user lost access;
 *   <li>only after a 603: {@code GET /rest/v1/stats/usage.json}, which needs no permission: refused
 *       too → IP_NOT_ALLOWED (only the allowlist denies it); answered → MISSING_READ_PERMISSION.
 * </ol>
 */
final class Diagnostician {

    private static final String WEB_SERVICES = "Admin > Integration > Web Services";
    private static final String LAUNCHPOINT = "Admin > Integration > LaunchPoint > (your service) > View Details";

    private static final Duration NEXT_SECOND = Duration.ofSeconds(1);

    private final Endpoint endpoint;
    private final IdentityClient identity;
    private final Runner runner;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final List<Diagnosis.Step> steps = new ArrayList<>();

    Diagnostician(Endpoint endpoint, IdentityClient identity, Runner runner, HttpClient http, Sleeper sleeper) {
        this.endpoint = endpoint;
        this.identity = identity;
        this.runner = runner;
        this.http = http;
        this.sleeper = sleeper;
    }

    Diagnosis run() {
        try {
            return diagnose(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("diagnosis was interrupted", e);
        }
    }

    /** {@code firstToken}: whether a token the API refuses may be the live token's last second, worth one more try. */
    private Diagnosis diagnose(boolean firstToken) throws InterruptedException {
        String tokenRequest = "POST " + identity.tokenUrl();
        IdentityClient.Answer answer;
        try {
            answer = identity.request();
        } catch (IOException e) {
            steps.add(new Diagnosis.Step(tokenRequest, 0, "", Runner.message(e)));
            return noAnswer(e, identity.tokenUrl());
        }
        if (answer instanceof IdentityClient.Refused refused) {
            AuthenticationFailure f = refused.failure();
            steps.add(new Diagnosis.Step(tokenRequest, f.httpStatus(), f.error(), f.errorDescription()));
            return refusedByIdentity(f);
        }
        IdentityClient.Granted granted = (IdentityClient.Granted) answer;
        steps.add(new Diagnosis.Step(tokenRequest, 200, "", "access token issued" + (granted.scope().isEmpty() ? "" : " for " + granted.scope())
                + ", expires in " + granted.expiresIn() + " s"));
        String user = granted.scope().isEmpty() ? "the service's API-only user" : "the API-only user " + granted.scope();

        Envelope describe = probe(Call.get("/rest/v1/leads/describe.json"), granted.accessToken());
        if (describe == null) {
            return noAnswer(null, endpoint.restUrl());
        }
        String code = describe.success() ? "" : describe.code();
        if (describe.httpStatus() >= 500) {
            // a server or gateway failing on the way (a time-out), whatever its body: the read was not answered
            return serverError("The identity service answered, but the REST API", describe.httpStatus());
        }
        if (describe.success()) {
            return result(Outcome.OK, "The credentials work and " + user + " can read leads.",
                    endpoint.notes().isEmpty() ? "Nothing to fix." : "Nothing to fix; store the endpoint as " + endpoint.restUrl() + ".");
        }
        switch (code) {
            case "601", "602", "600" -> {
                if (firstToken) {
                    // identity hands out the service's live token until it expires: one in its last second can expire
                    // on the way, so the next token decides
                    sleeper.sleep(NEXT_SECOND);
                    return diagnose(false);
                }
                return result(Outcome.API_USER_INACTIVE, "Tokens issued a moment ago were refused (" + code + "): " + user
                                + " or its custom service lost access in between.",
                        "In Admin > Users & Roles, check that " + user + " is active and not expired, and that the custom service is enabled.");
            }
            case "603" -> {
                return deniedRead(granted.accessToken(), user);
            }
            case "606", "615", "607" -> {
                return result(Outcome.OK, "The credentials work; the read was refused by the instance's limits (" + describe.errors().get(0)
                                + "), so the read permission could not be checked now.",
                        code.equals("607") ? "Wait for the daily quota to reset (midnight, America/Chicago) and diagnose again."
                                : "Diagnose again when the instance's other integrations are quieter.");
            }
            default -> {
                if (code.equals("610") || describe.httpStatus() == 404 || code.equals("invalid_response")) {
                    return result(Outcome.ENDPOINT_FORMAT, "The identity service answered, but the REST API at " + endpoint.restUrl()
                                    + " does not know a standard Marketo endpoint: the endpoint's path is wrong.",
                            "Use the REST API Endpoint shown in " + WEB_SERVICES + " exactly, e.g. https://123-ABC-456.mktorest.com/rest.");
                }
                return result(Outcome.OK, "The credentials work; reading leads answered " + describe.errors().get(0) + ".",
                        "Nothing to fix in the connection; the error above is Marketo's: " + describe.errors().get(0).meaning());
            }
        }
    }

    /** {@code who} answered 5xx: a server or a gateway on the way failing, not the connection's settings. */
    private Diagnosis serverError(String who, int httpStatus) {
        return result(Outcome.UNREACHABLE, who + " answered with a server error (HTTP " + httpStatus + ").",
                "Try again later; if it persists, check Marketo's status page or the proxy between you and Marketo.");
    }

    /** Reading leads was denied: the allowlist or the role? Ask an endpoint that needs no permission. */
    private Diagnosis deniedRead(String token, String user) throws InterruptedException {
        Envelope stats = probe(Call.get("/rest/v1/stats/usage.json"), token);
        if (stats != null && !stats.success() && stats.code().equals("603")) {
            return result(Outcome.IP_NOT_ALLOWED, "Even API usage statistics, which need no permission, were denied (603): the instance's"
                            + " IP allowlist does not include this machine.",
                    "In " + WEB_SERVICES + " > IP Restrictions, add this machine's public IP address (as Marketo sees it), or turn the"
                            + " restriction off. The identity service is not restricted, which is why a token was issued.");
        }
        String fix = "In Admin > Users & Roles > Roles, give the role of " + user + " the permission 'Read-Only Lead' (or 'Read-Write Lead')"
                + " under Access API, in the workspaces the integration reads.";
        if (stats != null && stats.success()) {
            return result(Outcome.MISSING_READ_PERMISSION, "API usage statistics (no permission needed) answered, but reading leads was"
                    + " denied (603): " + user + " lacks a lead read permission.", fix);
        }
        return result(Outcome.MISSING_READ_PERMISSION, "Reading leads was denied (603). The check that tells the IP allowlist apart"
                        + " (usage statistics) did not answer as expected, so the allowlist cannot be ruled out.",
                fix + " If the role already has it, check " + WEB_SERVICES + " > IP Restrictions.");
    }

    private Diagnosis refusedByIdentity(AuthenticationFailure f) {
        String error = f.error().toLowerCase(Locale.ROOT);
        String description = causeWords(f.errorDescription());
        // a 5xx is a server or gateway failing (a time-out on the way), whatever its body: it says nothing about the path
        if (f.httpStatus() >= 500) {
            return serverError("The identity service", f.httpStatus());
        }
        if (error.equals("unexpected_response") || f.httpStatus() == 400 || f.httpStatus() == 404 || f.httpStatus() == 405) {
            return result(Outcome.ENDPOINT_FORMAT, "The identity URL " + endpoint.identityUrl() + " did not answer like Marketo's identity service.",
                    "Use the REST API Endpoint (or the Identity URL) shown in " + WEB_SERVICES + ", e.g. https://123-ABC-456.mktorest.com/rest."
                            + hint());
        }
        if (f.httpStatus() == 403 || description.contains("allowlist") || description.contains("ip address")) {
            // the instance may apply its allowlist to the identity service as well
            return result(Outcome.IP_NOT_ALLOWED, "The identity service refused this machine's address: " + f.errorDescription() + ".",
                    "In " + WEB_SERVICES + " > IP Restrictions, add this machine's public IP address (as Marketo sees it), or turn the"
                            + " restriction off.");
        }
        if (error.equals("invalid_client")) {
            return result(Outcome.INVALID_CLIENT_SECRET, "The identity service knows the client id but refused the secret ('" + f.errorDescription() + "').",
                    "Copy the Client Secret again from " + LAUNCHPOINT + "; it changes when someone regenerates it.");
        }
        if (description.contains("deactivated") || description.contains("expired") || description.contains("not an api-only")
                || description.contains("inactive") || description.contains("no api-only user")) {
            return result(Outcome.API_USER_INACTIVE, "The credentials are right, but the service's API-only user cannot be used: "
                            + f.errorDescription() + ".",
                    "In Admin > Users & Roles, reactivate the API-only user or extend its access expiration date; or, in LaunchPoint,"
                            + " give the custom service an active API-only user.");
        }
        if (description.contains("disabled")) {
            return result(Outcome.INVALID_CLIENT_ID, "The client id belongs to a custom service that is disabled: " + f.errorDescription() + ".",
                    "Enable the custom service in Admin > Integration > LaunchPoint, or use the credentials of one that is.");
        }
        return result(Outcome.INVALID_CLIENT_ID, "The identity service knows no custom service with this client id ('" + f.errorDescription() + "').",
                "Copy the Client Id from " + LAUNCHPOINT + ". If the service was deleted, create a new custom service for an API-only user.");
    }

    /**
     * A refusal's description without the names it quotes (a service's name, a user's e-mail, the
     * client id asked for), lower case: names are the admin's to choose, and a service called
     * "Expired leads" must not read as an expired user.
     */
    private static String causeWords(String description) {
        String d = description.toLowerCase(Locale.ROOT);
        int id = d.indexOf("requested id:");
        if (id >= 0) {
            d = d.substring(0, id + "requested id:".length());
        }
        return d.replaceAll("'.*'", "''").replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\S+@\\S+", "");
    }

    private Diagnosis noAnswer(@Nullable IOException e, URI where) throws InterruptedException {
        if (e instanceof SSLException && where.getScheme().equals("https") && answersPlainHttp(where)) {
            return result(Outcome.ENDPOINT_FORMAT, where.getHost() + " answers plain http on that port, not https: the scheme is wrong.",
                    "Use http:// for this host, or the https:// endpoint shown in " + WEB_SERVICES + ".");
        }
        if (e instanceof SSLException) {
            return result(Outcome.UNREACHABLE, "The TLS handshake with " + where.getHost() + " failed (" + Runner.message(e) + ").",
                    "Check that the host serves https with a certificate this JVM trusts; a proxy that intercepts TLS needs its"
                            + " certificate in the JVM's trust store.");
        }
        return result(Outcome.UNREACHABLE, "No answer from " + where.getScheme() + "://" + where.getAuthority()
                        + (e == null ? "" : " (" + Runner.message(e) + ")") + ".",
                "Check the host name and port in the endpoint, DNS, and any proxy or firewall between this machine and "
                        + where.getHost() + "." + hint());
    }

    private @Nullable Envelope probe(Call call, String token) throws InterruptedException {
        String request = call.method() + " " + endpoint.resolve(call.path());
        try {
            Envelope e = runner.once(call, token);
            steps.add(new Diagnosis.Step(request, e.httpStatus(), e.success() ? "" : e.code(),
                    e.success() ? "success" : e.errors().get(0).message()));
            return e;
        } catch (IOException e) {
            steps.add(new Diagnosis.Step(request, 0, "", Runner.message(e)));
            return null;
        }
    }

    private String hint() {
        List<String> notes = endpoint.notes().stream().filter(n -> n.startsWith("Kept")).toList();
        return notes.isEmpty() ? "" : " " + notes.get(0);
    }

    /** After a failed TLS handshake: does the same host and port answer plain http? (No credentials are sent.) */
    private boolean answersPlainHttp(URI where) throws InterruptedException {
        URI plain = URI.create("http://" + where.getRawAuthority() + where.getRawPath());
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10))
                    .version(HttpClient.Version.HTTP_1_1).GET().build(), HttpResponse.BodyHandlers.discarding());
            steps.add(new Diagnosis.Step("GET " + plain, r.statusCode(), "", "answered over plain http"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Diagnosis result(Outcome outcome, String summary, String fix) {
        return new Diagnosis(outcome, summary, fix, steps, endpoint.notes());
    }
}
