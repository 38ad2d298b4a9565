package dev.mkto.server.http;

import java.time.InstantSource;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Marketo-shaped request ids, {@code <hex>#<hex>}: an opaque counter, then epoch milliseconds. */
public final class RequestIds {

    private final InstantSource clock;
    private final AtomicInteger counter = new AtomicInteger(ThreadLocalRandom.current().nextInt());

    public RequestIds(InstantSource clock) {
        this.clock = clock;
    }

    public String next() {
        int n = 0x10000 | (counter.getAndIncrement() & 0xffff);
        return Integer.toHexString(n).substring(1) + "#" + Long.toHexString(clock.millis());
    }
}
