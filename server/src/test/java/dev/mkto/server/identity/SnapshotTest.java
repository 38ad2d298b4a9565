package dev.mkto.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    private final AtomicInteger reads = new AtomicInteger();

    @Test
    void getWhenNothingChangedThenReadOnceAndKept() {
        Snapshot<String> s = new Snapshot<>(() -> "read " + reads.incrementAndGet());
        assertThat(s.get()).isEqualTo("read 1");
        assertThat(s.get()).isEqualTo("read 1");
        assertThat(reads).hasValue(1);
    }

    @Test
    void getWhenChangedThenReadAgain() {
        Snapshot<String> s = new Snapshot<>(() -> "read " + reads.incrementAndGet());
        s.get();
        s.changed();
        assertThat(s.get()).isEqualTo("read 2");
        assertThat(s.get()).isEqualTo("read 2");
    }

    @Test
    void getWhenAChangeHappensDuringTheReadThenThatReadServesItsCallerButTheNextGetReadsAgain() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Snapshot<String> s = new Snapshot<>(() -> {
            int n = reads.incrementAndGet();
            if (n == 1) {
                reading.countDown();
                await(release);
            }
            return "read " + n;
        });
        CompletableFuture<String> first = CompletableFuture.supplyAsync(s::get);
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        s.changed(); // while the first read is in progress: what it read may predate this change
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("read 1");
        assertThat(s.get()).isEqualTo("read 2");
        assertThat(s.get()).isEqualTo("read 2");
    }

    @Test
    void getWhenManyCallersAtOnceThenOneRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Snapshot<String> s = new Snapshot<>(() -> {
            await(release);
            return "read " + reads.incrementAndGet();
        });
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> callers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                callers.add(pool.submit(s::get));
            }
            release.countDown();
            for (Future<String> c : callers) {
                assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo("read 1");
            }
        }
        assertThat(reads).hasValue(1);
    }

    /** Waits for {@code latch}, failing the test after 10 s. */
    static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
