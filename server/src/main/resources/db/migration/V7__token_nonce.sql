-- A token's row keeps the nonce its token is derived from: on the embedded database, where one
-- process holds every live token in memory, a new token is then one insert (updating the
-- service's row as well dirtied one of its pages per token), and start-up finds the live tokens
-- there. Without the server's token key a nonce yields nothing.
ALTER TABLE access_token ADD COLUMN nonce VARCHAR(64);
