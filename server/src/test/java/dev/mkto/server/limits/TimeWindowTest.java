package dev.mkto.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rate window's ring of admission times: order, growth across the wrap, expiry and refunds. */
class TimeWindowTest {

    @Test
    void keepsTimesInOrderAndDropsTheExpiredOnes() {
        TimeWindow w = new TimeWindow();
        for (long t = 1; t <= 5; t++) {
            w.add(t * 10);
        }
        w.dropUpTo(20);
        assertThat(w.size()).isEqualTo(3);
        assertThat(w).hasToString("[30, 40, 50]");
        w.dropUpTo(100);
        assertThat(w.size()).isZero();
        assertThat(w).hasToString("[]");
    }

    @Test
    void growsWhenTheRingHasWrapped() {
        TimeWindow w = new TimeWindow();
        for (long t = 0; t < 50; t++) {
            w.add(t);
        }
        w.dropUpTo(39); // head now well inside the ring
        for (long t = 50; t < 200; t++) {
            w.add(t); // wraps, then grows twice
        }
        assertThat(w.size()).isEqualTo(160);
        StringBuilder expected = new StringBuilder("[");
        for (long t = 40; t < 200; t++) {
            expected.append(t == 40 ? "" : ", ").append(t);
        }
        assertThat(w).hasToString(expected.append(']').toString());
    }

    @Test
    void aRefundTakesOutTheNewestOccurrenceOnly() {
        TimeWindow w = new TimeWindow();
        for (long t : new long[] {5, 7, 7, 9}) {
            w.add(t);
        }
        assertThat(w.removeNewest(7)).isTrue();
        assertThat(w).hasToString("[5, 7, 9]");
        assertThat(w.removeNewest(8)).isFalse();
        assertThat(w).hasToString("[5, 7, 9]");
        assertThat(w.removeNewest(9)).isTrue();
        assertThat(w.removeNewest(5)).isTrue();
        assertThat(w).hasToString("[7]");
    }

    @Test
    void behavesAsTheDequeItReplacedUnderARandomMix() {
        Random random = new Random(7);
        TimeWindow w = new TimeWindow();
        ArrayDeque<Long> reference = new ArrayDeque<>();
        long now = 0;
        for (int step = 0; step < 100_000; step++) {
            now += random.nextInt(3);
            switch (random.nextInt(10)) {
                case 0, 1, 2, 3, 4, 5 -> {
                    w.add(now);
                    reference.addLast(now);
                }
                case 6, 7 -> {
                    long cutoff = now - random.nextInt(400);
                    w.dropUpTo(cutoff);
                    while (!reference.isEmpty() && reference.peekFirst() <= cutoff) {
                        reference.pollFirst();
                    }
                }
                default -> {
                    long refunded = now - random.nextInt(20);
                    assertThat(w.removeNewest(refunded)).isEqualTo(reference.removeLastOccurrence(refunded));
                }
            }
            assertThat(w.size()).isEqualTo(reference.size());
        }
        assertThat(w).hasToString(reference.toString());
    }
}
