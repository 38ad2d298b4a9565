package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The leads API against a real mkto-server: batching by 300, paging, per-record results, failures as values. */
class LeadsTest {

    private static ServerProcess server;
    private static ServerAdmin.Service readWrite;
    private static MarketoClient client;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
        server.admin().field("cohort", "integer");
        server.admin().field("segment", "string");
        server.admin().field("notes", "text");
        readWrite = server.admin().serviceWith("Read-Write Lead");
        client = TestClients.client(server, readWrite);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<Map<String, Object>> leads(String prefix, int n, Integer cohort) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> lead = new LinkedHashMap<>();
            lead.put("email", prefix + "-" + i + "@example.com");
            lead.put("firstName", "Lead" + i);
            if (cohort != null) {
                lead.put("cohort", cohort);
            }
            out.add(lead);
        }
        return out;
    }

    @Test
    void syncWhen1200LeadsThenFourRequestsOfAtMost300AndOneResultPerRecordInInputOrder() {
        ApiResult<List<RecordResult>> r = client.leads().sync(leads("bulk", 1200, null));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.requestIds()).hasSize(4).doesNotHaveDuplicates();
        List<RecordResult> results = r.orElseThrow();
        assertThat(results).hasSize(1200);
        assertThat(results).allSatisfy(x -> {
            assertThat(x.status()).isEqualTo("created");
            assertThat(x.id()).isPresent();
            assertThat(x.succeeded()).isTrue();
        });
        assertThat(results).extracting(RecordResult::index).containsExactlyElementsOf(IntStream.range(0, 1200).boxed().toList());

        ApiResult<List<Lead>> found = client.leads().query("email", List.of("bulk-0@example.com", "bulk-1199@example.com"), List.of("email", "firstName"));
        assertThat(found.orElseThrow()).extracting(l -> l.string("firstName").orElseThrow()).containsExactlyInAnyOrder("Lead0", "Lead1199");
        assertThat(found.orElseThrow()).extracting(Lead::id)
                .containsExactlyInAnyOrder(results.get(0).id().orElseThrow(), results.get(1199).id().orElseThrow());
    }

    @Test
    void queryWhen1200EmailsThenValuesSentInBatchesOf300AndEveryLeadReturnedOnce() {
        client.leads().sync(leads("many", 1200, null)).orElseThrow();
        List<String> emails = new ArrayList<>();
        IntStream.range(0, 1200).forEach(i -> emails.add("many-" + i + "@example.com"));
        emails.add("many-7@example.com"); // a repeated value is asked once

        ApiResult<List<Lead>> r = client.leads().query("email", emails, List.of("email"));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.requestIds()).hasSize(4);
        assertThat(r.orElseThrow()).hasSize(1200).extracting(l -> l.string("email").orElseThrow()).doesNotHaveDuplicates();
    }

    @Test
    void queryWhenFilterMatchesMoreThanAPageThenEveryPageFollowed() {
        client.leads().sync(leads("paged", 900, 7)).orElseThrow();

        ApiResult<List<Lead>> r = client.leads().query("cohort", List.of(7), List.of("email", "cohort"));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.requestIds()).hasSize(3); // 900 matches in pages of 300
        assertThat(r.orElseThrow()).hasSize(900).extracting(Lead::id).doesNotHaveDuplicates();
        assertThat(r.orElseThrow()).allSatisfy(l -> assertThat(l.get("cohort")).contains(7L));
    }

    @Test
    void queryWhenMoreThan1000LeadsMatchThenFailureValueWith1003() {
        client.leads().sync(leads("crowd", 1001, 8)).orElseThrow();

        ApiResult<List<Lead>> r = client.leads().query("cohort", List.of(8));

        assertThat(r.success()).isFalse();
        assertThat(r.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("1003");
            assertThat(e.message()).contains("Too many results");
        });
        assertThat(r.requestId()).isPresent();
        assertThat(r.value()).contains(List.of());
    }

    @Test
    void queryWhenValuesMakeTheUriLongerThan8KbThenSentAsPostWithMethodGet() {
        List<Map<String, Object>> records = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String email = "a-rather-long-local-part-for-testing-uri-limits-" + i + "@subdomain.example.com";
            emails.add(email);
            records.add(Map.of("email", email));
        }
        client.leads().sync(records).orElseThrow();
        assertThat(String.join(",", emails).length()).isGreaterThan(8 * 1024);

        ApiResult<List<Lead>> r = client.leads().query("email", emails, List.of("email"));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.orElseThrow()).hasSize(300);
    }

    @Test
    void queryWhenAValueHoldsACommaThenRefusedBeforeAnyRequestInsteadOfMatchingItsParts() {
        client.leads().sync(List.of(Map.of("email", "comma-1@example.com", "segment", "Acme, Inc."),
                Map.of("email", "comma-2@example.com", "segment", "Acme"))).orElseThrow();

        // Marketo splits filterValues at commas: sent as is, the value would find the lead of "Acme", not the one of "Acme, Inc."
        assertThatThrownBy(() -> client.leads().query("segment", List.of("Acme, Inc."), List.of("email")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comma");
        assertThat(client.leads().query("segment", List.of("Acme"), List.of("email")).orElseThrow())
                .extracting(l -> l.string("email").orElseThrow()).containsExactly("comma-2@example.com");
    }

    @Test
    void syncWhen300RecordsMakeABodyOver1MbThenSentAsSmallerRequestsAndEveryRecordApplied() {
        String notes = "n".repeat(4_000);
        List<Map<String, Object>> records = leads("heavy", 300, null);
        records.forEach(r -> r.put("notes", notes));

        ApiResult<List<RecordResult>> r = client.leads().sync(records);

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.requestIds()).hasSize(2);
        assertThat(r.orElseThrow()).hasSize(300).allSatisfy(x -> assertThat(x.status()).isEqualTo("created"));
        assertThat(r.orElseThrow()).extracting(RecordResult::index).containsExactlyElementsOf(IntStream.range(0, 300).boxed().toList());
        ApiResult<List<Lead>> last = client.leads().query("email", List.of("heavy-299@example.com"), List.of("notes"));
        assertThat(last.orElseThrow()).singleElement().satisfies(l -> assertThat(l.string("notes")).contains(notes));
    }

    @Test
    void syncWhenOneRecordAloneIsOver1MbThenItIsSkippedWith413AndTheOthersApplied() {
        List<Map<String, Object>> records = leads("huge", 3, null);
        records.get(1).put("notes", "h".repeat(1_100_000));

        ApiResult<List<RecordResult>> r = client.leads().sync(records);

        assertThat(r.success()).as("%s", r).isTrue();
        List<RecordResult> results = r.orElseThrow();
        assertThat(results).extracting(RecordResult::status).containsExactly("created", "skipped", "created");
        assertThat(results).extracting(RecordResult::index).containsExactly(0, 1, 2);
        assertThat(results.get(1).reasons()).extracting(MarketoError::code).containsExactly("413");
        assertThat(results.get(1).reasons().get(0).message()).contains("1 MB").contains("not sent");
        assertThat(client.leads().query("email", List.of("huge-0@example.com", "huge-1@example.com", "huge-2@example.com"),
                List.of("email")).orElseThrow()).extracting(l -> l.string("email").orElseThrow())
                .containsExactlyInAnyOrder("huge-0@example.com", "huge-2@example.com");
    }

    @Test
    void syncWhenSomeRecordsCannotBeAppliedThenTheirReasonsAndTheOthersSucceed() {
        client.leads().sync(List.of(Map.of("email", "exists@example.com"))).orElseThrow();

        ApiResult<List<RecordResult>> r = client.leads().sync(List.of(
                Map.of("email", "exists@example.com"),
                Map.of("email", "new-one@example.com"),
                Map.of("email", "bad@example.com", "noSuchField", "x")), Leads.SyncAction.CREATE_ONLY);

        assertThat(r.success()).isTrue();
        List<RecordResult> results = r.orElseThrow();
        assertThat(results.get(0).status()).isEqualTo("skipped");
        assertThat(results.get(0).reasons()).extracting(MarketoError::code).containsExactly("1005");
        assertThat(results.get(0).reasons().get(0).meaning()).contains("already exists");
        assertThat(results.get(1).status()).isEqualTo("created");
        assertThat(results.get(2).status()).isEqualTo("skipped");
        assertThat(results.get(2).reasons()).extracting(MarketoError::code).containsExactly("1006");
    }

    @Test
    void syncWhenTheFirstBatchIsRefusedThenItsRecordsFailAndLaterRecordsAreNotSent() {
        ServerAdmin.Service readOnly = server.admin().serviceWith("Read-Only Lead");
        MarketoClient reader = TestClients.client(server, readOnly);

        ApiResult<List<RecordResult>> r = reader.leads().sync(leads("refused", 400, null));

        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("603");
        assertThat(r.requestIds()).hasSize(1);
        List<RecordResult> results = r.value().orElseThrow();
        assertThat(results).hasSize(400);
        assertThat(results.subList(0, 300)).allSatisfy(x -> {
            assertThat(x.status()).isEqualTo("failed");
            assertThat(x.reasons()).extracting(MarketoError::code).containsExactly("603");
        });
        assertThat(results.subList(300, 400)).allSatisfy(x -> assertThat(x.status()).isEqualTo("notSent"));
        assertThat(results).noneMatch(RecordResult::succeeded);
    }

    @Test
    void getWhenLeadExistsThenItsFieldsAndWhenMissingThenEmpty() {
        long id = client.leads().sync(List.of(Map.of("email", "ada@example.com", "firstName", "Ada", "lastName", "Lovelace")))
                .orElseThrow().get(0).id().orElseThrow();

        Lead ada = client.leads().get(id, List.of("email", "lastName")).orElseThrow().orElseThrow();
        assertThat(ada.id()).isEqualTo(id);
        assertThat(ada.fields()).containsEntry("email", "ada@example.com").containsEntry("lastName", "Lovelace").doesNotContainKey("firstName");
        assertThat(client.leads().get(id).orElseThrow()).map(l -> l.string("firstName").orElseThrow()).contains("Ada");

        ApiResult<Optional<Lead>> missing = client.leads().get(987_654_321L);
        assertThat(missing.success()).isTrue();
        assertThat(missing.orElseThrow()).isEmpty();
    }

    @Test
    void deleteWhenIdsGivenThenDeletedPerIdAndUnknownIdsSkipped() {
        List<Long> ids = client.leads().sync(leads("gone", 2, null)).orElseThrow().stream().map(x -> x.id().orElseThrow()).toList();

        ApiResult<List<RecordResult>> r = client.leads().delete(List.of(ids.get(0), ids.get(1), 987_654_321L));

        assertThat(r.orElseThrow()).extracting(RecordResult::status).containsExactly("deleted", "deleted", "skipped");
        assertThat(r.orElseThrow().get(2).reasons()).extracting(MarketoError::code).containsExactly("1004");
        assertThat(client.leads().query("id", ids).orElseThrow()).isEmpty();
    }

    @Test
    void describeAndPartitionsWhenReadableThenFieldsAndDefaultPartition() {
        List<Leads.Field> fields = client.leads().describe().orElseThrow();
        assertThat(fields).anySatisfy(f -> {
            assertThat(f.name()).isEqualTo("email");
            assertThat(f.dataType()).isEqualTo("email");
        });
        assertThat(fields).anySatisfy(f -> assertThat(f.name()).isEqualTo("cohort"));
        assertThat(fields).anySatisfy(f -> {
            assertThat(f.name()).isEqualTo("createdAt");
            assertThat(f.readOnly()).isTrue();
        });

        assertThat(client.leads().partitions().orElseThrow()).extracting(Leads.Partition::name).contains("Default");
    }

    @Test
    void genericCallWhenAnyEndpointThenResultAsMapsAndErrorsAsValues() {
        ApiResult<List<Map<String, Object>>> partitions = client.get("/rest/v1/leads/partitions.json", Map.of());
        assertThat(partitions.orElseThrow()).anySatisfy(p -> assertThat(p).containsEntry("name", "Default"));

        ApiResult<List<Map<String, Object>>> missing = client.get("/rest/v1/no/such/thing.json", Map.of("x", 1));
        assertThat(missing.success()).isFalse();
        assertThat(missing.error()).map(MarketoError::code).contains("610");

        ApiResult<List<Map<String, Object>>> created = client.post("/rest/v1/leads.json", Map.of(),
                Map.of("action", "createOnly", "input", List.of(Map.of("email", "generic@example.com"))));
        assertThat(created.orElseThrow()).singleElement().satisfies(x -> assertThat(x).containsEntry("status", "created"));
    }

    @Test
    void callWhenBodyIsNotValidJsonThenMarketos609AsAValue() {
        ApiResult<List<Map<String, Object>>> r = client.call("POST", "/rest/v1/leads.json", Map.of(), "{not json", false);
        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("609");
        assertThat(r.error().orElseThrow().meaning()).contains("not valid JSON");
    }
}
