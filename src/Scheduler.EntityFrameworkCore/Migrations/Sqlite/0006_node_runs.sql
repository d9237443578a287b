-- 0006: node runs (issue #19). Per node id, the run of the process that holds it and its last sign of life (UTC ticks): a node that starts
-- again under its node id takes its earlier run's claims back at once, and a second live process under one node id is refused.
CREATE TABLE IF NOT EXISTS scheduler_nodes (
    node_id TEXT NOT NULL PRIMARY KEY,
    run_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
