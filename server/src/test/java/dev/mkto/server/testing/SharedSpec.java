package dev.mkto.server.testing;

import dev.mkto.server.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;

/**
 * Reads Adobe's reference files from {@code ../shared/spec} (beside the project; the build passes
 * its location as {@code mkto.shared.dir}). They are never copied into the project. Where the
 * directory is absent, tests that need it are skipped with a message saying so.
 */
public final class SharedSpec {

    private static final Map<String, JsonNode> JSON = new ConcurrentHashMap<>();

    private SharedSpec() {
    }

    public static Path file(String name) {
        String dir = System.getProperty("mkto.shared.dir", "../../shared");
        Path p = Path.of(dir, "spec", name).normalize();
        Assumptions.assumeTrue(Files.isReadable(p),
                () -> "skipped: " + p.toAbsolutePath() + " is absent (the ../shared/spec reference files sit beside the project in CI)");
        return p;
    }

    public static JsonNode json(String name) {
        return JSON.computeIfAbsent(name, n -> {
            try {
                return Json.MAPPER.readTree(Files.readAllBytes(file(n)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** One row of endpoint-permissions.csv. */
    public record EndpointRow(String name, String group, String method, String uri, String permission) {
        public boolean hasMethod(String m) {
            return method.equals(m) || method.equals("GET or POST") && (m.equals("GET") || m.equals("POST"));
        }
    }

    public static List<EndpointRow> endpointPermissions() {
        try {
            List<String> lines = Files.readAllLines(file("endpoint-permissions.csv"));
            List<EndpointRow> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = csv(line);
                rows.add(new EndpointRow(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4)));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Path templates compared without parameter names: {@code /lead/{id}.json} = {@code /lead/{leadId}.json}. */
    public static String shape(String template) {
        return template.replaceAll("\\{[^}]*}", "{}");
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
