-- Leads and activities lose their foreign keys to instance. The server writes every row with the
-- caller's instance, and instances are never deleted, so the keys checked nothing it does not
-- already guarantee, at a cost on every row written: PostgreSQL runs a key check per row (a query
-- and a lock on the instance's row), and H2 writes every row into an index it made for the key.
-- Sync Leads paid three key checks per new lead (the lead's two, its New Lead activity's one);
-- the lead's key to its partition remains.
ALTER TABLE lead DROP CONSTRAINT ${foreign key lead.instance_id};
ALTER TABLE activity DROP CONSTRAINT ${foreign key activity.instance_id};
