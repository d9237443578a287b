-- 0006: node runs (issue #19). Per node id, the run of the process that holds it and its last sign of life: a node that starts again under
-- its node id takes its earlier run's claims back at once, and a second live process under one node id is refused.
CREATE TABLE IF NOT EXISTS scheduler_nodes (
    node_id text NOT NULL PRIMARY KEY,
    run_id text NOT NULL,
    started_at timestamptz NOT NULL,
    seen_at timestamptz NOT NULL
);
