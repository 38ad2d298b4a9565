package dev.mkto.cli.leads;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Output;
import dev.mkto.cli.vault.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * How far an import got: the byte offset and row after the last batch Marketo fully answered,
 * with a fingerprint of the file up to there and of the options, the counts so far, and the
 * length of the rejects file at that point. Written atomically after every batch, so a crash
 * leaves the last one whole.
 *
 * @param prefixSha256 SHA-256 of the input's bytes before {@code offset}: a resume checks the file did not change
 * @param options      the mapping, lookup field, action and partition, as text: a resume must use the same
 */
record Checkpoint(String input, long offset, long row, String prefixSha256, String options, long batches, long sent, long created,
                  long updated, long rejected, String rejects, long rejectsLength) {

    /** Whether {@link #load} can read the file (false for a damaged one, or one of another version). */
    static boolean readable(Path file) {
        try {
            load(file);
            return true;
        } catch (CliException e) {
            return false;
        }
    }

    static Optional<Checkpoint> load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CliException.usage("cannot read the checkpoint " + file + ": " + e.getMessage());
        }
        JsonNode j = Output.tryParse(bytes);
        if (j == null || j.path("version").asInt() != 1) {
            throw CliException.usage("the checkpoint " + file + " is not one mkto can read; start the import over with --restart");
        }
        return Optional.of(new Checkpoint(j.path("input").asString(""), j.path("offset").asLong(), j.path("row").asLong(),
                j.path("prefixSha256").asString(""), j.path("options").asString(""), j.path("batches").asLong(), j.path("sent").asLong(),
                j.path("created").asLong(), j.path("updated").asLong(), j.path("rejected").asLong(), j.path("rejects").asString(""),
                j.path("rejectsLength").asLong()));
    }

    void save(Path file) throws IOException {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("version", 1);
        m.put("input", input);
        m.put("offset", offset);
        m.put("row", row);
        m.put("prefixSha256", prefixSha256);
        m.put("options", options);
        m.put("batches", batches);
        m.put("sent", sent);
        m.put("created", created);
        m.put("updated", updated);
        m.put("rejected", rejected);
        m.put("rejects", rejects);
        m.put("rejectsLength", rejectsLength);
        AtomicFiles.write(file, (Output.pretty(m) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
