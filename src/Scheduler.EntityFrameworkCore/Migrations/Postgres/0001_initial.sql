-- 0001: the schema as release 0.1.0 creates it, written so that it also adopts a database created before versioned migrations
-- (no scheduler_schema_versions table): every statement is idempotent (IF NOT EXISTS), so running it over such a database changes
-- nothing and keeps every row; the script is then journaled. Used for PostgreSQL and CockroachDB.
-- Rules for every PostgreSQL script (docs/storage.md, "Schema versions"): it runs outside a transaction, one statement at a time (CockroachDB
-- limits DDL in transactions), so each statement must be safe to run again (IF NOT EXISTS); no DO blocks, no advisory locks, no SERIAL.
CREATE TABLE IF NOT EXISTS task_definitions (
    id uuid NOT NULL PRIMARY KEY,
    trigger_kind int4 NOT NULL,
    trigger_expression text NOT NULL,
    trigger_phrase text NULL,
    time_zone_id text NOT NULL,
    start_at timestamptz NOT NULL,
    metadata text NOT NULL,
    payload text NULL,
    expire_after interval NOT NULL,
    retry text NOT NULL,
    misfire int4 NOT NULL,
    destination_queue text NULL,
    idempotency_key text NULL,
    created_at timestamptz NOT NULL,
    next_fire_time timestamptz NULL,
    cancelled_at timestamptz NULL,
    version bigint NOT NULL,
    overlap int4 NOT NULL DEFAULT 0,
    paused_at timestamptz NULL,
    changed_at timestamptz NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_definitions_idempotency_key ON task_definitions (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_next_fire_time ON task_definitions (next_fire_time) WHERE next_fire_time IS NOT NULL;
CREATE TABLE IF NOT EXISTS task_instances (
    id uuid NOT NULL PRIMARY KEY,
    definition_id uuid NOT NULL REFERENCES task_definitions (id),
    fire_time timestamptz NOT NULL,
    status int4 NOT NULL,
    attempt int4 NOT NULL,
    due_at timestamptz NULL,
    expire_after interval NOT NULL,
    retry text NOT NULL,
    max_attempts int4 NOT NULL,
    lease_owner text NULL,
    lease_expires_at timestamptz NULL,
    dispatched_at timestamptz NULL,
    started_at timestamptz NULL,
    completed_at timestamptz NULL,
    reported_completed_at timestamptz NULL,
    failed_at timestamptz NULL,
    finished_at timestamptz NULL,
    last_error text NULL,
    version bigint NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_instances_definition_fire_time ON task_instances (definition_id, fire_time);
CREATE INDEX IF NOT EXISTS ix_task_instances_due_at ON task_instances (due_at) WHERE status IN (0, 1);
CREATE INDEX IF NOT EXISTS ix_task_instances_lease_expires_at ON task_instances (lease_expires_at) WHERE status = 5;
CREATE INDEX IF NOT EXISTS ix_task_instances_finished_at ON task_instances (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS scheduler_cluster (
    id int4 NOT NULL PRIMARY KEY,
    cluster_name text NOT NULL,
    database_id text NOT NULL,
    created_at timestamptz NOT NULL
);

-- Columns added during the development of 0.1.0, for a table created before them (the store added them at start then).
ALTER TABLE task_instances ADD COLUMN IF NOT EXISTS max_attempts int4 NOT NULL DEFAULT 3;
ALTER TABLE task_instances ADD COLUMN IF NOT EXISTS reported_completed_at timestamptz NULL;
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS trigger_phrase text NULL;
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS overlap int4 NOT NULL DEFAULT 0;
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS paused_at timestamptz NULL;
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS changed_at timestamptz NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_changed_at ON task_definitions (changed_at) WHERE changed_at IS NOT NULL;
