package dev.mkto.cli.auth;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.client.ApiResult;
import dev.mkto.client.AuthenticationFailure;
import dev.mkto.client.Limits;
import dev.mkto.client.MarketoClient;
import dev.mkto.client.MarketoError;
import dev.mkto.client.Trace;
import dev.mkto.client.TransportException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/** From a saved authentication to a working client, and from the client's failures to mkto's exit codes. */
public final class Connections {

    private Connections() {
    }

    /**
     * A client for this authentication. Each retry it waits for is said on standard error (what
     * answered, and when it tries again), so that a wait of seconds or minutes is never silent.
     */
    public static MarketoClient client(Authentication a, Context ctx) {
        return MarketoClient.builder()
                .endpoint(a.endpoint())
                .credentials(a.clientId(), a.clientSecret())
                .limits(limits(a.limits()))
                .trace(new Trace() {
                    @Override
                    public void retrying(String method, String path, String reason, int retry, Duration delay) {
                        ctx.err().println(retryLine(method, path, reason, retry, delay));
                    }
                })
                .build();
    }

    /** e.g. "mkto: POST /identity/oauth/token: no answer in time (HttpTimeoutException); retry 2 in 4.0 s" */
    static String retryLine(String method, String path, String reason, int retry, Duration delay) {
        String why = switch (reason) {
            case "HttpTimeoutException" -> "no answer in time (" + reason + ")";
            case "HttpConnectTimeoutException" -> "no connection in time (" + reason + ")";
            case "ConnectException" -> "connection refused (" + reason + ")";
            case "UnknownHostException", "UnresolvedAddressException" -> "unknown host (" + reason + ")";
            case "606" -> "606, the rate limit";
            case "615" -> "615, the limit of calls in flight";
            default -> reason.matches("\\d+") ? reason : reason.startsWith("HTTP ") ? "answered " + reason : "failed (" + reason + ")";
        };
        return String.format(Locale.ROOT, "mkto: %s %s: %s; retry %d in %.1f s", method, path, why, retry, delay.toMillis() / 1000.0);
    }

    /**
     * Client-side limits from their text: {@code marketo} (100 calls / 20 s, 10 in flight),
     * {@code unlimited}, {@code share:0.5}, or {@code CALLS/SECONDS/CONCURRENT}.
     */
    public static Limits limits(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("marketo")) {
                return Limits.marketo();
            }
            if (t.equals("unlimited")) {
                return Limits.unlimited();
            }
            if (t.startsWith("share:")) {
                return Limits.share(Double.parseDouble(t.substring("share:".length())));
            }
            String[] parts = t.split("/");
            if (parts.length == 3) {
                return new Limits(Integer.parseInt(parts[0]), Duration.ofSeconds(Long.parseLong(parts[1])), Integer.parseInt(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            throw CliException.usage("limits '" + text + "': " + e.getMessage());
        }
        throw CliException.usage("limits '" + text + "' is none of: marketo, unlimited, share:FRACTION (e.g. share:0.5),"
                + " CALLS/SECONDS/CONCURRENT (e.g. 50/20/5)");
    }

    /** Runs a call; no answer at all becomes exit 3. */
    public static <T> ApiResult<T> call(Supplier<ApiResult<T>> call) {
        try {
            return call.get();
        } catch (TransportException e) {
            throw CliException.unreachable(e.getMessage());
        }
    }

    /** The value of a successful call; otherwise exit 2 with the code and what it means. */
    public static <T> T value(ApiResult<T> r, String what) {
        if (r.success() && r.value().isPresent()) {
            return r.value().get();
        }
        throw refused(r, what);
    }

    /** Exit 2 for a refused call, saying what was refused, the code, and what to do. */
    public static CliException refused(ApiResult<?> r, String what) {
        if (r.authenticationFailure().isPresent()) {
            AuthenticationFailure f = r.authenticationFailure().get();
            if (f.httpStatus() >= 500) {
                return CliException.refused(what + ": the identity service failed (" + f + ") and went on failing through the"
                        + " retries: Marketo, or a gateway on the way, is failing, not these credentials; try again later", f.error());
            }
            return CliException.refused(what + ": authentication refused (" + f + "); run 'mkto auth test' to find out why", f.error());
        }
        MarketoError e = r.error().orElse(new MarketoError("", "failed"));
        StringBuilder b = new StringBuilder(what).append(": ").append(e);
        // the SDK's meaning, without its sentences for programmers (those naming a method, e.g. MarketoClient.diagnose())
        StringBuilder meaning = new StringBuilder();
        for (String sentence : e.meaning().split("(?<=\\.)\\s+")) {
            if (!sentence.contains("()")) {
                meaning.append(meaning.isEmpty() ? "" : " ").append(sentence);
            }
        }
        if (!meaning.isEmpty()) {
            b.append(" (").append(meaning).append(')');
        }
        r.quotaResetsAt().ifPresent(t -> b.append(" The daily quota resets at ").append(t).append('.'));
        if (e.code().equals("603")) {
            b.append(" Run 'mkto auth test' to tell a missing permission from the IP allowlist, and 'mkto perms explain' for the permission.");
        }
        return CliException.refused(b.toString(), e.code());
    }
}
