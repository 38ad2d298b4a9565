package dev.mkto.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
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

/**
 * The per-key caches of credentials and callers: a read that overlaps a change (a role removed, a
 * secret rotated, a service disabled) serves the caller that asked, but is never kept for later
 * callers, who would otherwise be served the state before the change until the next one.
 */
class KeyedSnapshotTest {

    private final AtomicInteger reads = new AtomicInteger();

    private KeyedSnapshot<String, String> snapshot(java.util.function.Function<String, String> read) {
        return new KeyedSnapshot<>(Caffeine.newBuilder().maximumSize(100).executor(Runnable::run), read);
    }

    @Test
    void getWhenNothingChangedThenReadOncePerKeyAndKept() {
        KeyedSnapshot<String, String> s = snapshot(k -> k + " read " + reads.incrementAndGet());
        assertThat(s.get("a")).isEqualTo("a read 1");
        assertThat(s.get("b")).isEqualTo("b read 2");
        assertThat(s.get("a")).isEqualTo("a read 1");
        assertThat(reads).hasValue(2);
    }

    @Test
    void getWhenChangedThenEveryKeyReadAgain() {
        KeyedSnapshot<String, String> s = snapshot(k -> k + " read " + reads.incrementAndGet());
        s.get("a");
        s.get("b");
        s.changed();
        assertThat(s.get("a")).isEqualTo("a read 3");
        assertThat(s.get("b")).isEqualTo("b read 4");
        assertThat(s.get("a")).isEqualTo("a read 3");
    }

    @Test
    void getWhenAChangeHappensDuringTheReadThenThatReadServesItsCallerButTheNextGetReadsAgain() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        KeyedSnapshot<String, String> s = snapshot(k -> {
            int n = reads.incrementAndGet();
            if (n == 1) {
                reading.countDown();
                SnapshotTest.await(release);
                return "before the change";
            }
            return "after the change";
        });
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> s.get("service 7"));
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        s.changed(); // while the first read is in progress: what it read may predate this change
        release.countDown();
        String servedToTheFirst = first.get(10, TimeUnit.SECONDS);
        assertThat(servedToTheFirst).isIn("before the change", "after the change");
        assertThat(s.get("service 7")).isEqualTo("after the change");
        assertThat(s.get("service 7")).isEqualTo("after the change");
    }

    @Test
    void getWhenManyCallersOfOneKeyAtOnceThenOneRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        KeyedSnapshot<String, String> s = snapshot(k -> {
            SnapshotTest.await(release);
            return "read " + reads.incrementAndGet();
        });
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> callers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                callers.add(pool.submit(() -> s.get("k")));
            }
            release.countDown();
            for (Future<String> c : callers) {
                assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo("read 1");
            }
        }
        assertThat(reads).hasValue(1);
    }
}
