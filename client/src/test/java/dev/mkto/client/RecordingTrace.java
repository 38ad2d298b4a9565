package dev.mkto.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts what a client decided: identity requests, refused tokens, retries and their reasons. */
final class RecordingTrace implements Trace {

    final AtomicInteger identityRequests = new AtomicInteger();
    final List<String> refusedTokens = new CopyOnWriteArrayList<>();
    final List<String> retryReasons = new CopyOnWriteArrayList<>();
    final List<Duration> retryDelays = new CopyOnWriteArrayList<>();
    final List<String> notSent = new CopyOnWriteArrayList<>();

    @Override
    public void identityRequested(URI tokenUrl) {
        identityRequests.incrementAndGet();
    }

    @Override
    public void tokenRefused(String code) {
        refusedTokens.add(code);
    }

    @Override
    public void retrying(String method, String path, String reason, int retry, Duration delay) {
        retryReasons.add(reason);
        retryDelays.add(delay);
    }

    @Override
    public void notSent(String method, String path, String reason) {
        notSent.add(reason);
    }

    long retries(String reason) {
        return retryReasons.stream().filter(reason::equals).count();
    }
}
