package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.mkto.client.testing.ServerAdmin;
import dev.mkto.client.testing.ServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Activities, static lists, campaigns and usage statistics against a real mkto-server over HTTP:
 * paging tokens and polling, per-lead list results, campaign requests in batches of 100,
 * the statistics of this test's own API user, and refusals (603, 1003, 1004, 1013) as values.
 */
class LeadDatabaseTest {

    private static final int NEW_LEAD = 12;
    private static final int ADD_TO_LIST = 24;
    private static final int REMOVE_FROM_LIST = 25;
    private static final int REQUEST_CAMPAIGN = 47;
    private static final long NO_SUCH_LEAD = 987_654_321L;

    private static ServerProcess server;
    /** Reads and writes leads and reads activities in a workspace of its own, so it sees only the activities of its leads. */
    private static ServerAdmin.Service tracker;
    private static MarketoClient activities;
    /** Works in the Default workspace: leads, activities, campaigns. */
    private static ServerAdmin.Service operator;
    private static MarketoClient client;
    private static long newsletter;
    private static long webinar;
    private static long welcome;
    private static long nurture;
    private static long dormant;
    private static long manual;

    @BeforeAll
    static void start() {
        server = ServerProcess.start();
        ServerAdmin admin = server.admin();
        // the class makes about a hundred calls within seconds; Marketo's rate window is not what it tests
        admin.instance(Map.of("limits", Map.of("rateCalls", 1000)));
        admin.partition("Tracking");
        admin.workspace("Tracking", "Tracking");
        tracker = admin.serviceIn("Tracking", "Read-Write Lead", "Read-Only Activity");
        activities = TestClients.client(server, tracker);
        operator = admin.serviceWith("Read-Write Lead", "Read-Only Activity", "Read-Only Campaign", "Execute Campaign");
        client = TestClients.client(server, operator);
        newsletter = admin.staticList("Newsletter", "Monthly newsletter", "Default");
        webinar = admin.staticList("Webinar", "Webinar attendees", "Default");
        welcome = admin.campaign("Welcome", "trigger", "Default", true, true);
        nurture = admin.campaign("Nurture", "batch", "Default", false, true);
        dormant = admin.campaign("Dormant", "trigger", "Default", true, false);
        manual = admin.campaign("Manual", "trigger", "Default", false, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<Map<String, Object>> leads(String prefix, int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> lead = new LinkedHashMap<>();
            lead.put("email", prefix + "-" + i + "@example.com");
            lead.put("firstName", "Lead" + i);
            out.add(lead);
        }
        return out;
    }

    /**
     * Now, strictly after every activity recorded so far: activity dates are compared in whole
     * milliseconds, so one recorded in the current millisecond would still count as "since now".
     */
    private static Instant afterEverythingSoFar() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Instant.now();
    }

