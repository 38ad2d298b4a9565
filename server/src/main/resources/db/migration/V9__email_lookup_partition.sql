-- Get Leads by email and Sync Leads' dedupe find a lead's id and partition in the e-mail index
-- itself, without reading the lead's row (on H2 a page of whole rows); the lead's fields are then
-- read by id (on the embedded database, from memory).
DROP INDEX lead_email;
CREATE INDEX lead_email ON lead (email_lc, instance_id, partition_id);
