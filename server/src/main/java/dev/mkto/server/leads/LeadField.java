package dev.mkto.server.leads;

/**
 * One lead field: a standard one stored in its own column, or a custom one (from a seed or the
 * admin API) stored as text beside the lead.
 *
 * @param id            stable id shown by describe
 * @param name          REST API name, e.g. "firstName"
 * @param column        column of a standard field; null for custom fields
 * @param customFieldId row id of a custom field; null for standard fields
 * @param updateable    whether sync may write it
 * @param searchable    whether it can be a filterType or lookupField
 */
public record LeadField(int id, String name, String displayName, FieldType type, Integer length, String column,
                        Long customFieldId, boolean updateable, boolean searchable) {

    public boolean custom() {
        return customFieldId != null;
    }
}
