package dev.mkto.server.usage;

import dev.mkto.server.http.ApiRoutes;
import dev.mkto.server.http.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Marketo's usage statistics endpoints: today's and the last seven days' calls per API user, and errors per code. */
public final class StatsApi implements ApiRoutes.Feature {

    private final Usage usage;

    public StatsApi(Usage usage) {
        this.usage = usage;
    }

    @Override
    public void register(ApiRoutes routes) {
        routes.get("/rest/v1/stats/usage.json", call -> Reply.Envelope.of(usage(call.caller().instanceId(), 1)))
                .get("/rest/v1/stats/usage/last7days.json", call -> Reply.Envelope.of(usage(call.caller().instanceId(), 7)))
                .get("/rest/v1/stats/errors.json", call -> Reply.Envelope.of(errors(call.caller().instanceId(), 1)))
                .get("/rest/v1/stats/errors/last7days.json", call -> Reply.Envelope.of(errors(call.caller().instanceId(), 7)));
    }

    private List<Map<String, Object>> usage(long instance, int days) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Usage.Day d : usage.usage(instance, days)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", d.date());
            m.put("total", d.total());
            m.put("users", d.byUser().entrySet().stream().map(e -> {
                Map<String, Object> u = new LinkedHashMap<>();
                u.put("userId", e.getKey());
                u.put("count", e.getValue());
                return u;
            }).toList());
            out.add(m);
        }
        return out;
    }

    private List<Map<String, Object>> errors(long instance, int days) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Usage.ErrorDay d : usage.errors(instance, days)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", d.date());
            m.put("total", d.total());
            m.put("errors", d.byCode().entrySet().stream().map(e -> {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("errorCode", e.getKey());
                c.put("count", e.getValue());
                return c;
            }).toList());
            out.add(m);
        }
        return out;
    }
}
