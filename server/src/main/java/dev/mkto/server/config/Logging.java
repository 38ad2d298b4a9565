package dev.mkto.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.helidon.logging.common.spi.LoggingProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's logging, set up in code (found through {@code ServiceLoader}): one line per event
 * on standard error, {@code HH:mm:ss.SSS LEVEL logger - message}, INFO and above, the libraries'
 * chatter from WARN. Parsing an XML configuration cost start-up half a second. A file named by
 * {@code -Dlogback.configurationFile=…} still takes over.
 */
public final class Logging extends ContextAwareBase implements Configurator {

    private static final AtomicBoolean JUL_ROUTED = new AtomicBoolean();

    /**
     * Sends java.util.logging (Helidon logs through it) to SLF4J, per {@code logging.properties}
     * on the class path, once; a file named by {@code -Djava.util.logging.config.file=…} takes over.
     */
    public static void routeJavaUtilLogging() {
        if (System.getProperty("java.util.logging.config.file") != null || !JUL_ROUTED.compareAndSet(false, true)) {
            return;
        }
        try (InputStream properties = Logging.class.getResourceAsStream("/logging.properties")) {
            java.util.logging.LogManager.getLogManager().readConfiguration(properties);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read logging.properties from the server's jar", e);
        }
    }

    /**
     * Helidon's logging hook (found through {@code ServiceLoader}; Helidon complains on standard
     * error when it finds none): routes java.util.logging, unless {@code Main} already did.
     */
    public static final class Helidon implements LoggingProvider {

        @Override
        public void initialization() {
            routeJavaUtilLogging();
        }

        @Override
        public void runTime() {
            routeJavaUtilLogging();
        }
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Line line = new Line();
        line.setContext(context);
        line.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(line);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        for (String chatty : new String[] {"io.helidon", "com.zaxxer.hikari", "org.jdbi"}) {
            context.getLogger(chatty).setLevel(Level.WARN);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code 12:34:56.789 WARN  d.m.s.usage.Usage - message}, then the stack trace when there is one. */
    static final class Line extends EncoderBase<ILoggingEvent> {

        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
        private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(24);

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            StringBuilder s = new StringBuilder(128)
                    .append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ')
                    .append(String.format("%-5s", event.getLevel())).append(' ')
                    .append(abbreviator.abbreviate(event.getLoggerName())).append(" - ")
                    .append(event.getFormattedMessage()).append(System.lineSeparator());
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                s.append(ThrowableProxyUtil.asString(thrown)).append(System.lineSeparator());
            }
            return s.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }
}
