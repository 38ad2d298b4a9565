package dev.mkto.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Endpoint parsing on what people actually paste into integration forms. */
class EndpointTest {

    private static final String REST = "https://123-ABC-456.mktorest.com/rest";

    static Stream<Arguments> accepted() {
        return Stream.of(
                // input, REST endpoint, a note that must be there ("" = no notes at all)
                Arguments.of("https://123-ABC-456.mktorest.com/rest", REST, ""),
                Arguments.of("https://123-ABC-456.mktorest.com/rest/", REST, ""),
                Arguments.of("https://123-ABC-456.mktorest.com/", REST, ""),
                Arguments.of("https://123-ABC-456.mktorest.com", REST, ""),
                Arguments.of("https://123-ABC-456.mktorest.com:443/rest", REST, ""),
                Arguments.of("https://123-abc-456.mktorest.com/rest", REST, ""),
                Arguments.of("HTTPS://123-ABC-456.MKTOREST.COM/rest", REST, ""),
                Arguments.of("https://123-ABC-456.mktorest.com/identity", REST, "This is the Identity URL"),
                Arguments.of("https://123-ABC-456.mktorest.com/identity/oauth/token", REST, "Dropped '/oauth/token' after '/identity'"),
                Arguments.of("https://123-ABC-456.mktorest.com/rest/v1/leads.json", REST, "Dropped '/v1/leads.json' after '/rest'"),
                Arguments.of("https://123-ABC-456.mktorest.com/rest/asset/v1/emails.json", REST, "Dropped '/asset/v1/emails.json'"),
                Arguments.of("https://123-ABC-456.mktorest.com/bulk/v1/leads/export.json", REST, "'/bulk' is where bulk calls go"),
                Arguments.of("https://123-ABC-456.mktorest.com/userservice/management/v1/users/allusers.json", REST, "User Management API"),
                Arguments.of("https://123-ABC-456.mktorest.com/rest/rest/v1/leads.json", REST, "'/rest' appeared twice"),
                Arguments.of("https://123-ABC-456.mktorest.com/REST", REST, "Read '/REST' as '/rest'"),
                Arguments.of("https://123-ABC-456.mktorest.com//rest", REST, "Collapsed '//'"),
                Arguments.of("http://123-ABC-456.mktorest.com/rest", REST, "over https only"),
                Arguments.of("123-ABC-456.mktorest.com/rest", REST, "No scheme was given; assumed https://"),
                Arguments.of("//123-ABC-456.mktorest.com/rest", REST, "No scheme was given"),
                Arguments.of("https:/123-ABC-456.mktorest.com/rest", REST, "as 'https://'"),
                Arguments.of("https//123-ABC-456.mktorest.com/rest", REST, "as 'https://'"),
                Arguments.of("  https://123-ABC-456.mktorest.com/rest \n", REST, "Removed the whitespace"),
                Arguments.of("\u00a0https://123-ABC-456.mktorest.com/rest\u200b", REST, "Removed the whitespace"),
                Arguments.of("\"https://123-ABC-456.mktorest.com/rest\"", REST, "Removed the quotes"),
                Arguments.of("<https://123-ABC-456.mktorest.com/rest>", REST, "Removed the quotes"),
                Arguments.of("https://123-ABC-456.mktorest.com/rest,", REST, "Removed the quotes, brackets or punctuation"),
                // the Alchemer form asks for the URL "ending in a backslash"
                Arguments.of("https://123-ABC-456.mktorest.com\\", REST, "Read the backslashes as slashes"),
                Arguments.of("https://123-ABC-456.mktorest.com/rest#section", REST, "Dropped the '#' fragment"),
                Arguments.of("https://123-ABC-456.mktorest.com/rest?foo=bar", REST, "Dropped the query string."),
                Arguments.of("123-ABC-456", REST, "Read a Munchkin id alone"),
                Arguments.of("123-abc-456", REST, "Read a Munchkin id alone"),
                Arguments.of("123ABC456", REST, "Read a Munchkin id alone"),
                Arguments.of("https://123abc456.mktorest.com/rest", REST, "as the Munchkin id 123-ABC-456"),
                // mkto-server, proxies, gateways: taken as given
                Arguments.of("http://127.0.0.1:8080", "http://127.0.0.1:8080/rest", ""),
                Arguments.of("http://127.0.0.1:8080/rest/", "http://127.0.0.1:8080/rest", ""),
                Arguments.of("http://localhost:8080/identity", "http://localhost:8080/rest", "Identity URL"),
                Arguments.of("localhost:8080/rest", "http://localhost:8080/rest", "assumed http://"),
                Arguments.of("http://[::1]:8080/rest", "http://[::1]:8080/rest", ""),
                Arguments.of("mkto.example.com", "https://mkto.example.com/rest", "assumed https://"),
                Arguments.of("https://gateway.example.com/marketo/rest", "https://gateway.example.com/marketo/rest", "Kept '/marketo' as a path prefix"),
                Arguments.of("http://127.0.0.1:8080/rset", "http://127.0.0.1:8080/rset/rest", "if 'rset' was meant to be '/rest'"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("accepted")
    void parseWhenInputIsARealWorldPasteThenRestEndpointAndNotes(String input, String rest, String note) {
        Endpoint e = Endpoint.parse(input);
        assertThat(e.restUrl()).hasToString(rest);
        assertThat(e.identityUrl()).hasToString(rest.substring(0, rest.length() - "/rest".length()) + "/identity");
        if (note.isEmpty()) {
            assertThat(e.notes()).as("notes for %s", input).isEmpty();
        } else {
            assertThat(e.notes()).as("notes for %s", input).anySatisfy(n -> assertThat(n).contains(note));
        }
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // input, what the problem says, the suggestion ("" = none)
                Arguments.of("", "it is empty", ""),
                Arguments.of("   ", "it is empty", ""),
                Arguments.of("\"\"", "it is empty", ""),
                Arguments.of("ftp://123-ABC-456.mktorest.com", "'ftp://' is not a scheme", ""),
                Arguments.of("https://app-ab12.marketo.com/#MM0A1", "web application or tracking host", ""),
                Arguments.of("https://experience.adobe.com/#/@acme/so:abc/marketo", "web application or tracking host", ""),
                Arguments.of("https://123-ABC-456.mktoweb.com", "not Marketo's REST API host", REST),
                Arguments.of("https://123-ABC-456.mktoresp.com/webevents", "not Marketo's REST API host", REST),
                Arguments.of("https://123-ABC-456.mktorest.co/rest", "not Marketo's REST API host", REST),
                Arguments.of("https://XXX-XXX-XXX.mktorest.com/", "placeholder", ""),
                Arguments.of("XXX-XXX-XXX", "placeholder", ""),
                Arguments.of("12-ABC-456", "'12-ABC-456' is not a Munchkin id", ""),
                Arguments.of("1234-ABC-456", "'1234-ABC-456' is not a Munchkin id", ""),
                Arguments.of("https://123-ABC-45.mktorest.com/rest", "'123-abc-45' is not a Munchkin id", ""),
                Arguments.of("https://mktorest.com/rest", "the Munchkin id is missing", ""),
                Arguments.of("https://123-ABC-456.mktorest.com/rset", "was 'rset' meant to be '/rest'", REST),
                Arguments.of("https://123-ABC-456.mktorest.com/api/rest", "'/api' is not a path of Marketo's API", REST),
                Arguments.of("https://123-ABC-456.mktorest.com:8443/rest", "standard https port", REST),
                Arguments.of("https://123-ABC-456.mktorest .com/rest", "contains a space", ""),
                Arguments.of("https://bad_host!/rest", "is not a host name", ""),
                Arguments.of("https:///rest", "no host name", ""),
                Arguments.of("http://127.0.0.1:99999/rest", "'99999' is not a port number", ""),
                Arguments.of("http://[::1/rest", "closing ']'", ""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("refused")
    void parseWhenInputCannotBeAMarketoEndpointThenRefusedSayingWhy(String input, String problem, String suggestion) {
        InvalidEndpointException e = catchThrowableOfType(InvalidEndpointException.class, () -> Endpoint.parse(input));
        assertThat(e).as("refused: %s", input).isNotNull();
        assertThat(e.problem()).contains(problem);
        assertThat(e.getMessage()).startsWith("Not a Marketo endpoint: ").contains(problem);
        if (suggestion.isEmpty()) {
            assertThat(e.suggestion()).isEmpty();
        } else {
            assertThat(e.suggestion()).contains(suggestion);
        }
    }

    @Test
    void parseWhenUrlHoldsAPasswordThenRefusedWithoutRepeatingIt() {
        InvalidEndpointException e = catchThrowableOfType(InvalidEndpointException.class,
                () -> Endpoint.parse("https://admin:hunter2-s3cret@123-ABC-456.mktorest.com/rest"));
        assertThat(e.problem()).contains("user name or password");
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("admin:");
    }

    @Test
    void parseWhenIdentityUrlWithCredentialsInQueryThenDroppedAndNotRepeated() {
        Endpoint e = Endpoint.parse("https://123-ABC-456.mktorest.com/identity/oauth/token?grant_type=client_credentials"
                + "&client_id=0e1b6d3e-aaaa-bbbb-cccc-123456789abc&client_secret=tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw");
        assertThat(e.restUrl()).hasToString(REST);
        assertThat(e.notes()).anySatisfy(n -> assertThat(n).contains("it held a client id, secret or token"));
        assertThat(String.join(" ", e.notes()) + e).doesNotContain("tZPVrKiEmUDezE18yZfeaPlTJ2vKn2fw").doesNotContain("0e1b6d3e");
    }

    @Test
    void parseWhenMarketoHostThenMunchkinIdAndAllUrlsDerived() {
        Endpoint e = Endpoint.parse("https://284-rpr-133.mktorest.com/rest/v1/leads.json");
        assertThat(e.munchkinId()).contains("284-RPR-133");
        assertThat(e.baseUrl()).hasToString("https://284-RPR-133.mktorest.com");
        assertThat(e.restUrl()).hasToString("https://284-RPR-133.mktorest.com/rest");
        assertThat(e.identityUrl()).hasToString("https://284-RPR-133.mktorest.com/identity");
        assertThat(e).hasToString("https://284-RPR-133.mktorest.com/rest")
                .isEqualTo(Endpoint.parse("284-RPR-133"))
                .hasSameHashCodeAs(Endpoint.parse("https://284-RPR-133.mktorest.com/identity"));
    }

    @Test
    void parseWhenHostIsNotMarketosThenNoMunchkinIdAndSchemeKept() {
        Endpoint e = Endpoint.parse("http://127.0.0.1:8080/rest");
        assertThat(e.munchkinId()).isEmpty();
        assertThat(e.baseUrl()).hasToString("http://127.0.0.1:8080");
    }
}
