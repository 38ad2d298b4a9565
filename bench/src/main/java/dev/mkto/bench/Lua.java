package dev.mkto.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The wrk scripts: each thread seeds its own random sequence; tokens and services are used in turn. */
final class Lua {

    private static final String THREADS = """
            local counter = 0
            function setup(thread)
              thread:set("offset", counter)
              counter = counter + 1
            end
            function init(args)
              math.randomseed(7919 * (offset + 1))
            end
            """;

    private Lua() {
    }

    private static String table(String name, List<String> values) {
        return "local " + name + " = {" + values.stream().map(Wrk::quote).collect(Collectors.joining(",")) + "}\n";
    }

    /**
     * wrk's {@code delay()} is read as whole milliseconds (a fraction is dropped), so the fraction is
     * carried over: each thread's delays average {@code delayMs} exactly.
     */
    private static String pacing(double delayMs) {
        return delayMs <= 0 ? "" : String.format(Locale.ROOT, """
                local owed = 0
                function delay()
                  owed = owed + %.4f
                  local whole = math.floor(owed)
                  owed = owed - whole
                  return whole
                end
                """, delayMs);
    }

    /** {@code GET /rest/v1/lead/{id}.json} for random ids 1..leads, the tokens in turn. */
    static String leadById(List<String> tokens, long leads) {
        return authorizedGets(tokens, "\"/rest/v1/lead/\" .. math.random(1, " + leads + ") .. \".json\"");
    }

    /** Get leads by filter on email for random existing leads; {@code delayMs} paces each connection (0: as fast as it can). */
    static String leadsByEmail(List<String> tokens, long leads, double delayMs) {
        return authorizedGets(tokens, "\"/rest/v1/leads.json?filterType=email&filterValues=lead\" .. math.random(0, " + (leads - 1)
                + ") .. \"%40example.com\"") + pacing(delayMs);
    }

    /** GETs of the path a Lua expression builds, with the tokens in turn. */
    private static String authorizedGets(List<String> tokens, String pathExpression) {
        return THREADS + table("tokens", tokens) + """
                local i = 0
                function request()
                  i = i + 1
                  return wrk.format("GET", %s, {["Authorization"] = "Bearer " .. tokens[(i %% #tokens) + 1]})
                end
                """.formatted(pathExpression);
    }

    /** The client-credentials grant of services 0..n-1 in turn (their live tokens once each has one). */
    static String liveTokens(int services) {
        return grants(0, services, false);
    }

    /** The grant of services from..to-1, each once (2 wrk threads interleave; past the end it wraps around). */
    static String freshTokens(int from, int to) {
        return grants(from, to, true);
    }

    private static String grants(int from, int to, boolean interleave) {
        List<String> ids = IntStream.range(from, to).mapToObj(Seeds::clientId).toList();
        List<String> secrets = IntStream.range(from, to).mapToObj(Seeds::clientSecret).toList();
        return THREADS + table("ids", ids) + table("secrets", secrets) + """
                local k = 0
                function request()
                  local idx = %s
                  k = k + 1
                  idx = ((idx - 1) %% #ids) + 1
                  return wrk.format("GET", "/identity/oauth/token?grant_type=client_credentials&client_id=" .. ids[idx]
                    .. "&client_secret=" .. secrets[idx])
                end
                """.formatted(interleave ? "offset + k * 2 + 1" : "k + 1");
    }
}
