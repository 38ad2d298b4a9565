package dev.mkto.server.leads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.config.ServerConfig;
import dev.mkto.server.store.Database;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leads read through the image are exactly the leads the database holds: after inserts, changes,
 * moves, deletes, rolled-back transactions, a fresh image that fills itself from the database, a
 * full image, and changes racing reads. Each answer is compared with the same read made in the
 * database (an H2 file, as the server opens it).
 */
class LeadImageTest {

    private static final long NOW = 1_780_000_000_123L;

    private Database db;
    private Jdbi jdbi;
    private long instance;
    private long otherInstance;
    private long partition;
    private long otherPartition;
    private List<LeadField> custom;
    private List<LeadField> all;
    private LeadImage image;
    private LeadRepository imaged;
    private LeadRepository plain;

    @BeforeEach
    void open(@TempDir Path dir) {
        db = Database.open(ServerConfig.defaultH2Url(dir), "", "", 4, InstantSource.system());
        jdbi = db.jdbi();
        instance = insert("INSERT INTO instance (munchkin_id, settings, created_at, updated_at) VALUES ('111-AAA-111', '{}', 0, 0)");
        otherInstance = insert("INSERT INTO instance (munchkin_id, settings, created_at, updated_at) VALUES ('222-BBB-222', '{}', 0, 0)");
        partition = insert("INSERT INTO lead_partition (instance_id, name, created_at, updated_at) VALUES (" + instance + ", 'Default', 0, 0)");
        otherPartition = insert("INSERT INTO lead_partition (instance_id, name, created_at, updated_at) VALUES (" + instance + ", 'Other', 0, 0)");
        custom = List.of(customField("shoeSize", FieldType.INTEGER), customField("colour", FieldType.STRING),
                customField("score", FieldType.FLOAT), customField("vip", FieldType.BOOLEAN), customField("met", FieldType.DATETIME));
        all = new ArrayList<>(LeadSchema.STANDARD);
        all.addAll(custom);
        image = new LeadImage(Long.MAX_VALUE);
        imaged = new LeadRepository(jdbi, image);
        plain = new LeadRepository(jdbi, (LeadImage) null);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private long insert(String sql) {
        return jdbi.withHandle(h -> h.createUpdate(sql).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    private LeadField customField(String name, FieldType type) {
        long id = insert("INSERT INTO lead_field (instance_id, name, display_name, data_type, created_at) VALUES (" + instance + ", '"
                + name + "', '" + name + "', '" + type.name().toLowerCase() + "', 0)");
        return new LeadField((int) (10_000 + id), name, name, type, null, null, id, true, true);
    }

    /** A lead with every writable standard field and every custom field set. */
    private static Map<String, Object> everything(int n) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (LeadField f : LeadSchema.STANDARD) {
            if (!f.updateable()) {
                continue;
            }
            v.put(f.name(), switch (f.type()) {
                case INTEGER -> n % 2 == 0 ? -(long) n * 1_000_003 : Integer.MAX_VALUE - n; // the columns are INT
                case FLOAT, CURRENCY -> n % 2 == 0 ? 0.1 * n : -1.5e300;
                case BOOLEAN -> n % 2 == 0;
                case DATE -> "1990-02-2" + (n % 9);
                case EMAIL -> "Lead" + n + "@Example.com";
                default -> f.name() + " " + n + " — Zoë 日本 🚀";
            });
        }
        v.put("shoeSize", (long) n);
        v.put("colour", "Vert émeraude " + n);
        v.put("score", 2.5 * n);
        v.put("vip", n % 3 == 0);
        v.put("met", java.time.Instant.ofEpochMilli(NOW - n * 1000L));
        return v;
    }

    private List<Long> insertLeads(LeadRepository repo, int count, long into) {
        List<LeadRepository.Lead> leads = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Map<String, Object> v = everything(n);
            if (n % 4 == 3) {
                v.keySet().retainAll(List.of("email", "firstName")); // mostly empty
            }
            leads.add(new LeadRepository.Lead(0, into, v));
        }
        return repo.insert(instance, leads, custom, NOW);
    }

    private void assertImageAsDatabase(List<Long> ids, long[] partitions) {
        Map<Long, LeadRepository.Lead> fromImage = imaged.committed(instance, partitions, ids, all);
        Map<Long, LeadRepository.Lead> fromDatabase = plain.byIds(instance, partitions, ids, all);
        assertThat(fromImage).isEqualTo(fromDatabase);
        assertThat(new ArrayList<>(fromImage.keySet())).isEqualTo(new ArrayList<>(fromDatabase.keySet()));
    }

    @Test
    void insertedLeadsAreHeldAndReadBackAsTheDatabaseHoldsThem() {
        List<Long> ids = insertLeads(imaged, 40, partition);
        assertThat(ids).allSatisfy(id -> assertThat(image.get(id)).as("held after the insert").isNotNull());
        assertImageAsDatabase(ids, new long[] {partition});
        assertThat(imaged.committed(instance, new long[] {partition}, ids, all).get(ids.getFirst()).values())
                .containsEntry("shoeSize", 0L).containsEntry("vip", true).containsEntry("updatedAt", java.time.Instant.ofEpochMilli(NOW));
        // a part of the fields, in another order, with ids repeated and unknown
        List<LeadField> some = List.of(LeadSchema.STANDARD.get(3), custom.get(1), LeadSchema.STANDARD.getFirst());
        List<Long> asked = List.of(ids.get(5), 9_999_999L, ids.get(2), ids.get(5));
        assertThat(imaged.committed(instance, new long[] {partition}, asked, some))
                .isEqualTo(plain.byIds(instance, new long[] {partition}, asked, some));
    }

    @Test
    void aFreshImageFillsItselfFromTheDatabase() {
        List<Long> ids = insertLeads(plain, 30, partition);
        assertThat(image.get(ids.getFirst())).as("written past the image").isNull();
        assertImageAsDatabase(ids, new long[] {partition});
        assertThat(ids).allSatisfy(id -> assertThat(image.get(id)).as("filled by the read").isNotNull());
        assertImageAsDatabase(ids, new long[] {partition});
    }

    @Test
    void leadsOutsideTheInstanceOrPartitionsAreNotAnswered() {
        List<Long> ids = insertLeads(imaged, 6, partition);
        assertThat(imaged.committed(otherInstance, new long[] {partition}, ids, all)).isEmpty();
        assertThat(imaged.committed(instance, new long[] {otherPartition}, ids, all)).isEmpty();
        assertThat(imaged.committed(instance, new long[] {}, ids, all)).isEmpty();
        assertImageAsDatabase(ids, new long[] {otherPartition, partition});
    }

    @Test
    void updatesMovesAndDeletesAreSeenOnceCommitted() {
        List<Long> ids = insertLeads(imaged, 8, partition);
        long[] both = {partition, otherPartition};
        Map<Long, LeadRepository.Lead> current = plain.byIds(instance, both, ids, all);
        List<LeadRepository.Lead> changed = new ArrayList<>();
        for (long id : ids.subList(0, 4)) {
            Map<String, Object> v = new HashMap<>(current.get(id).values());
            v.put("firstName", "Changed " + id);
            v.remove("lastName");
            v.put("colour", null); // a custom value cleared
            v.put("shoeSize", 44L);
            changed.add(new LeadRepository.Lead(id, partition, v));
        }
        jdbi.useTransaction(h -> imaged.update(changed, custom, NOW + 5));
        imaged.move(ids.get(5), otherPartition, NOW + 6);
        imaged.delete(instance, List.of(ids.get(6), ids.get(7)));
        assertImageAsDatabase(ids, both);
        assertImageAsDatabase(ids, new long[] {partition});
        assertThat(imaged.committed(instance, both, ids, all).get(ids.getFirst()).values())
                .containsEntry("firstName", "Changed " + ids.getFirst()).doesNotContainKeys("lastName", "colour").containsEntry("shoeSize", 44L);
        assertThat(imaged.committed(instance, both, ids, all)).doesNotContainKeys(ids.get(6), ids.get(7));
    }

    @Test
    void aRolledBackTransactionLeavesWhatWasCommitted() {
        List<Long> ids = insertLeads(imaged, 4, partition);
        long[] scope = {partition};
        Map<Long, LeadRepository.Lead> before = plain.byIds(instance, scope, ids, all);
        List<Long> insertedThenUndone = new ArrayList<>();
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            Map<String, Object> v = new HashMap<>(before.get(ids.getFirst()).values());
            v.put("firstName", "never committed");
            imaged.update(List.of(new LeadRepository.Lead(ids.getFirst(), partition, v)), custom, NOW + 1);
            imaged.delete(instance, List.of(ids.get(1)));
            insertedThenUndone.addAll(insertLeads(imaged, 2, partition));
            throw new IllegalStateException("undo");
        })).hasMessage("undo");
        assertThat(imaged.committed(instance, scope, ids, all)).isEqualTo(before);
        assertThat(insertedThenUndone).hasSize(2).allSatisfy(id -> assertThat(image.get(id)).isNull());
        assertThat(imaged.committed(instance, scope, insertedThenUndone, all)).isEmpty();
    }

    @Test
    void aReadMadeBeforeAChangeIsNotHeldAfterIt() {
        long id = insertLeads(plain, 1, partition).getFirst();
        byte[] old = LeadImage.record(instance, partition, Map.of("firstName", "old"), Map.of());
        long noted = image.stamp(id);
        image.remove(id); // a change of the lead committed meanwhile
        image.put(id, noted, old);
        assertThat(image.get(id)).isNull();
        image.put(id, image.stamp(id), old);
        assertThat(image.get(id)).isEqualTo(old);
    }

    @Test
    void aFullImageLeavesReadsToTheDatabase() {
        image = new LeadImage(2_000);
        imaged = new LeadRepository(jdbi, image);
        List<Long> ids = insertLeads(imaged, 50, partition);
        assertThat(image.bytes()).isPositive().isLessThanOrEqualTo(2_000);
        assertThat(ids).anySatisfy(id -> assertThat(image.get(id)).isNull());
        assertImageAsDatabase(ids, new long[] {partition});
        assertThat(image.bytes()).isLessThanOrEqualTo(2_000);
    }

    /** Updates of one lead race reads that fill the image; once they stop, the image answers the last committed values. */
    @Test
    void changesRacingReadsLeaveTheLastCommittedValues() throws Exception {
        List<Long> ids = insertLeads(plain, 4, partition);
        long[] scope = {partition, otherPartition};
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 20; round++) {
                AtomicBoolean writing = new AtomicBoolean(true);
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    readers.add(pool.submit(() -> {
                        while (writing.get()) {
                            imaged.committed(instance, scope, ids, all);
                        }
                    }));
                }
                int rnd = round;
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            long id = ids.get((i + writer) % ids.size());
                            int k = i;
                            jdbi.useTransaction(h -> {
                                LeadRepository.Lead l = imaged.byIds(instance, scope, List.of(id), all, true).get(id);
                                Map<String, Object> v = new HashMap<>(l.values());
                                v.put("firstName", "round " + rnd + " writer " + writer + " #" + k);
                                v.put("colour", "c" + k);
                                imaged.update(List.of(new LeadRepository.Lead(id, l.partitionId(), v)), custom, NOW + k);
                            });
                            if (k % 5 == 0) {
                                imaged.move(id, k % 10 == 0 ? otherPartition : partition, NOW + k);
                            }
                        }
                    }));
                }
                for (Future<?> f : writers) {
                    f.get();
                }
                writing.set(false);
                for (Future<?> f : readers) {
                    f.get();
                }
                assertImageAsDatabase(ids, scope);
                assertImageAsDatabase(ids, new long[] {partition});
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
