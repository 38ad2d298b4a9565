package dev.mkto.client;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;

/** The default {@link Trace}: the client's decisions at DEBUG on {@code System.Logger} "dev.mkto.client" (never a secret or a token). */
final class LoggingTrace implements Trace {

    static final LoggingTrace INSTANCE = new LoggingTrace();

    private static final System.Logger LOG = System.getLogger("dev.mkto.client");

    private LoggingTrace() {
    }

    @Override
    public void identityRequested(URI tokenUrl) {
        LOG.log(Level.DEBUG, () -> "requesting an access token from " + tokenUrl);
    }

    @Override
    public void tokenRefused(String code) {
        LOG.log(Level.DEBUG, () -> "access token refused (" + code + "): fetching a new one and repeating the call");
    }

    @Override
    public void retrying(String method, String path, String reason, int retry, Duration delay) {
        LOG.log(Level.DEBUG, () -> method + " " + path + " answered " + reason + "; retry " + retry + " in " + delay.toMillis() + " ms");
    }

    @Override
    public void notSent(String method, String path, String reason) {
        LOG.log(Level.DEBUG, () -> method + " " + path + " not sent: " + reason + " still holds");
    }
}
