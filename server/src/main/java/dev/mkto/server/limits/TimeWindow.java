package dev.mkto.server.limits;

import java.util.Arrays;

/**
 * The admission times of the calls in a rate window, oldest first, in a ring of primitive longs.
 * A boxed time per call lived as long as the window (20 s): at thousands of calls a second those
 * objects were most of what every young collection had to copy, again and again.
 */
final class TimeWindow {

    private long[] times = new long[64];
    private int head; // index of the oldest time
    private int size;

    int size() {
        return size;
    }

    void add(long time) {
        if (size == times.length) {
            grow();
        }
        times[(head + size) % times.length] = time;
        size++;
    }

    /** Drops the times at or before {@code oldestKept}. */
    void dropUpTo(long oldestKept) {
        while (size > 0 && times[head] <= oldestKept) {
            head = (head + 1) % times.length;
            size--;
        }
    }

    /** Takes out the newest occurrence of {@code time} (a refunded call); false when there is none. */
    boolean removeNewest(long time) {
        for (int i = size - 1; i >= 0; i--) {
            if (times[(head + i) % times.length] == time) {
                for (int j = i; j < size - 1; j++) {
                    times[(head + j) % times.length] = times[(head + j + 1) % times.length];
                }
                size--;
                return true;
            }
        }
        return false;
    }

    private void grow() {
        long[] bigger = new long[times.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = times[(head + i) % times.length];
        }
        times = bigger;
        head = 0;
    }

    @Override
    public String toString() {
        long[] inOrder = new long[size];
        for (int i = 0; i < size; i++) {
            inOrder[i] = times[(head + i) % times.length];
        }
        return Arrays.toString(inOrder);
    }
}
