package dev.mkto.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mkto.server.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a server process writes to standard error: only the server's own log lines. */
class LoggingTest {

    private static final Pattern LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR) \\S+ - .*");

    @Test
    void startAndStopWhenNothingGoesWrongThenStandardErrorHoldsOnlyFormattedLines(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("server.log");
        try (ServerProcess server = new ServerProcess(List.of("--port", "0", "--data-dir", dir.resolve("data").toString()), Map.of(), log)) {
            assertThat(server.api().get("/ping", null).text()).isEqualTo("pong");
        }
        List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).allSatisfy(l -> assertThat(l).matches(LINE));
    }

    @Test
    void javaUtilLoggingWhenRoutedThenGoesThroughSlf4jOnce() {
        Logging.routeJavaUtilLogging();
        Logging.routeJavaUtilLogging();
        new Logging.Helidon().initialization();
        List<String> handlers = List.of(java.util.logging.Logger.getLogger("").getHandlers()).stream()
                .map(h -> h.getClass().getName()).toList();
        // (a Helidon server started earlier in this JVM adds a handler of its own for its shutdown)
        assertThat(handlers).containsOnlyOnce("org.slf4j.bridge.SLF4JBridgeHandler").doesNotContain("java.util.logging.ConsoleHandler");
        assertThat(java.util.logging.Logger.getLogger("io.helidon.webserver").isLoggable(java.util.logging.Level.INFO)).isFalse();
        assertThat(java.util.logging.Logger.getLogger("io.helidon.webserver").isLoggable(java.util.logging.Level.WARNING)).isTrue();
    }
}
