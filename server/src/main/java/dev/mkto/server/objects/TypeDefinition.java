package dev.mkto.server.objects;

import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.Json;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.leads.FieldType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One version (the draft or the approved one) of a custom object type: its names and its custom
 * fields. Stored as JSON; the standard fields (marketoGUID, createdAt, updatedAt) are implied.
 */
record TypeDefinition(String displayName, String pluralName, String description, boolean showInLeadDetail, List<Field> fields) {

    /** The data types a custom object field can have, as Get Custom Object Type Field Data Types lists them. */
    static final List<String> DATA_TYPES = List.of("string", "boolean", "integer", "float", "link", "email", "currency", "date",
            "datetime", "phone", "text");

    /** The fields every custom object type has. */
    static final List<String> STANDARD_FIELDS = List.of("marketoGUID", "createdAt", "updatedAt");

    /**
     * A custom field. {@code dataType} is one of {@link #DATA_TYPES}; a "link" field points at
     * {@code relatedTo.field} of {@code relatedTo.name} (lead, company or another custom object type).
     */
    record Field(String name, String displayName, String description, String dataType, boolean dedupe, String relatedToName,
                 String relatedToField) {

        boolean isLink() {
            return dataType.equals("link");
        }

        /** The value type of a field that is not a link. */
        FieldType valueType() {
            return switch (dataType) {
                case "boolean" -> FieldType.BOOLEAN;
                case "integer" -> FieldType.INTEGER;
                case "float" -> FieldType.FLOAT;
                case "email" -> FieldType.EMAIL;
                case "currency" -> FieldType.CURRENCY;
                case "date" -> FieldType.DATE;
                case "datetime" -> FieldType.DATETIME;
                case "phone" -> FieldType.PHONE;
                case "text" -> FieldType.TEXT;
                default -> FieldType.STRING;
            };
        }

        /** The length of a text value, where the type has one. */
        Integer length() {
            return switch (dataType) {
                case "string", "email", "phone" -> 255;
                default -> null;
            };
        }

        Field with(String newDisplayName, String newDescription, String newDataType, boolean newDedupe, String newRelatedToName,
                   String newRelatedToField) {
            return new Field(name, newDisplayName, newDescription, newDataType, newDedupe, newRelatedToName, newRelatedToField);
        }
    }

    TypeDefinition {
        fields = List.copyOf(fields);
    }

    Optional<Field> field(String name) {
        String lc = name.toLowerCase(Locale.ROOT);
        return fields.stream().filter(f -> f.name().toLowerCase(Locale.ROOT).equals(lc)).findFirst();
    }

    List<Field> dedupeFields() {
        return fields.stream().filter(Field::dedupe).toList();
    }

    List<Field> linkFields() {
        return fields.stream().filter(Field::isLink).toList();
    }

    TypeDefinition withFields(List<Field> newFields) {
        return new TypeDefinition(displayName, pluralName, description, showInLeadDetail, newFields);
    }

    TypeDefinition withNames(String newDisplayName, String newPluralName, String newDescription, boolean newShowInLeadDetail) {
        return new TypeDefinition(newDisplayName, newPluralName, newDescription, newShowInLeadDetail, fields);
    }

    // ----- rules for names and texts -----------------------------------------------------------

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");
    private static final List<String> RESERVED = List.of("schema", "lead", "company", "opportunity", "opportunityrole", "namedaccount",
            "namedaccountlist", "salesperson");
    static final int MAX_DESCRIPTION = 2000;

    /** A type's API name: letters, digits and '_', not a standard object's name, nor "schema" (its records' path is taken). */
    static void checkApiName(String apiName) {
        if (!NAME.matcher(apiName).matches() || RESERVED.contains(apiName.toLowerCase(Locale.ROOT))) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid apiName '" + Echo.of(apiName) + "': it must start with a "
                    + "letter, hold only letters, digits and '_' (at most 100), and not be a standard object's name or 'schema'");
        }
    }

    static void checkFieldName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid field name '" + Echo.of(name)
                    + "': it must start with a letter and hold only letters, digits and '_' (at most 100)");
        }
    }

    static String checkDisplayName(String name) {
        String n = name.strip();
        if (n.isEmpty()) {
            throw MarketoException.of(ErrorCode.BLANK, "displayName");
        }
        if (n.length() > 255 || n.codePoints().anyMatch(c -> c < 0x20 || c == 0x7f) || !FieldType.storable(n)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "Invalid displayName '" + Echo.of(n)
                    + "': at most 255 characters, no control characters, no unpaired surrogates");
        }
        return n;
    }

    static String checkPluralName(String name) {
        return name == null ? null : checkDisplayName(name);
    }

    static String checkDescription(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "description must be at most " + MAX_DESCRIPTION + " characters");
        }
        if (description != null && !FieldType.storable(description)) {
            throw new MarketoException(ErrorCode.INVALID_DATA, "description must hold neither NUL nor unpaired surrogates");
        }
        return description;
    }

    // ----- JSON at rest -----------------------------------------------------------------------

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("displayName", displayName);
        m.put("pluralName", pluralName);
        m.put("description", description);
        m.put("showInLeadDetail", showInLeadDetail);
        List<Map<String, Object>> fs = new ArrayList<>();
        for (Field f : fields) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.name());
            fm.put("displayName", f.displayName());
            fm.put("description", f.description());
            fm.put("dataType", f.dataType());
            fm.put("isDedupeField", f.dedupe());
            if (f.isLink()) {
                fm.put("relatedTo", Map.of("name", f.relatedToName(), "field", f.relatedToField()));
            }
            fs.add(fm);
        }
        m.put("fields", fs);
        return Json.MAPPER.writeValueAsString(m);
    }

    static TypeDefinition fromJson(String json) {
        JsonNode n = Json.MAPPER.readTree(json);
        List<Field> fields = new ArrayList<>();
        for (JsonNode f : n.path("fields")) {
            JsonNode rel = f.path("relatedTo");
            fields.add(new Field(f.path("name").asString(), f.path("displayName").asString(), text(f.path("description")),
                    f.path("dataType").asString(), f.path("isDedupeField").asBoolean(false), text(rel.path("name")),
                    text(rel.path("field"))));
        }
        return new TypeDefinition(n.path("displayName").asString(), text(n.path("pluralName")), text(n.path("description")),
                n.path("showInLeadDetail").asBoolean(false), fields);
    }

    private static String text(JsonNode n) {
        return n.isString() ? n.asString() : null;
    }
}
