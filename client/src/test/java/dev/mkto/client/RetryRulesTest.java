package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mkto.client.StandIn.Reply;
import dev.mkto.client.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which answers are repeated, and which never are, on a local endpoint scripted with the answers
 * mkto-server cannot be made to give on demand. Back-offs go through a sleeper that only records.
 */
class RetryRulesTest {

    private final StandIn marketo = new StandIn();

    @AfterEach
    void stop() {
        marketo.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"604", "608", "611", "713"})
    void readWhenMarketoAnswersATransientErrorThenRepeatedAndSucceeds(String code) {
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error(code, "transient"),
                Reply.ok("[{\"id\":1,\"name\":\"Default\",\"description\":\"\"}]"));
        RecordingTrace trace = new RecordingTrace();

        ApiResult<List<Leads.Partition>> r = marketo.builder(trace).build().leads().partitions();

        assertThat(r.success()).isTrue();
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).hasSize(2);
        assertThat(trace.retryReasons).containsExactly(code);
        assertThat(trace.retryDelays.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"604", "608", "611", "713"})
    void campaignRequestWhenMarketoAnswersATransientErrorThenNotRepeatedSoNoEmailGoesTwice(String code) {
        marketo.script("POST /rest/v1/campaigns/42/trigger.json", Reply.error(code, "transient"));

        ApiResult<Integer> r = marketo.client().campaigns().request(42, List.of(1L, 2L));

        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains(code);
        assertThat(marketo.requests("/rest/v1/campaigns/42/trigger.json")).hasSize(1);
    }

    @Test
    void syncWhen611ThenRepeatedForCreateOrUpdateButNotForCreateOnly() {
        marketo.script("POST /rest/v1/leads.json", Reply.error("611", "System error"), Reply.ok("[{\"id\":1,\"status\":\"updated\"}]"),
                Reply.error("611", "System error"));
        MarketoClient client = marketo.client();

        assertThat(client.leads().sync(List.of(Map.of("email", "a@example.com"))).success()).isTrue();
        assertThat(marketo.requests("/rest/v1/leads.json")).hasSize(2);

        ApiResult<List<RecordResult>> createOnly = client.leads().sync(List.of(Map.of("email", "b@example.com")), Leads.SyncAction.CREATE_ONLY);
        assertThat(createOnly.success()).isFalse();
        assertThat(createOnly.value().orElseThrow()).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo("failed"));
        assertThat(marketo.requests("/rest/v1/leads.json")).hasSize(3);
    }

    @Test
    void readWhenTheConnectionDropsMidCallThenRepeated() {
        // twice: the JDK's HTTP client itself repeats a GET once when a pooled connection was closed under it
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.dropped(), Reply.dropped());
        RecordingTrace trace = new RecordingTrace();

        ApiResult<List<Leads.Partition>> r = marketo.builder(trace).build().leads().partitions();

        assertThat(r.success()).isTrue();
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).hasSize(3);
        assertThat(trace.retryReasons).isNotEmpty().allSatisfy(reason -> assertThat(reason).endsWith("Exception"));
    }

    @Test
    void campaignRequestWhenTheConnectionDropsMidCallThenTransportExceptionAndNotRepeated() {
        marketo.script("POST /rest/v1/campaigns/42/trigger.json", Reply.dropped());

        TransportException e = catchThrowableOfType(TransportException.class,
                () -> marketo.client().campaigns().request(42, List.of(1L)));

        assertThat(e.getMessage()).startsWith("POST " + marketo.endpoint() + "/v1/campaigns/42/trigger.json failed");
        assertThat(marketo.requests("/rest/v1/campaigns/42/trigger.json")).hasSize(1);
    }

    @Test
    void callWhenItsThreadIsInterruptedAwaitingTheAnswerThenNotRepeatedTheFlagStaysSetAndItsPlaceInFlightIsGivenBack() throws Exception {
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.ok("[]").after(Duration.ofSeconds(5)));
        MarketoClient client = marketo.builder(new RecordingTrace()).limits(new Limits(100, Duration.ofSeconds(20), 1)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                client.leads().partitions();
            } catch (RuntimeException e) {
                thrown.set(e);
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        while (marketo.requests("/rest/v1/leads/partitions.json").isEmpty()) {
            Thread.sleep(10);
        }

        caller.interrupt();
        caller.join(3000);

        assertThat(thrown.get()).isInstanceOf(TransportException.class).hasMessageEndingWith("was interrupted");
        assertThat(interrupted).isTrue();
        // one call in flight at most: the next call is only sent if the interrupted one gave its place back
        assertThat(client.leads().partitions().success()).isTrue();
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).hasSize(2);
    }

    @Test
    void syncWhenTheConnectionDropsOnALaterBatchThenEarlierResultsKeptAndThatBatchUnknownNotAnException() {
        StringBuilder created = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            created.append(i == 0 ? "" : ",").append("{\"id\":").append(i + 1).append(",\"status\":\"created\"}");
        }
        marketo.script("POST /rest/v1/leads.json", Reply.ok(created.append("]").toString()), Reply.dropped());
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            records.add(Map.of("email", "dup-" + i + "@example.com"));
        }

        ApiResult<List<RecordResult>> r = marketo.client().leads().sync(records, Leads.SyncAction.CREATE_DUPLICATE);

        // the first 300 leads exist: the caller must learn which, or repeating the call creates them twice
        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("no_answer");
        List<RecordResult> results = r.value().orElseThrow();
        assertThat(results).hasSize(700);
        assertThat(results.subList(0, 300)).allSatisfy(x -> assertThat(x.status()).isEqualTo("created"));
        assertThat(results.get(299).id()).contains(300L);
        assertThat(results.subList(300, 600)).allSatisfy(x -> {
            assertThat(x.status()).isEqualTo("unknown");
            assertThat(x.succeeded()).isFalse();
            assertThat(x.reasons()).extracting(MarketoError::code).containsExactly("no_answer");
        });
        assertThat(results.subList(600, 700)).allSatisfy(x -> assertThat(x.status()).isEqualTo("notSent"));
        assertThat(marketo.requests("/rest/v1/leads.json")).hasSize(2);
    }

    @Test
    void campaignRequestWhenTheConnectionDropsOnALaterBatchThenTheLeadsRequestedSoFarAndNotAnException() {
        marketo.script("POST /rest/v1/campaigns/42/trigger.json", Reply.ok("[{\"id\":42}]"), Reply.dropped());
        List<Long> leads = new ArrayList<>();
        for (long i = 1; i <= 250; i++) {
            leads.add(i);
        }

        ApiResult<Integer> r = marketo.client().campaigns().request(42, leads);

        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("no_answer");
        assertThat(r.value()).contains(100);
        assertThat(marketo.requests("/rest/v1/campaigns/42/trigger.json")).hasSize(2);
    }

    @Test
    void syncWhenTheAnswerHoldsFewerResultsThanRecordsThenTheMissingOnesAreUnknownNotSucceeded() {
        marketo.script("POST /rest/v1/leads.json", Reply.ok("[{\"id\":1,\"status\":\"created\"}]"));

        List<RecordResult> r = marketo.client().leads().sync(List.of(Map.of("email", "a@example.com"), Map.of("email", "b@example.com")))
                .orElseThrow();

        assertThat(r).extracting(RecordResult::status).containsExactly("created", "unknown");
        assertThat(r.get(1).succeeded()).isFalse();
    }

    @Test
    void callWhen606ThenTheWholeClientPausesBacksOffWithJitterAndRepeats() {
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("606", "Max rate limit '100' exceeded with in '20' secs"));
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        List<Duration> slept = new ArrayList<>();
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = marketo.builder(trace).clock(clock).sleeper(d -> {
            slept.add(d);
            clock.advance(d);
        }).build();

        assertThat(client.leads().partitions().success()).isTrue();

        assertThat(trace.retryReasons).containsExactly("606");
        Duration backoff = trace.retryDelays.get(0);
        assertThat(backoff).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        // the repeat waited out the back-off, and the limiter's pause (for every thread) ended with it
        assertThat(slept).first().isEqualTo(backoff);
        assertThat(slept.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(backoff);
    }

    @Test
    void callWhen615ThenBackedOffAndRepeated() {
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("615", "Concurrent access limit '10' reached"),
                Reply.error("615", "Concurrent access limit '10' reached"));
        RecordingTrace trace = new RecordingTrace();

        assertThat(marketo.builder(trace).build().leads().partitions().success()).isTrue();

        assertThat(trace.retryReasons).containsExactly("615", "615");
        assertThat(trace.retryDelays.get(0)).isBetween(Duration.ofMillis(125), Duration.ofMillis(250));
        assertThat(trace.retryDelays.get(1)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
    }

    @Test
    void callWhen606PersistsThenGivesUpAfterTheRetriesWithTheFailureAsAValue() {
        for (int i = 0; i < 10; i++) {
            marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("606", "Max rate limit '100' exceeded with in '20' secs"));
        }
        MarketoClient client = marketo.builder(new RecordingTrace()).retries(3).build();

        ApiResult<List<Leads.Partition>> r = client.leads().partitions();

        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("606");
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).hasSize(4);
    }

    @Test
    void callWhen607ThenNeverRepeatedAndTheResetIsMidnightInChicago() {
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("607", "Daily quota reached"));
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = marketo.builder(trace).clock(new MutableClock(Instant.parse("2026-07-01T04:30:00Z"))).build();

        ApiResult<List<Leads.Partition>> r = client.leads().partitions();

        assertThat(r.success()).isFalse();
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).hasSize(1);
        assertThat(trace.retryReasons).isEmpty();
        // 04:30Z on 1 July is 23:30 CDT on 30 June: the quota resets half an hour later
        assertThat(r.quotaResetsAt()).contains(Instant.parse("2026-07-01T05:00:00Z"));
        assertThat(catchThrowableOfType(ApiFailureException.class, r::orElseThrow).getMessage())
                .contains("607 Daily quota reached").contains("resets at 2026-07-01T05:00:00Z");
    }

    @Test
    void callWhen601ThenTheTokenIsReplacedOnceAndTheCallRepeatedWithTheNewToken() {
        String second = "11111111-2222-4333-8444-555555555555:st";
        marketo.script("POST /identity/oauth/token", StandIn.DEFAULT_TOKEN,
                Reply.json("{\"access_token\":\"" + second + "\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}"));
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("601", "Access token invalid"));
        RecordingTrace trace = new RecordingTrace();

        assertThat(marketo.builder(trace).build().leads().partitions().success()).isTrue();

        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).extracting(StandIn.Request::authorization)
                .containsExactly("Bearer " + StandIn.TOKEN, "Bearer " + second);
        assertThat(trace.refusedTokens).containsExactly("601");
        assertThat(trace.identityRequests).hasValue(2);
    }

    @Test
    void callWhen602AndIdentityStillHandsOutTheSameTokenThenWaitsForANewOneBeforeRepeating() {
        String fresh = "22222222-2222-4333-8444-555555555555:st";
        marketo.script("POST /identity/oauth/token", StandIn.DEFAULT_TOKEN,
                Reply.json("{\"access_token\":\"" + StandIn.TOKEN + "\",\"token_type\":\"bearer\",\"expires_in\":0,\"scope\":\"api@example.com\"}"),
                Reply.json("{\"access_token\":\"" + fresh + "\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}"));
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("602", "Access token expired"));
        List<Duration> slept = new ArrayList<>();
        MarketoClient client = marketo.builder(new RecordingTrace()).sleeper(slept::add).build();

        assertThat(client.leads().partitions().success()).isTrue();

        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).extracting(StandIn.Request::authorization)
                .containsExactly("Bearer " + StandIn.TOKEN, "Bearer " + fresh);
        assertThat(slept).contains(Duration.ofSeconds(1));
    }

    @Test
    void callWhenTheRepeatedCallIsRefusedAgainThenNoSecondReauthentication() {
        marketo.script("POST /identity/oauth/token", StandIn.DEFAULT_TOKEN,
                Reply.json("{\"access_token\":\"55555555-2222-4333-8444-555555555555:st\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}"));
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("601", "Access token invalid"), Reply.error("601", "Access token invalid"));
        RecordingTrace trace = new RecordingTrace();

        ApiResult<List<Leads.Partition>> r = marketo.builder(trace).build().leads().partitions();

        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("601");
        assertThat(trace.refusedTokens).containsExactly("601");
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).hasSize(2);
    }

    @Test
    void callWhen601AndIdentityKeepsHandingOutTheRefusedTokenThenNeverRepeatedWithIt() {
        // identity answers every request with the same token (the stand-in's default); the API refused it
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("601", "Access token invalid"));
        RecordingTrace trace = new RecordingTrace();

        ApiResult<List<Leads.Partition>> r = marketo.builder(trace).build().leads().partitions();

        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).as("the refused token is not sent again").hasSize(1);
        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("601");
        assertThat(trace.refusedTokens).containsExactly("601");
    }

    @Test
    void tokenWhenManyThreadsAreRefusedAndTheReauthenticationFailsThenOneIdentityRequestAnswersThemAll() throws Exception {
        String deactivated = "{\"error\":\"unauthorized\",\"error_description\":\"API-only user api@example.com is deactivated\"}";
        // the re-authentication is answered slowly, so every refused thread is waiting for it
        marketo.script("POST /identity/oauth/token", StandIn.DEFAULT_TOKEN, new Reply(401, deactivated, false).after(Duration.ofMillis(700)));
        marketo.script("GET /rest/v1/leads/partitions.json", Reply.ok("[]"));
        for (int i = 0; i < 8; i++) {
            marketo.script("POST /identity/oauth/token", new Reply(401, deactivated, false));
            marketo.script("GET /rest/v1/leads/partitions.json", Reply.error("601", "Access token invalid"));
        }
        RecordingTrace trace = new RecordingTrace();
        MarketoClient client = marketo.builder(trace).limits(Limits.unlimited()).build();
        assertThat(client.leads().partitions().success()).isTrue();

        List<ApiResult<List<Leads.Partition>>> results = TokensTest.runConcurrently(8, () -> client.leads().partitions());

        assertThat(results).allSatisfy(r -> assertThat(r.authenticationFailure()).map(AuthenticationFailure::errorDescription)
                .contains("API-only user api@example.com is deactivated"));
        assertThat(trace.identityRequests).as("the first token, then one re-authentication whose refusal the waiting threads share")
                .hasValue(2);
    }

    @Test
    void identityWhenItsRefusalEchoesTheSecretThenTheSecretIsNeverRepeated() {
        String echo = "{\"error\":\"invalid_request\",\"error_description\":\"unexpected parameters: client_secret=client-secret-1\"}";
        marketo.script("POST /identity/oauth/token", new Reply(400, echo, false), new Reply(400, echo, false));
        MarketoClient client = marketo.client();

        ApiResult<List<Leads.Partition>> r = client.leads().partitions();
        Diagnosis d = client.diagnose();

        assertThat(r.authenticationFailure()).map(AuthenticationFailure::error).contains("invalid_request");
        assertThat(r.authenticationFailure().orElseThrow().errorDescription()).contains("client_secret=").doesNotContain("client-secret-1");
        assertThat(r.toString()).doesNotContain("client-secret-1");
        assertThat(catchThrowableOfType(ApiFailureException.class, r::orElseThrow).getMessage()).doesNotContain("client-secret-1");
        assertThat(d.toString()).doesNotContain("client-secret-1");
    }

    @Test
    void tokenWhenIdentityReportsZeroSecondsLeftThenWaitsASecondAndAsksForTheNextToken() {
        String next = "33333333-2222-4333-8444-555555555555:st";
        marketo.script("POST /identity/oauth/token",
                Reply.json("{\"access_token\":\"" + StandIn.TOKEN + "\",\"token_type\":\"bearer\",\"expires_in\":0,\"scope\":\"api@example.com\"}"),
                Reply.json("{\"access_token\":\"" + next + "\",\"token_type\":\"bearer\",\"expires_in\":3600,\"scope\":\"api@example.com\"}"));
        List<Duration> slept = new ArrayList<>();

        assertThat(marketo.builder(new RecordingTrace()).sleeper(slept::add).build().leads().partitions().success()).isTrue();

        assertThat(slept).containsExactly(Duration.ofSeconds(1));
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).extracting(StandIn.Request::authorization).containsExactly("Bearer " + next);
    }

    @Test
    void tokenRequestWhenSentThenCredentialsTravelInAFormBodyNeverInTheUrl() {
        marketo.client().leads().partitions();

        StandIn.Request identity = marketo.requests("/identity/oauth/token").get(0);
        assertThat(identity.method()).isEqualTo("POST");
        assertThat(identity.query()).isEmpty();
        assertThat(identity.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(identity.body()).isEqualTo("grant_type=client_credentials&client_id=client-id-1&client_secret=client-secret-1");
        StandIn.Request call = marketo.requests("/rest/v1/leads/partitions.json").get(0);
        assertThat(call.authorization()).isEqualTo("Bearer " + StandIn.TOKEN);
        assertThat(call.query()).doesNotContain("access_token");
    }

    @Test
    void identityWhenItAnswersWithAServerErrorThenRepeatedAndWhenItPersistsAFailureValue() {
        for (int i = 0; i < 3; i++) {
            marketo.script("POST /identity/oauth/token", new Reply(503, "{\"error\":\"temporarily_unavailable\"}", false));
        }
        MarketoClient client = marketo.builder(new RecordingTrace()).retries(2).build();

        ApiResult<List<Leads.Partition>> r = client.leads().partitions();

        assertThat(r.success()).isFalse();
        assertThat(r.authenticationFailure()).map(AuthenticationFailure::httpStatus).contains(503);
        // a service failing, not a refusal of the credentials
        assertThat(catchThrowableOfType(ApiFailureException.class, r::orElseThrow).getMessage())
                .contains("the identity service failed (HTTP 503").doesNotContain("refused");
        assertThat(marketo.requests("/identity/oauth/token")).hasSize(3);
        assertThat(marketo.requests("/rest/v1/leads/partitions.json")).isEmpty();
    }
}
