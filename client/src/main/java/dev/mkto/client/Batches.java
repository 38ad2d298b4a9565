package dev.mkto.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Runs a batch call in requests of at most {@code size} records and lines the results up with the input. */
final class Batches {

    /**
     * Marketo refuses bodies over 1 MB (413); a batch whose body would pass this is sent as smaller
     * requests, and a record whose request alone would is not sent (skipped, reason 413).
     */
    static final int MAX_BODY = 1_000_000;

    /** The SDK's code for a request of a multi-request call that got no answer (its outcome is unknown). */
    static final String NO_ANSWER = "no_answer";

    private Batches() {
    }

    static <I> ApiResult<List<RecordResult>> run(Runner runner, List<I> inputs, int size, Function<List<I>, Call> call) {
        return run(runner, inputs, size, call, null);
    }

    /** A batch call on lead ids, whose results carry the id: they are matched to the input by it when not in input order. */
    static ApiResult<List<RecordResult>> runIds(Runner runner, List<Long> ids, int size, Function<List<Long>, Call> call) {
        return run(runner, ids, size, call, Function.identity());
    }

    private static <I> ApiResult<List<RecordResult>> run(Runner runner, List<I> inputs, int size, Function<List<I>, Call> call,
                                                        @Nullable Function<I, Long> idOf) {
        Results results = new Results();
        List<RecordResult> out = new ArrayList<>(inputs.size());
        int n;
        for (int from = 0; from < inputs.size(); from += n) {
            n = Math.min(size, inputs.size() - from);
            Call c = call.apply(inputs.subList(from, from + n));
            int bytes = bodySize(c);
            while (n > 1 && bytes > MAX_BODY) {
                n = Math.max(1, Math.min(n - 1, (int) ((long) n * MAX_BODY / bytes)));
                c = call.apply(inputs.subList(from, from + n));
                bytes = bodySize(c);
            }
            if (bytes > MAX_BODY) { // this record alone: Marketo would refuse its request, and with it nothing else
                out.add(RecordResult.tooLarge(from));
                continue;
            }
            List<I> batch = inputs.subList(from, from + n);
            Runner.Exchange x = exchange(runner, c, from > 0);
            if (!results.add(x)) {
                boolean answered = !NO_ANSWER.equals(x.envelope().code());
                for (int i = 0; i < batch.size(); i++) {
                    out.add(answered ? RecordResult.failed(from + i, results.errors()) : RecordResult.unknown(from + i, results.errors()));
                }
                for (int i = from + batch.size(); i < inputs.size(); i++) {
                    out.add(RecordResult.notSent(i));
                }
                return results.finish(out);
            }
            line(out, from, batch, x.envelope().result(), idOf);
        }
        return results.finish(out);
    }

    /** Adds one result per record of {@code batch}: Marketo's results in input order, or, for id calls, matched by id. */
    private static <I> void line(List<RecordResult> out, int from, List<I> batch, JsonNode result, @Nullable Function<I, Long> idOf) {
        if (idOf == null || inOrder(batch, result, idOf) || !allCarryIds(result)) {
            for (int i = 0; i < batch.size(); i++) {
                out.add(i < result.size() ? RecordResult.read(from + i, result.get(i)) : RecordResult.unknown(from + i, List.of()));
            }
            return;
        }
        // reordered, missing or merged results: each record takes the next result carrying its id (a repeated id its last one)
        Map<Long, Deque<JsonNode>> byId = new HashMap<>();
        for (JsonNode item : result) {
            byId.computeIfAbsent(Json.number(item, "id"), k -> new ArrayDeque<>()).add(item);
        }
        Map<Long, JsonNode> taken = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            Long id = idOf.apply(batch.get(i));
            Deque<JsonNode> left = byId.get(id);
            JsonNode item = left == null || left.isEmpty() ? taken.get(id) : left.poll();
            if (item == null) {
                out.add(RecordResult.unknown(from + i, List.of()));
            } else {
                taken.put(id, item);
                out.add(RecordResult.read(from + i, item));
            }
        }
    }

    private static boolean allCarryIds(JsonNode result) {
        for (JsonNode item : result) {
            if (Json.number(item, "id") == null) {
                return false;
            }
        }
        return true;
    }

    private static <I> boolean inOrder(List<I> batch, JsonNode result, Function<I, Long> idOf) {
        if (result.size() != batch.size()) {
            return false;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!idOf.apply(batch.get(i)).equals(Json.number(result.get(i), "id"))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs one request of a multi-request call. A request after the first that gets no answer does
     * not throw: the call ends with what the earlier requests returned, so the caller learns which
     * records were applied instead of repeating them all.
     */
    static Runner.Exchange exchange(Runner runner, Call call, boolean earlierAnswered) {
        try {
            return runner.run(call);
        } catch (TransportException e) {
            if (!earlierAnswered) {
                throw e;
            }
            return new Runner.Exchange(Envelope.failure(0, new MarketoError(NO_ANSWER, e.getMessage())), null, null);
        }
    }

    private static int bodySize(Call c) {
        return c.jsonBody() == null ? 0 : c.jsonBody().getBytes(StandardCharsets.UTF_8).length;
    }

    /** {@code [{"id": 1}, {"id": 2}]}, the input shape of Marketo's id-based batch calls. */
    static List<java.util.Map<String, Long>> ids(Collection<Long> ids) {
        return ids.stream().map(id -> java.util.Map.of("id", id)).toList();
    }

    static <T> List<T> require(Collection<T> items, String what) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return List.copyOf(items);
    }
}
