package dev.mkto.server.objects;

import dev.mkto.server.leads.FieldType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What describe shows of a kind: its names, keys, searchable fields, relationships and fields. */
final class Descriptions {

    private Descriptions() {
    }

    /** Describe: the kind's keys, searchable fields, relationships and fields; {@code defined} stands in for a standard kind's dates. */
    static Map<String, Object> describe(ObjectKind kind, Instant defined) {
        Map<String, Object> m = new LinkedHashMap<>(metadata(kind, defined));
        List<Map<String, Object>> fields = new ArrayList<>();
        for (ObjectField f : kind.fields()) {
            fields.add(fieldDescription(f));
        }
        m.put("fields", fields);
        return m;
    }

    /** What describe shows of a kind besides its fields. */
    private static Map<String, Object> metadata(ObjectKind kind, Instant defined) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", kind.describeName());
        m.put("apiName", kind.name());
        m.put("displayName", kind.displayName());
        m.put("pluralName", kind.pluralName());
        m.put("description", kind.description());
        m.put("createdAt", FieldType.DATETIME.toJson(kind.createdAt() == null ? defined : kind.createdAt()));
        m.put("updatedAt", FieldType.DATETIME.toJson(kind.updatedAt() == null ? defined : kind.updatedAt()));
        m.put("idField", kind.idField());
        m.put("dedupeFields", kind.dedupeFields());
        m.put("searchableFields", kind.searchableFields());
        m.put("relationships", relationships(kind));
        return m;
    }

    static List<Map<String, Object>> relationships(ObjectKind kind) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ObjectField f : kind.fields()) {
            if (f.link() != null) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("field", f.name());
                r.put("type", "child");
                String target = f.link().target();
                r.put("relatedTo", Map.of("name", StandardKinds.LEAD.equals(target) ? "Lead"
                        : StandardKinds.byName(target).map(ObjectKind::describeName).orElse(target), "field", f.link().field()));
                out.add(r);
            }
        }
        return out;
    }

    static Map<String, Object> fieldDescription(ObjectField f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("displayName", f.displayName());
        if (f.description() != null) {
            m.put("description", f.description());
        }
        m.put("dataType", f.type().marketoName());
        if (f.length() != null) {
            m.put("length", f.length());
        }
        m.put("updateable", f.updateable());
        m.put("crmManaged", false);
        return m;
    }

    /** A field as the field schema endpoints show it (Marketo's LeadField shape). */
    static Map<String, Object> fieldSchema(ObjectField f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("displayName", f.displayName());
        m.put("name", f.name());
        m.put("description", f.description());
        m.put("dataType", f.type().marketoName());
        if (f.length() != null) {
            m.put("length", f.length());
        }
        m.put("isHidden", false);
        m.put("isHtmlEncodingInEmail", f.type().textual());
        m.put("isSensitive", false);
        m.put("isCustom", false);
        m.put("isApiCreated", false);
        return m;
    }
}
