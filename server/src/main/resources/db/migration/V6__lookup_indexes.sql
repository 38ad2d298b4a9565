-- Lookups by a list of values (Sync Leads' dedupe, a filter with several values, object upserts)
-- need an index whose FIRST column is the value: H2 uses an IN list only on an index's first
-- column, and otherwise reads every row of the instance. PostgreSQL serves either order.
DROP INDEX lead_email;
CREATE INDEX lead_email ON lead (email_lc, instance_id);
DROP INDEX lead_sfdc_lead;
CREATE INDEX lead_sfdc_lead ON lead (sfdc_lead_id, instance_id);
DROP INDEX lead_sfdc_contact;
CREATE INDEX lead_sfdc_contact ON lead (sfdc_contact_id, instance_id);
DROP INDEX lead_value_lookup;
CREATE INDEX lead_value_lookup ON lead_value (lookup_key, field_id);
CREATE INDEX object_key_value ON object_key (lookup_key, instance_id, kind, field);
CREATE INDEX object_record_dedupe_key ON object_record (dedupe_key, instance_id, kind);
