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
import tools.jackson.databind.json.JsonMapper;

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

    @Test
    void planWhenTheFileIsMissingOrNotUtf8ThenExit1SayingWhy() throws Exception {
        Path latin1 = Files.createTempFile("calls", ".txt");
        Files.write(latin1, "GET /rest/v1/leads.json # caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        Cli.Result missing = cli.run("perms", "plan", "/nonexistent/calls.txt");
        Cli.Result notUtf8 = cli.run("perms", "plan", latin1.toString());

        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("cannot read /nonexistent/calls.txt: no such file");
        assertThat(notUtf8.code()).isEqualTo(ExitCode.USAGE);
        assertThat(notUtf8.err()).contains("not UTF-8").doesNotContain("Input length");
    }

    @Test
    void planWhenALogLineHoldsAnEscapeSequenceThenTheWarningWritesItOut() {
        Cli.Result r = cli.stdin("GET /rest/v1/leads.json\nGET /x\u001b]0;owned\u0007\u001b[2J.json\n").run("perms", "plan", "-");

        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).doesNotContain("\u001b").doesNotContain("\u0007")
                .contains("no known Marketo endpoint: GET /x\\u001b]0;owned\\u0007\\u001b[2J.json");
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

    /**
     * Every v1 operation of Adobe's API descriptions (lead database and assets) is known, at the
     * path the description gives (Adobe's endpoint list misspells some: '/asset/v1/staticLists.json'
     * without '/rest', '/rest/asset/v1/{id}.json' for a landing page); and for the lead database,
     * whose "Required Permissions" lists every permission accepted, each one named admits the
     * endpoint (the field schema ones accept Read-Write Schema Standard Field as well as Custom).
     */
    @Test
    void tableWhenHeldAgainstTheApiDescriptionsThenEveryOperationIsKnownAndEveryPermissionTheLeadDatabaseNamesAdmitsIt() throws Exception {
        Path spec = Path.of(System.getProperty("mkto.shared.dir", "../../shared"), "spec");
        assumeTrue(Files.isRegularFile(spec.resolve("swagger-mapi.json")), "../shared/spec/swagger-mapi.json is not beside the project");
        EndpointTable table = EndpointTable.builtIn();
        List<String> unknown = new java.util.ArrayList<>();
        List<String> refused = new java.util.ArrayList<>();
        for (String file : List.of("swagger-mapi.json", "swagger-asset.json")) {
            JsonNode doc = JsonMapper.builder().build().readTree(Files.readString(spec.resolve(file)));
            for (var path : doc.path("paths").properties()) {
                if (path.getKey().startsWith("/rest/asset/v2/")) {
                    continue; // the v2 asset API also needs Design Studio permissions outside Access API
                }
                String concrete = path.getKey().replaceAll("\\{[^}/]+\\}", "7");
                for (var op : path.getValue().properties()) {
                    String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                    Optional<EndpointTable.Endpoint> e = table.find(method, concrete);
                    if (e.isEmpty()) {
                        unknown.add(method + " " + path.getKey());
                        continue;
                    }
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Required Permissions?: ([^\\n<]*)")
                            .matcher(op.getValue().path("description").asString(""));
                    if (file.equals("swagger-mapi.json") && m.find()) {
                        for (String named : m.group(1).split(",")) {
                            Optional<Permission> p = Permission.parse(named.strip().replace("Named Opportunity", "Opportunity"));
                            if (p.isPresent() && !e.get().admittedBy(List.of(p.get()))) {
                                refused.add(method + " " + path.getKey() + " by " + p.get());
                            }
                        }
                    }
                }
            }
        }

        assertThat(unknown).as("operations mkto's table does not know").isEmpty();
        assertThat(refused).as("permissions the description accepts but mkto's table does not").isEmpty();
        Cli.Result explained = cli.run("perms", "explain", "GET", "/rest/v1/companies/schema/fields.json");
        assertThat(explained.out()).contains("satisfied by: Access API, Read-Write Schema Standard Field, Read-Write Schema Custom Field");
        Cli.Result staticLists = cli.stdin("GET /rest/asset/v1/staticLists.json\nPOST /rest/asset/v1/staticList/12.json\n")
                .run("perms", "plan", "-", "--json");
        assertThat(staticLists.code()).as("%s", staticLists).isZero();
        assertThat(staticLists.json().path("permissions").toString()).isEqualTo("[\"Read-Write Assets\"]");
    }
}
