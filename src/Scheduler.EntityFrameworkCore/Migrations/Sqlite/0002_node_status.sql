-- What operators see of each node (the admin API's cluster view, the dashboard's Nodes): the release it runs, recorded at its start, and its
-- clock's offset from the database's, recorded with each sign of life. Nullable: a row written by an older node has neither.
ALTER TABLE scheduler_nodes ADD COLUMN version TEXT NULL;
ALTER TABLE scheduler_nodes ADD COLUMN clock_offset_ms REAL NULL;
