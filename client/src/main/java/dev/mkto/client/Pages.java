package dev.mkto.client;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Follows {@code nextPageToken} until Marketo has no more: every page's records in one list. */
final class Pages {

    private Pages() {
    }

    static <T> ApiResult<List<T>> all(Runner runner, Function<@Nullable String, Call> page, Function<JsonNode, T> read) {
        Results results = new Results();
        List<T> out = new ArrayList<>();
        collect(runner, results, out, page, read);
        return results.finish(out);
    }

    /** Adds every page's records to {@code out}; false when a page failed. */
    static <T> boolean collect(Runner runner, Results results, List<T> out, Function<@Nullable String, Call> page, Function<JsonNode, T> read) {
        Set<String> seen = new HashSet<>();
        String token = null;
        while (true) {
            Runner.Exchange x = runner.run(page.apply(token));
            if (!results.add(x)) {
                return false;
            }
            Envelope e = x.envelope();
            for (JsonNode item : e.result()) {
                out.add(read.apply(item));
            }
            token = e.nextPageToken();
            // a token is given while more may follow; a token seen before would loop forever
            if (token == null || !seen.add(token) || (e.result().isEmpty() && !e.moreResult())) {
                return true;
            }
        }
    }
}