    /** Syncs new leads and returns their ids, in input order. */
    private static List<Long> created(MarketoClient c, String prefix, int n) {
        ApiResult<List<RecordResult>> r = c.leads().sync(leads(prefix, n));
        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.orElseThrow()).hasSize(n).allSatisfy(x -> assertThat(x.status()).isEqualTo("created"));
        return r.orElseThrow().stream().map(x -> x.id().orElseThrow()).toList();
    }

    // ---- activities

    @Test
    void activitiesSinceWhen650LeadsCreatedThenEveryPageIsFollowedAndPollGoesOnFromTheReturnedToken() {
        Instant before = afterEverythingSoFar();
        ApiResult<List<RecordResult>> synced = activities.leads().sync(leads("act", 650));
        assertThat(synced.success()).as("%s", synced).isTrue();
        List<Long> ids = synced.orElseThrow().stream().map(x -> x.id().orElseThrow()).toList();

        ApiResult<Activities.Batch> r = activities.activities().since(before, List.of(NEW_LEAD));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.requestIds()).hasSize(4).doesNotHaveDuplicates(); // the paging token, then pages of 300, 300 and 50
        assertThat(r.moreResult()).isFalse();
        List<Activities.Activity> read = r.orElseThrow().activities();
        assertThat(read).hasSize(650);
        assertThat(read).extracting(Activities.Activity::leadId).containsExactlyElementsOf(ids);
        assertThat(read).extracting(Activities.Activity::marketoGuid).doesNotHaveDuplicates();
        assertThat(read).allSatisfy(a -> {
            assertThat(a.activityTypeId()).isEqualTo(NEW_LEAD);
            assertThat(a.primaryAttributeValueId()).contains(a.leadId());
            assertThat(a.campaignId()).isEmpty();
            assertThat(a.attributes()).containsEntry("Source Type", "Web service API")
                    .containsEntry("Modifying User", tracker.userEmail())
                    .containsEntry("API Method Name", "syncLead");
            assertThat(synced.requestIds()).contains((String) a.attributes().get("Request Id"));
            Instant at = Instant.parse(a.activityDate());
            assertThat(at).isBetween(before.truncatedTo(ChronoUnit.SECONDS), Instant.now());
        });
        String token = r.orElseThrow().nextPageToken();
        assertThat(token).isNotBlank();

        // nothing happened since: no activity, and the same position to poll from
        ApiResult<Activities.Batch> none = activities.activities().poll(token, List.of(NEW_LEAD));
        assertThat(none.success()).as("%s", none).isTrue();
        assertThat(none.requestIds()).hasSize(1);
        assertThat(none.orElseThrow().activities()).isEmpty();
        assertThat(none.orElseThrow().nextPageToken()).isEqualTo(token);

        // leads of partitions the caller reads no activities in are absent, and its own are absent for others
        List<Long> elsewhere = created(client, "act-default", 2);
        ApiResult<Activities.Batch> stillNone = activities.activities().poll(token, List.of(NEW_LEAD));
        assertThat(stillNone.orElseThrow().activities()).isEmpty();
        assertThat(stillNone.orElseThrow().nextPageToken()).isEqualTo(token);
        assertThat(client.activities().since(before, List.of(NEW_LEAD)).orElseThrow().activities())
                .extracting(Activities.Activity::leadId).containsExactlyElementsOf(elsewhere);

        List<Long> later = created(activities, "act-later", 5);
        ApiResult<Activities.Batch> next = activities.activities().poll(none.orElseThrow().nextPageToken(), List.of(NEW_LEAD));
        assertThat(next.success()).as("%s", next).isTrue();
        assertThat(next.orElseThrow().activities()).extracting(Activities.Activity::leadId).containsExactlyElementsOf(later);
        assertThat(activities.activities().poll(next.orElseThrow().nextPageToken(), List.of(NEW_LEAD)).orElseThrow().activities()).isEmpty();

        // of two leads only
        String start = activities.activities().pagingToken(before).orElseThrow();
        ApiResult<Activities.Batch> two = activities.activities().poll(start, List.of(NEW_LEAD), List.of(ids.get(649), ids.get(0)));
        assertThat(two.orElseThrow().activities()).extracting(Activities.Activity::leadId).containsExactly(ids.get(0), ids.get(649));
    }

    @Test
    void activityPageWhenMoreThan300ThenOnePageOf300WithMoreResultAndTheTokenOfTheNextPage() {
        Instant before = afterEverythingSoFar();
        List<Long> ids = created(activities, "paged-act", 301);

        ApiResult<String> token = activities.activities().pagingToken(before);
        assertThat(token.success()).as("%s", token).isTrue();
        assertThat(token.orElseThrow()).isNotBlank();
        assertThat(token.requestIds()).hasSize(1);

        ApiResult<Activities.Batch> first = activities.activities().page(token.orElseThrow(), List.of(NEW_LEAD), List.of());
        assertThat(first.success()).as("%s", first).isTrue();
        assertThat(first.moreResult()).isTrue();
        assertThat(first.nextPageToken()).contains(first.orElseThrow().nextPageToken());
        assertThat(first.orElseThrow().activities()).extracting(Activities.Activity::leadId).containsExactlyElementsOf(ids.subList(0, 300));

        ApiResult<Activities.Batch> second = activities.activities().page(first.orElseThrow().nextPageToken(), List.of(NEW_LEAD), List.of());
        assertThat(second.moreResult()).isFalse();
        assertThat(second.orElseThrow().activities()).extracting(Activities.Activity::leadId).containsExactly(ids.get(300));

        // a moment after everything: nothing
        ApiResult<Activities.Batch> future = activities.activities().since(Instant.now().plus(Duration.ofMinutes(1)), List.of(NEW_LEAD));
        assertThat(future.success()).as("%s", future).isTrue();
        assertThat(future.orElseThrow().activities()).isEmpty();
    }

    @Test
    void activityTypesWhenListedThenMarketosStandardTypesWithTheirAttributes() {
        ApiResult<List<Activities.Type>> r = activities.activities().types();

        assertThat(r.success()).as("%s", r).isTrue();
        List<Activities.Type> types = r.orElseThrow();
        assertThat(types).extracting(Activities.Type::id).doesNotHaveDuplicates()
                .contains(1, 2, NEW_LEAD, 13, ADD_TO_LIST, REMOVE_FROM_LIST, 37, REQUEST_CAMPAIGN);
        Activities.Type newLead = types.stream().filter(t -> t.id() == NEW_LEAD).findFirst().orElseThrow();
        assertThat(newLead.name()).isEqualTo("New Lead");
        assertThat(newLead.description()).isEqualTo("New person");
        assertThat(newLead.primaryAttribute()).contains("Lead ID");
        assertThat(newLead.attributes()).containsEntry("Lead Source", "string").containsEntry("Source Type", "string")
                .containsEntry("Request Id", "string");
        Activities.Type request = types.stream().filter(t -> t.id() == REQUEST_CAMPAIGN).findFirst().orElseThrow();
        assertThat(request.name()).isEqualTo("Request Campaign");
        assertThat(request.primaryAttribute()).contains("Campaign ID");
        Activities.Type visit = types.stream().filter(t -> t.id() == 1).findFirst().orElseThrow();
        assertThat(visit.name()).isEqualTo("Visit Webpage");
        assertThat(visit.attributes()).containsEntry("Client IP Address", "string");
    }

    // ---- static lists

    @Test
    void listsWhenListedOrFetchedByIdThenTheirFieldsAndAMissingOneIsEmpty() {
        ApiResult<List<StaticLists.StaticList>> all = client.lists().all();

        assertThat(all.success()).as("%s", all).isTrue();
        assertThat(all.requestIds()).hasSize(1);
        assertThat(all.orElseThrow()).extracting(StaticLists.StaticList::id, StaticLists.StaticList::name,
                        StaticLists.StaticList::description, StaticLists.StaticList::workspaceName)
                .containsExactly(tuple(newsletter, "Newsletter", "Monthly newsletter", "Default"),
                        tuple(webinar, "Webinar", "Webinar attendees", "Default"));
        assertThat(all.orElseThrow()).allSatisfy(l -> {
            assertThat(Instant.parse(l.createdAt())).isBeforeOrEqualTo(Instant.now());
            assertThat(l.updatedAt()).isNotEmpty();
        });

        ApiResult<Optional<StaticLists.StaticList>> one = client.lists().byId(webinar);
        assertThat(one.orElseThrow()).map(StaticLists.StaticList::name).contains("Webinar");

        ApiResult<Optional<StaticLists.StaticList>> missing = client.lists().byId(999_999);
        assertThat(missing.success()).as("%s", missing).isTrue();
        assertThat(missing.orElseThrow()).isEmpty();

        // the lists of the Default workspace are not the tracker's: it holds lead permissions in Tracking only
        assertThat(activities.lists().all().orElseThrow()).isEmpty();
        assertThat(activities.lists().byId(newsletter).orElseThrow()).isEmpty();
    }

    @Test
    void listMembersWhenAddedCheckedAndRemovedThenAResultPerLeadAndEveryMemberPagedOnce() {
        List<Long> ids = created(client, "member", 350);
        long elsewhere = created(activities, "other-partition", 1).get(0); // a lead the operator cannot see
        List<Long> adding = new ArrayList<>(ids);
        adding.add(NO_SUCH_LEAD);
        adding.add(elsewhere);

        ApiResult<List<RecordResult>> added = client.lists().add(newsletter, adding);

        assertThat(added.success()).as("%s", added).isTrue();
        assertThat(added.requestIds()).hasSize(2); // 300, then 52
        List<RecordResult> results = added.orElseThrow();
        assertThat(results).hasSize(352);
        assertThat(results.subList(0, 350)).allSatisfy(x -> assertThat(x.status()).isEqualTo("added"));
        assertThat(results.subList(0, 350)).extracting(x -> x.id().orElseThrow()).containsExactlyElementsOf(ids);
        assertThat(results).extracting(RecordResult::index).containsExactlyElementsOf(IntStream.range(0, 352).boxed().toList());
        for (RecordResult skipped : results.subList(350, 352)) {
            assertThat(skipped.status()).isEqualTo("skipped");
            assertThat(skipped.succeeded()).isFalse();
            assertThat(skipped.reasons()).containsExactly(new MarketoError("1004", "Lead not found"));
        }
        assertThat(results.get(350).id()).contains(NO_SUCH_LEAD);
        assertThat(results.get(351).id()).contains(elsewhere);

        ApiResult<List<Lead>> members = client.lists().members(newsletter);
        assertThat(members.success()).as("%s", members).isTrue();
        assertThat(members.requestIds()).hasSize(2); // pages of 300 and 50
        assertThat(members.orElseThrow()).extracting(Lead::id).containsExactlyElementsOf(ids);
        assertThat(members.orElseThrow().get(0).string("email")).contains("member-0@example.com");
        assertThat(members.orElseThrow().get(0).string("firstName")).contains("Lead0");

        ApiResult<List<Lead>> emails = client.lists().members(newsletter, List.of("email"));
        assertThat(emails.orElseThrow()).hasSize(350).allSatisfy(l -> assertThat(l.fields()).containsOnlyKeys("id", "email"));

        ApiResult<List<RecordResult>> member = client.lists().contains(newsletter, List.of(ids.get(0), NO_SUCH_LEAD, ids.get(349)));
        assertThat(member.orElseThrow()).extracting(RecordResult::status).containsExactly("memberof", "skipped", "memberof");
        assertThat(member.orElseThrow().get(1).reasons()).extracting(MarketoError::code).containsExactly("1004");
        assertThat(client.lists().contains(webinar, List.of(ids.get(0))).orElseThrow())
                .extracting(RecordResult::status).containsExactly("notmemberof");

        ApiResult<List<RecordResult>> removed = client.lists().remove(newsletter, List.of(ids.get(0), ids.get(1), NO_SUCH_LEAD, ids.get(1)));
        assertThat(removed.success()).as("%s", removed).isTrue();
        assertThat(removed.orElseThrow()).extracting(RecordResult::status).containsExactly("removed", "removed", "skipped", "skipped");
        assertThat(removed.orElseThrow().get(2).reasons()).extracting(MarketoError::code).containsExactly("1004");
        assertThat(removed.orElseThrow().get(3).reasons()).extracting(MarketoError::code).containsExactly("1015");
        assertThat(client.lists().members(newsletter).orElseThrow()).extracting(Lead::id).containsExactlyElementsOf(ids.subList(2, 350));

        // adding a member again is "added" and changes nothing
        assertThat(client.lists().add(newsletter, List.of(ids.get(2))).orElseThrow()).extracting(RecordResult::status).containsExactly("added");
        assertThat(client.lists().members(newsletter).orElseThrow()).hasSize(348);
    }

    @Test
    void listChangesWhenTheListIsUnknownThenMarketos1013ForTheWholeCallAsAValue() {
        List<Long> ids = created(client, "no-list", 2);

        ApiResult<List<RecordResult>> r = client.lists().add(999_999, ids);

        assertThat(r.success()).isFalse();
        assertThat(r.error()).map(MarketoError::code).contains("1013");
        assertThat(r.requestIds()).hasSize(1);
        assertThat(r.value().orElseThrow()).extracting(RecordResult::status).containsExactly("failed", "failed");
        assertThat(r.value().orElseThrow()).allSatisfy(x -> assertThat(x.reasons()).extracting(MarketoError::code).containsExactly("1013"));

        ApiResult<List<Lead>> members = client.lists().members(999_999);
        assertThat(members.success()).isFalse();
        assertThat(members.error()).map(MarketoError::code).contains("1013");
    }

    // ---- campaigns

    @Test
    void campaignsWhenListedOrFetchedByIdThenTheirFields() {
        ApiResult<List<Campaigns.Campaign>> all = client.campaigns().all();

        assertThat(all.success()).as("%s", all).isTrue();
        assertThat(all.orElseThrow()).extracting(Campaigns.Campaign::id, Campaigns.Campaign::name, Campaigns.Campaign::type,
                        Campaigns.Campaign::active, Campaigns.Campaign::workspaceName)
                .containsExactly(tuple(welcome, "Welcome", "trigger", true, "Default"), tuple(nurture, "Nurture", "batch", true, "Default"),
                        tuple(dormant, "Dormant", "trigger", false, "Default"), tuple(manual, "Manual", "trigger", true, "Default"));
        assertThat(all.orElseThrow()).allSatisfy(c -> {
            assertThat(c.programId()).isEmpty();
            assertThat(Instant.parse(c.createdAt())).isBeforeOrEqualTo(Instant.now());
        });

        assertThat(client.campaigns().byId(nurture).orElseThrow()).map(Campaigns.Campaign::type).contains("batch");
        ApiResult<Optional<Campaigns.Campaign>> missing = client.campaigns().byId(999_999);
        assertThat(missing.success()).as("%s", missing).isTrue();
        assertThat(missing.orElseThrow()).isEmpty();
    }

    @Test
    void campaignRequestWhen150LeadsWithTokensThenTwoRequestsAndARequestCampaignActivityPerLead() {
        List<Long> ids = created(client, "welcome", 150);
        String token = client.activities().pagingToken(afterEverythingSoFar()).orElseThrow();

        // the tokens reach the server: a name that is not {{my.…}} is refused, and nothing is requested
        ApiResult<Integer> badToken = client.campaigns().request(welcome, ids, Map.of("Offer", "20% off"));
        assertThat(badToken.success()).isFalse();
        assertThat(badToken.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("1003");
            assertThat(e.message()).contains("'Offer'");
        });
        assertThat(badToken.value()).contains(0);

        ApiResult<Integer> r = client.campaigns().request(welcome, ids, Map.of("{{my.Offer}}", "20% off", "{{my.Sender}}", "Ada"));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.orElseThrow()).isEqualTo(150);
        assertThat(r.requestIds()).hasSize(2).doesNotHaveDuplicates();
        ApiResult<Activities.Batch> requested = client.activities().poll(token, List.of(REQUEST_CAMPAIGN));
        assertThat(requested.orElseThrow().activities()).extracting(Activities.Activity::leadId).containsExactlyElementsOf(ids);
        assertThat(requested.orElseThrow().activities()).allSatisfy(a -> {
            assertThat(a.campaignId()).contains(welcome);
            assertThat(a.primaryAttributeValueId()).contains(welcome);
            assertThat(a.primaryAttributeValue()).contains("Welcome");
            assertThat(a.attributes()).containsEntry("Source", "Web Service API").containsEntry("Modifying User", operator.userEmail());
        });
    }

    @Test
    void campaignRequestWhenALeadIdIsGivenTwiceThenItIsRequestedOnceAndCountedOnce() {
        List<Long> ids = created(client, "twice", 100);
        String token = client.activities().pagingToken(afterEverythingSoFar()).orElseThrow();
        List<Long> withRepeats = new ArrayList<>(ids);
        withRepeats.add(ids.get(0));
        withRepeats.add(ids.get(99));

        ApiResult<Integer> r = client.campaigns().request(welcome, withRepeats);

        assertThat(r.orElseThrow()).isEqualTo(100);
        assertThat(r.requestIds()).hasSize(1); // 102 ids given, 100 leads: one request
        ApiResult<Activities.Batch> requested = client.activities().poll(token, List.of(REQUEST_CAMPAIGN));
        assertThat(requested.orElseThrow().activities()).extracting(Activities.Activity::leadId).containsExactlyElementsOf(ids);
    }

    @Test
    void campaignRequestWhenALeadOfTheSecondHundredIsUnknownThenTheValueCountsTheFirstHundredAndTheErrorIs1004() {
        List<Long> ids = new ArrayList<>(created(client, "partly", 150));
        ids.set(120, NO_SUCH_LEAD);
        String token = client.activities().pagingToken(afterEverythingSoFar()).orElseThrow();

        ApiResult<Integer> r = client.campaigns().request(welcome, ids);

        assertThat(r.success()).isFalse();
        assertThat(r.value()).contains(100);
        assertThat(r.requestIds()).hasSize(2);
        assertThat(r.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("1004");
            assertThat(e.message()).contains(Long.toString(NO_SUCH_LEAD));
        });
        assertThat(client.activities().poll(token, List.of(REQUEST_CAMPAIGN)).orElseThrow().activities())
                .extracting(Activities.Activity::leadId).containsExactlyElementsOf(ids.subList(0, 100));
    }

    @Test
    void campaignRequestWhenTheCampaignCannotBeRequestedThenMarketosErrorAsAFailureValue() {
        List<Long> ids = created(client, "refused", 2);

        for (long campaign : List.of(dormant, manual, nurture)) {
            ApiResult<Integer> r = client.campaigns().request(campaign, ids);
            assertThat(r.success()).as("campaign %s: %s", campaign, r).isFalse();
            assertThat(r.error()).as("campaign %s", campaign).map(MarketoError::code).contains("1003");
            assertThat(r.value()).contains(0);
            assertThat(r.requestIds()).hasSize(1);
        }

        ApiResult<Integer> unknown = client.campaigns().request(999_999, ids);
        assertThat(unknown.success()).isFalse();
        assertThat(unknown.error()).map(MarketoError::code).contains("1013");
    }

    @Test
    void campaignScheduleWhenABatchCampaignThenItsIdAndOtherwiseMarketosErrorAsAValue() {
        ApiResult<Long> later = client.campaigns().schedule(nurture, Instant.now().plus(Duration.ofHours(1)));
        assertThat(later.success()).as("%s", later).isTrue();
        assertThat(later.orElseThrow()).isEqualTo(nurture);
        assertThat(later.requestIds()).hasSize(1);

        ApiResult<Long> soon = client.campaigns().schedule(nurture, null, Map.of("{{my.Subject}}", "Hello"), null);
        assertThat(soon.orElseThrow()).isEqualTo(nurture);

        ApiResult<Long> cloned = client.campaigns().schedule(nurture, null, Map.of(), "Nurture copy");
        assertThat(cloned.orElseThrow()).isEqualTo(nurture);

        // at most 20 clones a day: this test's first and 19 more, then 1020
        for (int i = 2; i <= 20; i++) {
            ApiResult<Long> clone = client.campaigns().schedule(nurture, null, Map.of(), "Nurture copy " + i);
            assertThat(clone.success()).as("clone %s: %s", i, clone).isTrue();
        }
        ApiResult<Long> tooMany = client.campaigns().schedule(nurture, null, Map.of(), "Nurture copy 21");
        assertThat(tooMany.success()).isFalse();
        assertThat(tooMany.error()).map(MarketoError::code).contains("1020");
        assertThat(client.campaigns().schedule(nurture, null).orElseThrow()).isEqualTo(nurture); // without a clone it still schedules

        ApiResult<Long> trigger = client.campaigns().schedule(welcome, null);
        assertThat(trigger.success()).isFalse();
        assertThat(trigger.error()).map(MarketoError::code).contains("1003");
        assertThat(trigger.value()).isEmpty();

        ApiResult<Long> tooFar = client.campaigns().schedule(nurture, Instant.now().plus(Duration.ofDays(3 * 366)));
        assertThat(tooFar.success()).isFalse();
        assertThat(tooFar.error()).map(MarketoError::code).contains("1042");

        ApiResult<Long> badToken = client.campaigns().schedule(nurture, null, Map.of("Subject", "Hello"), null);
        assertThat(badToken.success()).isFalse();
        assertThat(badToken.error()).map(MarketoError::code).contains("1003");
    }

    // ---- usage statistics

    @Test
    void usageWhenThisUserMadeCallsThenTodayCountsThemAndErrorsCountTheRefusedOnesByCode() {
        ServerAdmin.Service counted = server.admin().serviceWith("Read-Write Lead", "Read-Only Campaign");
        MarketoClient c = TestClients.client(server, counted);
        LocalDate today = LocalDate.now(ZoneId.of("America/Chicago"));
        Map<String, Long> errorsBefore = todaysErrors(c, today);

        assertThat(c.lists().all().success()).isTrue();
        assertThat(c.campaigns().byId(welcome).success()).isTrue();
        assertThat(c.activities().types().error()).map(MarketoError::code).contains("603");
        assertThat(c.lists().contains(999_999, List.of(1L)).error()).map(MarketoError::code).contains("1013");

        ApiResult<List<Stats.DailyUsage>> usage = c.stats().usage();

        assertThat(usage.success()).as("%s", usage).isTrue();
        Stats.DailyUsage day = usage.orElseThrow().get(0);
        assertThat(usage.orElseThrow()).hasSize(1);
        assertThat(day.date()).isEqualTo(today);
        // the two answered calls, the 603 and the 1013 count (the errors() call above was made before them and counts too)
        assertThat(day.users()).containsEntry(counted.userEmail(), 5L);
        assertThat(day.total()).isEqualTo(day.users().values().stream().mapToLong(Long::longValue).sum());

        Map<String, Long> errorsAfter = todaysErrors(c, today);
        Map<String, Long> added = new LinkedHashMap<>();
        errorsAfter.forEach((code, n) -> {
            long delta = n - errorsBefore.getOrDefault(code, 0L);
            if (delta != 0) {
                added.put(code, delta);
            }
        });
        assertThat(added).containsExactlyInAnyOrderEntriesOf(Map.of("603", 1L, "1013", 1L, "total", 2L));

        assertThat(c.stats().usage().orElseThrow().get(0).users()).containsEntry(counted.userEmail(), 7L);

        // seven days, oldest first, ending today; today as above plus the usage() call
        ApiResult<List<Stats.DailyUsage>> week = c.stats().usageLast7Days();
        assertThat(week.orElseThrow()).extracting(Stats.DailyUsage::date)
                .containsExactlyElementsOf(IntStream.rangeClosed(0, 6).mapToObj(i -> today.minusDays(6 - i)).toList());
        assertThat(week.orElseThrow().get(6).users()).containsEntry(counted.userEmail(), 8L);
        assertThat(week.orElseThrow().subList(0, 6)).allSatisfy(d -> assertThat(d.users()).doesNotContainKey(counted.userEmail()));
        ApiResult<List<Stats.DailyErrors>> errorWeek = c.stats().errorsLast7Days();
        assertThat(errorWeek.orElseThrow()).extracting(Stats.DailyErrors::date).containsExactlyElementsOf(
                IntStream.rangeClosed(0, 6).mapToObj(i -> today.minusDays(6 - i)).toList());
        assertThat(errorWeek.orElseThrow().get(6).errors()).containsEntry("603", errorsAfter.get("603")).containsEntry("1013", errorsAfter.get("1013"));
    }

    /** Today's errors per code, and their total under "total". */
    private static Map<String, Long> todaysErrors(MarketoClient c, LocalDate today) {
        ApiResult<List<Stats.DailyErrors>> r = c.stats().errors();
        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.orElseThrow()).hasSize(1);
        Stats.DailyErrors day = r.orElseThrow().get(0);
        assertThat(day.date()).isEqualTo(today);
        assertThat(day.total()).isEqualTo(day.errors().values().stream().mapToLong(Long::longValue).sum());
        Map<String, Long> out = new LinkedHashMap<>(day.errors());
        out.put("total", day.total());
        return out;
    }

    // ---- permissions

    @Test
    void callsWhenTheRoleLacksThePermissionThen603AsAFailureValueNotAnException() {
        MarketoClient leadsOnly = TestClients.client(server, server.admin().serviceWith("Read-Write Lead"));

        ApiResult<String> token = leadsOnly.activities().pagingToken(Instant.now());
        assertThat(token.success()).isFalse();
        assertThat(token.error()).map(MarketoError::code).contains("603");
        assertThat(token.value()).isEmpty();

        ApiResult<Activities.Batch> since = leadsOnly.activities().since(Instant.now(), List.of(NEW_LEAD));
        assertThat(since.success()).isFalse();
        assertThat(since.error()).hasValue(new MarketoError("603", "Access denied"));
        assertThat(since.requestIds()).hasSize(1);

        assertThat(leadsOnly.activities().types().error()).map(MarketoError::code).contains("603");
        assertThat(leadsOnly.campaigns().all().error()).map(MarketoError::code).contains("603");

        // reading campaigns is not requesting them
        MarketoClient reader = TestClients.client(server, server.admin().serviceWith("Read-Only Campaign", "Read-Only Lead"));
        List<Long> ids = created(client, "denied", 1);
        assertThat(reader.campaigns().byId(welcome).orElseThrow()).isPresent();
        ApiResult<Integer> request = reader.campaigns().request(welcome, ids);
        assertThat(request.success()).isFalse();
        assertThat(request.error()).map(MarketoError::code).contains("603");
        assertThat(request.value()).contains(0);
        assertThat(reader.campaigns().schedule(nurture, null).error()).map(MarketoError::code).contains("603");

        // Read-Only Lead reads lists and tests membership, but does not change them
        assertThat(reader.lists().members(newsletter).success()).isTrue();
        assertThat(reader.lists().contains(webinar, ids).orElseThrow()).extracting(RecordResult::status).containsExactly("notmemberof");
        ApiResult<List<RecordResult>> add = reader.lists().add(webinar, ids);
        assertThat(add.success()).isFalse();
        assertThat(add.error()).map(MarketoError::code).contains("603");
        assertThat(add.value().orElseThrow()).extracting(RecordResult::status).containsExactly("failed");

        // statistics need no permission
        ApiResult<List<Stats.DailyUsage>> usage = leadsOnly.stats().usage();
        assertThat(usage.success()).as("%s", usage).isTrue();
    }
}
