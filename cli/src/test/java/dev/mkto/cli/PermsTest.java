package dev.mkto.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mkto.cli.perms.EndpointTable;
import dev.mkto.cli.perms.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code mkto perms explain|plan}, and the endpoint table held against Adobe's endpoint list. */
class PermsTest {

    private final Cli cli = Cli.fresh();

    @Test
    void explainWhenAConcretePathThenTheTemplateItsPermissionAndWhatSatisfiesIt() {
        Cli.Result r = cli.run("perms", "explain", "get", "https://123-ABC-456.mktorest.com/rest/v1/lead/42.json?fields=email", "--json");
        Cli.Result human = cli.run("perms", "explain", "POST", "/v1/leads.json");

        assertThat(r.code()).as("%s", r).isZero();
        JsonNode j = r.json();
        assertThat(j.path("template").asString()).isEqualTo("/rest/v1/lead/{id}.json");
        assertThat(j.path("permissions").toString()).isEqualTo("[\"Read-Only Lead\"]");
        assertThat(j.path("satisfiedBy").toString()).isEqualTo("[\"Access API\",\"Read-Only Lead\",\"Read-Write Lead\"]");
        assertThat(human.out()).contains("POST /rest/v1/leads.json").contains("needs Read-Write Lead");
    }

    @Test
    void explainWhenLiteralAndTemplatedPathsBothMatchThenTheLiteralOneWins() {
        JsonNode j = cli.run("perms", "explain", "GET", "/rest/v1/leads/describe.json", "--json").json();

        assertThat(j.path("name").asString()).containsIgnoringCase("describe");
    }

    @Test
    void explainWhenTheEndpointHasAlternativesOrNeedsNothingThenSaysSo() {
        Cli.Result trigger = cli.run("perms", "explain", "POST", "/rest/v1/campaigns/7/trigger.json");
        Cli.Result stats = cli.run("perms", "explain", "GET", "/rest/v1/stats/usage.json");
        Cli.Result unknown = cli.run("perms", "explain", "DELETE", "/rest/v1/leads.json");

        assertThat(trigger.out()).contains("needs Execute Campaign or Read-Write Campaign");
        assertThat(stats.out()).contains("needs no permission");
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("that path takes GET, POST");
    }

    @Test
    void planWhenReadsAndWritesOfTheSameObjectThenOnlyReadWriteAndReadOnlyWhereEnough() throws Exception {
        Path calls = Files.createTempFile("calls", ".txt");
        Files.writeString(calls, """
                # what the integration does
                GET /rest/v1/leads.json?filterType=email&filterValues=a@example.com
                POST /rest/v1/leads.json
                GET /rest/v1/activities.json
                GET /rest/v1/activities/pagingtoken.json
                127.0.0.1 - - [23/Nov/2026] "GET /rest/v1/lists/12/leads.json HTTP/1.1" 200
                POST /rest/v1/campaigns/3/trigger.json
                GET /rest/v1/stats/usage.json
                GET /rest/asset/v1/emails.json
                """);

        Cli.Result r = cli.run("perms", "plan", calls.toString(), "--json");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.json().path("permissions").toString())
                .isEqualTo("[\"Read-Only Activity\",\"Read-Only Assets\",\"Execute Campaign\",\"Read-Write Lead\"]");
        assertThat(r.json().path("noPermission").toString()).contains("stats/usage");
    }

    @Test
    void planWhenACallMatchesNoEndpointThenThePlanStillPrintsAndExit1() {
        Cli.Result r = cli.stdin("GET /rest/v1/leads.json\nGET /rest/v1/no/such/thing.json\n").run("perms", "plan", "-");

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).contains("Read-Only Lead");
        assertThat(r.err()).contains("no known Marketo endpoint: GET /rest/v1/no/such/thing.json");
    }

    @Test
    void planWhenTheCallsAlreadyNeedReadWriteAssetsThenApproveAssetsIsNotAdded() {
        Cli.Result r = cli.stdin("POST /rest/asset/v1/email/5/approveDraft.json\nPOST /rest/asset/v1/email/5/content.json\n")
                .run("perms", "plan", "-", "--json");

        assertThat(r.json().path("permissions").toString()).isEqualTo("[\"Read-Write Assets\"]");
    }

    /** Every endpoint of Adobe's list, with the permission it names (or one the table lists beside it for a documented disagreement). */
    @Test
    void tableWhenHeldAgainstAdobesEndpointListThenEveryEndpointIsThereWithItsPermission() throws Exception {
        Path csv = Path.of(System.getProperty("mkto.shared.dir", "../../shared"), "spec", "endpoint-permissions.csv");
        assumeTrue(Files.isRegularFile(csv), "../shared/spec/endpoint-permissions.csv is not beside the project");
        EndpointTable table = EndpointTable.builtIn();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("name,group,method,uri,required_permission");
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            String permission = f[4].strip();
            for (String method : f[2].split(" or ")) {
                Optional<EndpointTable.Endpoint> e = table.find(method, f[3]);
                assertThat(e).as("%s %s (%s)", method, f[3], f[0]).isPresent();
                assertThat(e.get().template()).as("%s", line).isEqualTo(f[3]);
                if (permission.equals("None")) {
                    assertThat(e.get().anyOf()).as("%s", line).isEmpty();
                } else {
                    Permission expected = Permission.parse(permission).orElseThrow(() -> new AssertionError("unknown permission in " + line));
                    assertThat(e.get().anyOf()).as("%s", line).contains(expected);
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(lines.size());
        assertThat(table.all()).hasSizeGreaterThanOrEqualTo(checked);
    }
}
