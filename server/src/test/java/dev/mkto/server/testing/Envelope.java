package dev.mkto.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** What every Lead Database answer must be, whatever it was asked: Marketo's envelope, and nothing internal. */
public final class Envelope {

    /** A stack frame, an exception's name, a package-qualified class: what must never reach a caller. */
    public static final Pattern LEAK = Pattern.compile("\\bat [\\w$]+(\\.[\\w$<>]+)+\\(|\\w+(Exception|Error)\\b"
            + "|\\b(java|javax|jdk|sun|dev\\.mkto|tools\\.jackson|com\\.fasterxml|io\\.helidon|org\\.h2|org\\.jdbi"
            + "|org\\.postgresql|com\\.zaxxer)\\.[a-z]");

    private Envelope() {
    }

    /**
     * Fails on any {@link #LEAK} match in {@code answer} that is not a quote of {@code sent} (messages
     * quote input with control characters dropped).
     */
    public static void assertNoLeak(String answer, String sent) {
        String quotable = sent + "\n" + sent.replaceAll("[\\x00-\\x1f\\x7f]", "");
        Matcher m = LEAK.matcher(answer);
        while (m.find()) {
            assertThat(quotable).as("leaks internals: %s", answer).contains(m.group());
        }
    }

    /**
     * Asserts a Lead Database envelope: HTTP 200 (413/414 only with that code), a {@code requestId},
     * {@code success}, and on failure {@code {code, message}} errors, never 611, never a leak.
     *
     * @param sent what the request carried, decoded: a message may quote it, and a quote is no leak
     * @return the first error code of a failure, or null on success
     */
    public static String leadDatabase(RawHttp.Response r, String sent) {
        assertThat(r.status()).as("%s", r).isIn(200, 413, 414);
        assertNoLeak(r.text(), sent);
        JsonNode j = r.json();
        assertThat(j.path("requestId").asString()).as("%s", r).matches("[0-9a-f]+#[0-9a-f]+");
        assertThat(j.path("success").isBoolean()).as("%s", r).isTrue();
        if (j.path("success").asBoolean()) {
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(j.has("errors")).as("%s", r).isFalse();
            return null;
        }
        assertThat(j.path("errors").isArray() && !j.path("errors").isEmpty()).as("%s", r).isTrue();
        for (JsonNode e : j.path("errors")) {
            assertThat(e.path("code").isString() && e.path("message").isString()).as("%s", r).isTrue();
        }
        String code = j.path("errors").get(0).path("code").asString();
        assertThat(code).as("%s", r).isNotEqualTo("611");
        assertThat(r.status()).as("%s", r).isEqualTo(code.equals("413") || code.equals("414") ? Integer.parseInt(code) : 200);
        return code;
    }
}
