-- What operators see of each node (the admin API's cluster view, the dashboard's Nodes): the release it runs, recorded at its start, and its
-- clock's offset from the database's, recorded with each sign of life. Nullable: a row written by an older node has neither.
ALTER TABLE scheduler_nodes ADD COLUMN IF NOT EXISTS version text NULL;
ALTER TABLE scheduler_nodes ADD COLUMN IF NOT EXISTS clock_offset_ms double precision NULL;
