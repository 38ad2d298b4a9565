package dev.mkto.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** Runs a batch call in requests of at most {@code size} records and lines the results up with the input. */
final class Batches {

    private Batches() {
    }

    static <I> ApiResult<List<RecordResult>> run(Runner runner, List<I> inputs, int size, Function<List<I>, Call> call) {
        Results results = new Results();
        List<RecordResult> out = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += size) {
            List<I> batch = inputs.subList(from, Math.min(from + size, inputs.size()));
            Runner.Exchange x = runner.run(call.apply(batch));
            if (!results.add(x)) {
                for (int i = 0; i < batch.size(); i++) {
                    out.add(RecordResult.failed(from + i, results.errors()));
                }
                for (int i = from + batch.size(); i < inputs.size(); i++) {
                    out.add(RecordResult.notSent(i));
                }
                return results.finish(out);
            }
            JsonNode result = x.envelope().result();
            for (int i = 0; i < batch.size(); i++) {
                out.add(i < result.size() ? RecordResult.read(from + i, result.get(i))
                        : new RecordResult(from + i, java.util.Optional.empty(), "unknown", List.of()));
            }
        }
        return results.finish(out);
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
