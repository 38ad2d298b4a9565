package dev.mkto.server.objects;

import static dev.mkto.server.objects.ObjectField.of;

import dev.mkto.server.access.Permission;
import dev.mkto.server.leads.FieldType;
import dev.mkto.server.leads.LeadField;
import dev.mkto.server.leads.LeadSchema;
import dev.mkto.server.objects.CustomObjectTypes.Stored;
import dev.mkto.server.objects.ObjectKind.Action;
import dev.mkto.server.objects.TypeDefinition.Field;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a custom object type becomes an {@link ObjectKind}: marketoGUID as its id, its dedupe
 * fields as the key, and as searchable fields the key, marketoGUID and each link field; a link
 * field takes the type of the field it points at.
 */
final class CustomKinds {

    private CustomKinds() {
    }

    /**
     * A version of a type as a kind: marketoGUID as its id, its dedupe fields as the key, and as
     * searchable fields the key, marketoGUID and each link field.
     */
    static ObjectKind kindOf(Stored s, TypeDefinition d, Map<String, Stored> types, LeadSchema.Fields leadFields) {
        List<ObjectField> fields = new ArrayList<>(List.of(
                of("marketoGUID", "Marketo GUID", FieldType.STRING, 36).serverSet(),
                of("createdAt", "Created At", FieldType.DATETIME, null).serverSet(),
                of("updatedAt", "Updated At", FieldType.DATETIME, null).serverSet()));
        List<List<String>> searchable = new ArrayList<>();
        List<String> dedupe = d.dedupeFields().stream().map(Field::name).toList();
        if (!dedupe.isEmpty()) {
            searchable.add(dedupe);
        }
        searchable.add(List.of("marketoGUID"));
        for (Field f : d.fields()) {
            ObjectField field = new ObjectField(f.name(), f.displayName(), f.description(), f.valueType(), f.length(), false, true,
                    false, null, null);
            if (f.isLink()) {
                ObjectField target = linkTarget(f.relatedToName(), f.relatedToField(), types, leadFields).orElse(field);
                field = new ObjectField(f.name(), f.displayName(), f.description(), target.type(), target.length(), false, true, false,
                        null, new ObjectField.Link(targetName(f.relatedToName()), f.relatedToField(), ObjectField.Missing.SKIP_RECORD,
                        false));
                if (!(dedupe.size() == 1 && dedupe.getFirst().equals(f.name()))) {
                    searchable.add(List.of(f.name()));
                }
            }
            fields.add(f.dedupe() ? field.createOnly() : field);
        }
        Instant approvedAt = s.approvedAt() == null ? null : Instant.ofEpochMilli(s.approvedAt());
        return new ObjectKind(s.apiName(), "co:" + s.id(), s.apiName(), d.displayName(),
                d.pluralName() == null ? d.displayName() : d.pluralName(), d.description(), "/rest/v1/customobjects/" + s.apiName(),
                true, "marketoGUID", dedupe, searchable, fields, ObjectKind.DefaultFields.KEYS,
                List.of(Action.CREATE_OR_UPDATE, Action.CREATE_ONLY, Action.UPDATE_ONLY), Permission.READ_ONLY_CUSTOM_OBJECT,
                Permission.READ_WRITE_CUSTOM_OBJECT, approvedAt, approvedAt == null ? null : Instant.ofEpochMilli(s.updatedAt()));
    }

    /**
     * The field a link points at, if the object and field exist and may be linked to: a
     * searchable lead field, a company's id or externalCompanyId, or the marketoGUID or single
     * dedupe field of an approved custom object type that has no links itself.
     */
    static Optional<ObjectField> linkTarget(String objectName, String fieldName, Map<String, Stored> types, LeadSchema.Fields leadFields) {
        if (objectName == null || fieldName == null) {
            return Optional.empty();
        }
        if (objectName.equalsIgnoreCase(StandardKinds.LEAD)) {
            return leadFields.find(fieldName).filter(LeadField::searchable)
                    .map(f -> of(f.name(), f.displayName(), f.type(), f.length()));
        }
        if (objectName.equalsIgnoreCase(StandardKinds.COMPANY.name())) {
            return StandardKinds.COMPANY.field(fieldName).filter(f -> List.of("id", "externalCompanyId").contains(f.name()));
        }
        Stored target = types.get(CustomObjectTypes.lc(objectName));
        if (target == null || target.approved() == null || !target.approved().linkFields().isEmpty()) {
            return Optional.empty();
        }
        if (fieldName.equalsIgnoreCase("marketoGUID")) {
            return Optional.of(of("marketoGUID", "Marketo GUID", FieldType.STRING, 36));
        }
        List<Field> key = target.approved().dedupeFields();
        return key.size() == 1 && key.getFirst().name().equalsIgnoreCase(fieldName)
                ? Optional.of(of(key.getFirst().name(), key.getFirst().displayName(), key.getFirst().valueType(), key.getFirst().length()))
                : Optional.empty();
    }

    /** How a link names its object: "lead", "company", or the custom type's API name. */
    private static String targetName(String objectName) {
        if (objectName.equalsIgnoreCase(StandardKinds.LEAD)) {
            return StandardKinds.LEAD;
        }
        return objectName.equalsIgnoreCase(StandardKinds.COMPANY.name()) ? StandardKinds.COMPANY.name() : objectName;
    }
}
