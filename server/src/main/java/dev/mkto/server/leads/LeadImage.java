package dev.mkto.server.leads;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The committed leads of a database this process has to itself (embedded H2), one compact record
 * per lead by id, so that a read by id answers from memory: H2 answers a point read by decoding
 * the whole page of rows that holds it, and at a million leads nearly every such page has to be
 * read again.
 *
 * <p>Only what was committed enters: what a read outside any transaction found, and a lead
 * inserted, once its transaction has committed. A change of a lead removes its record after the
 * change commits. Each record is written under a stamp that its writer noted before reading or
 * inserting, and every removal moves the stamp, so a record read before a change cannot be written
 * after that change's removal. Records take at most {@code maxBytes}; beyond that, reads of the
 * leads not held go to the database.
 *
 * <p>A record: the instance and partition ids, then each standard field with a value (its index
 * in {@link LeadSchema#STANDARD}, then the value), a 0, then each custom value (field id, text).
 * Numbers are variable-length, texts UTF-8 with their length.
 */
final class LeadImage {

    private static final int CHUNK_BITS = 14;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MAX_CHUNKS = 1 << 17; // ids up to 2^31: identities beyond are read from the database
    private static final int STRIPES = 1024;
    private static final int OVERHEAD = 16; // an array's header, counted with each record
    private static final int TYPICAL = 128; // bytes of a record with a handful of values
    private static final int PARTITION = LeadSchema.STANDARD.indexOf(
            LeadSchema.STANDARD.stream().filter(f -> "partition_id".equals(f.column())).findFirst().orElseThrow());

    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);
    private final Object[] locks = new Object[STRIPES];
    private volatile AtomicReferenceArray<byte[]>[] chunks;

    @SuppressWarnings("unchecked")
    LeadImage(long maxBytes) {
        this.maxBytes = maxBytes;
        this.chunks = new AtomicReferenceArray[0];
        Arrays.setAll(locks, i -> new Object());
    }

    /** The record of lead {@code id}, or null. */
    byte[] get(long id) {
        AtomicReferenceArray<byte[]>[] c = chunks;
        long chunk = (id - 1) >>> CHUNK_BITS;
        if (id < 1 || chunk >= c.length || c[(int) chunk] == null) {
            return null;
        }
        return c[(int) chunk].get((int) ((id - 1) & (CHUNK - 1)));
    }

    /** What a writer of lead {@code id}'s record notes before reading or inserting it. */
    long stamp(long id) {
        return stamps.get(stripe(id));
    }

    /** Whether records are still taken (reading whole leads to fill the image would be wasted otherwise). */
    boolean hasRoom() {
        return hasRoom(TYPICAL);
    }

    private boolean hasRoom(int size) {
        return bytes.get() + size + OVERHEAD <= maxBytes;
    }

    /** Holds {@code record} for lead {@code id} unless the lead was changed since {@code stamp} was noted, or there is no room. */
    void put(long id, long stamp, byte[] record) {
        if (id < 1 || !hasRoom(record.length)) {
            return;
        }
        int stripe = stripe(id);
        synchronized (locks[stripe]) {
            AtomicReferenceArray<byte[]> slot = stamps.get(stripe) == stamp ? slot(id, true) : null;
            if (slot != null) {
                account(slot.getAndSet(slotIndex(id), record), record);
            }
        }
    }

    /** Drops lead {@code id}'s record: it was changed or deleted (called once the change has committed). */
    void remove(long id) {
        int stripe = stripe(id);
        synchronized (locks[stripe]) {
            stamps.incrementAndGet(stripe);
            AtomicReferenceArray<byte[]> slot = slot(id, false);
            if (slot != null) {
                account(slot.getAndSet(slotIndex(id), null), null);
            }
        }
    }

    /** Bytes the records take (with their arrays' headers). */
    long bytes() {
        return bytes.get();
    }

    private void account(byte[] before, byte[] after) {
        long delta = (after == null ? 0 : after.length + OVERHEAD) - (before == null ? 0 : before.length + OVERHEAD);
        if (delta != 0) {
            bytes.addAndGet(delta);
        }
    }

    private static int stripe(long id) {
        return (int) (id & (STRIPES - 1));
    }

    private static int slotIndex(long id) {
        return (int) ((id - 1) & (CHUNK - 1));
    }

    private AtomicReferenceArray<byte[]> slot(long id, boolean create) {
        long chunk = (id - 1) >>> CHUNK_BITS;
        AtomicReferenceArray<byte[]>[] c = chunks;
        if (chunk < c.length && c[(int) chunk] != null) {
            return c[(int) chunk];
        }
        if (!create || chunk >= MAX_CHUNKS) {
            return null;
        }
        synchronized (this) {
            c = chunks;
            if (chunk >= c.length) {
                c = Arrays.copyOf(c, (int) Math.max(chunk + 1, c.length * 2L));
            }
            if (c[(int) chunk] == null) {
                c[(int) chunk] = new AtomicReferenceArray<>(CHUNK);
            }
            chunks = c;
            return c[(int) chunk];
        }
    }

    /**
     * The record of a lead as the database holds it: {@code values} by field name, typed as a read
     * of the row gives them (standard fields; id and partition come from the arguments), and its
     * custom values as the text stored.
     */
    static byte[] record(long instance, long partition, Map<String, Object> values, Map<Long, String> custom) {
        Writer w = new Writer();
        w.number(instance);
        w.number(partition);
        List<LeadField> standard = LeadSchema.STANDARD;
        for (int i = 1; i < standard.size(); i++) {
            LeadField f = standard.get(i);
            Object v = i == PARTITION ? null : values.get(f.name());
            if (v == null) {
                continue;
            }
            w.number(i);
            switch (f.type()) {
                case INTEGER -> w.signed(((Number) v).longValue());
                case FLOAT, CURRENCY -> w.fixed(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOLEAN -> w.number((Boolean) v ? 1 : 0);
                case DATETIME -> w.signed(((Instant) v).toEpochMilli());
                default -> w.text((String) v);
            }
        }
        w.number(0);
        for (Map.Entry<Long, String> e : custom.entrySet()) {
            w.number(e.getKey());
            w.text(e.getValue());
        }
        return w.bytes();
    }

    /**
     * The lead a record holds, with the values of {@code fields}, as {@link LeadRepository#byIds}
     * reads it; null if it is not in {@code instance} or in none of {@code partitions}.
     */
    static LeadRepository.Lead read(byte[] record, long id, long instance, long[] partitions, List<LeadField> fields) {
        Reader r = new Reader(record);
        if (r.number() != instance) {
            return null;
        }
        long partition = r.number();
        boolean visible = false;
        for (long p : partitions) {
            visible |= p == partition;
        }
        if (!visible) {
            return null;
        }
        Map<String, Object> values = HashMap.newHashMap(fields.size());
        boolean[] wanted = new boolean[LeadSchema.STANDARD.size()];
        boolean custom = false;
        for (LeadField f : fields) {
            if (f.custom()) {
                custom = true;
            } else {
                int i = f.id() - 1; // standard fields' ids are their catalog positions, from 1
                wanted[i] = true;
                if (i == 0) {
                    values.put(f.name(), id);
                } else if (i == PARTITION) {
                    values.put(f.name(), partition);
                }
            }
        }
        for (int i = (int) r.number(); i != 0; i = (int) r.number()) {
            LeadField f = LeadSchema.STANDARD.get(i);
            Object v = switch (f.type()) {
                case INTEGER -> r.signed();
                case FLOAT, CURRENCY -> Double.longBitsToDouble(r.fixed());
                case BOOLEAN -> r.number() == 1;
                case DATETIME -> Instant.ofEpochMilli(r.signed());
                default -> r.text();
            };
            if (wanted[i]) {
                values.put(f.name(), v);
            }
        }
        if (custom) {
            while (r.more()) {
                long fieldId = r.number();
                String text = r.text();
                for (LeadField f : fields) {
                    if (f.custom() && f.customFieldId() == fieldId) {
                        values.put(f.name(), f.type().fromText(text, null, null));
                    }
                }
            }
        }
        return new LeadRepository.Lead(id, partition, values);
    }

    /** Writes a record. */
    private static final class Writer {
        private byte[] buf = new byte[128];
        private int n;

        void number(long v) {
            while ((v & ~0x7FL) != 0) {
                room(1);
                buf[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            room(1);
            buf[n++] = (byte) v;
        }

        void signed(long v) {
            number((v << 1) ^ (v >> 63));
        }

        void fixed(long v) {
            room(8);
            for (int i = 0; i < 8; i++) {
                buf[n++] = (byte) (v >>> (8 * i));
            }
        }

        void text(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            number(utf8.length);
            room(utf8.length);
            System.arraycopy(utf8, 0, buf, n, utf8.length);
            n += utf8.length;
        }

        private void room(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, n);
        }
    }

    /** Reads a record. */
    private static final class Reader {
        private final byte[] buf;
        private int at;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        boolean more() {
            return at < buf.length;
        }

        long number() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = buf[at++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
        }

        long signed() {
            long v = number();
            return (v >>> 1) ^ -(v & 1);
        }

        long fixed() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v |= (long) (buf[at++] & 0xFF) << (8 * i);
            }
            return v;
        }

        String text() {
            int length = (int) number();
            String s = new String(buf, at, length, StandardCharsets.UTF_8);
            at += length;
            return s;
        }
    }
}
