-- The embedded database's write path. A statement marked /*h2*/ runs on H2 only.
--
-- H2 gives every foreign key an index of its own when the key is declared (in CREATE TABLE,
-- before the script's CREATE INDEX statements), so on H2 lead_partition_idx repeated the index
-- of lead's key to lead_partition, and every new lead was written into both. PostgreSQL makes no
-- index for a foreign key, and keeps lead_partition_idx.
/*h2*/ DROP INDEX lead_partition_idx;

-- New ids are drawn from a block of 1,000 held in memory instead of 32: H2 records the end of
-- the block in its catalogue and commits it each time a block is used up, about 19 times per
-- Sync Leads call of 300 new leads (each lead and its New Lead activity take an id, from two
-- sequences). Ids stay in the order they are given; a restart after a crash skips the rest of a
-- block. Not on PostgreSQL, where a sequence's cache is per connection and ids would no longer
-- follow the order of creation.
/*h2*/ ALTER TABLE lead ALTER COLUMN id SET CACHE 1000;
/*h2*/ ALTER TABLE activity ALTER COLUMN id SET CACHE 1000;
