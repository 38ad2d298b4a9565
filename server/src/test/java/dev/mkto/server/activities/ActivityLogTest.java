package dev.mkto.server.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mkto.server.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The attributes stored with each activity: the JSON the server's mapper would write, byte for byte. */
class ActivityLogTest {

    private static final ActivityLog.Actor ACTOR = new ActivityLog.Actor(1, "sync@example.com", "syncLead", "e42b#17a1c2d3e4f");

    private static String viaMapper(Map<String, Object> entryAttributes, ActivityLog.Actor actor) {
        Map<String, Object> all = new LinkedHashMap<>(entryAttributes);
        all.put("API Method Name", actor.apiMethod());
        all.put("Modifying User", actor.user());
        all.put("Request Id", actor.requestId());
        List<Map<String, Object>> list = new ArrayList<>();
        all.forEach((name, value) -> {
            if (value != null) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("name", name);
                a.put("value", value);
                list.add(a);
            }
        });
        return Json.MAPPER.writeValueAsString(list);
    }

    private static ActivityLog.Entry entry(Map<String, Object> attributes) {
        return new ActivityLog.Entry(7, 1, ActivityTypes.NEW_LEAD, null, 7L, null, attributes);
    }

    @Test
    void attributesJsonWhenEveryCharacterOrValueKindThenAsTheMapperWritesIt() {
        List<String> texts = new ArrayList<>(List.of("", "plain", "quote \" and backslash \\", "é ü 漢字 😀", "\u2028\u2029",
                "\ud800 lone surrogate", "tab\tnew\nline\rform\fback\b", "</script>", "\u007f\u0080\u009f"));
        for (char c = 0; c < 0x80; c++) {
            texts.add("<" + c + ">");
        }
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = random.nextInt(40); j > 0; j--) {
                s.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
            }
            texts.add(s.toString());
        }
        for (String text : texts) {
            Map<String, Object> attributes = ActivityLog.attributes("New Value", text, "Old Value", null, "Count", 3L, "Index", 2,
                    "Remove from CRM", false, text.isEmpty() ? "x" : text, "name too");
            ActivityLog.Actor actor = new ActivityLog.Actor(1, text, "syncLead", text);
            assertThat(ActivityLog.attributesJson(actor, entry(attributes))).as("%s", text).isEqualTo(viaMapper(attributes, actor));
        }
    }

    @Test
    void attributesJsonWhenTheEntryNamesAnActorAttributeThenTheActorsValueInItsPlace() {
        Map<String, Object> attributes = ActivityLog.attributes("Request Id", "stale", "Source", "Web service API");
        String json = ActivityLog.attributesJson(ACTOR, entry(attributes));
        assertThat(json).isEqualTo(viaMapper(attributes, ACTOR))
                .startsWith("[{\"name\":\"Request Id\",\"value\":\"e42b#17a1c2d3e4f\"},{\"name\":\"Source\"");
    }

    @Test
    void attributesJsonWhenAValueIsNotAStringIntegerOrBooleanThenRefusedNamingIt() {
        assertThatThrownBy(() -> ActivityLog.attributesJson(ACTOR, entry(ActivityLog.attributes("Score", 1.5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Score").hasMessageContaining("Double");
    }
}
