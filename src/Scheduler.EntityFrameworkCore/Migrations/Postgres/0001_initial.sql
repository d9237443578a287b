-- 0001: the schema. Used for PostgreSQL and CockroachDB.
-- Rules for every PostgreSQL script (docs/storage.md, "Schema versions"): it runs outside a transaction, one statement at a time (CockroachDB
-- limits DDL in transactions), so each statement must be safe to run again (IF NOT EXISTS): a script interrupted halfway completes on the
-- next run. No DO blocks, no advisory locks, no SERIAL.
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
    changed_at timestamptz NULL,
    -- The W3C traceparent of the span that stored the task, so its dispatches join or link to the ScheduleTask's trace.
    trace_parent text NULL,
    -- The task's jitter window (docs/triggers.md, "Jitter"; NULL: none).
    jitter interval NULL,
    -- End conditions (docs/triggers.md, "End conditions"): EndAt (the last instant a fire time may be, inclusive), MaxOccurrences (counted
    -- from the start) and the fire time of the last occurrence under that limit, found when the task was stored or changed. NULL: no end.
    end_at timestamptz NULL,
    max_occurrences int4 NULL,
    last_fire_time timestamptz NULL,
    -- The calendar whose excluded times the task skips (docs/triggers.md, "Calendars"; NULL: none).
    calendar text NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_definitions_idempotency_key ON task_definitions (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_next_fire_time ON task_definitions (next_fire_time) WHERE next_fire_time IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_changed_at ON task_definitions (changed_at) WHERE changed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_calendar ON task_definitions (calendar) WHERE calendar IS NOT NULL;
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
    version bigint NOT NULL,
    -- The delay the instance drew from its task's jitter window: its first attempt was due at fire_time + jitter.
    jitter interval NOT NULL DEFAULT '0 seconds'
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_instances_definition_fire_time ON task_instances (definition_id, fire_time);
-- The index predicates name TaskInstanceState values: 0 Scheduled and 1 Dispatched (due_at: when due, or when the attempt expires), 5
-- Claimed (lease_expires_at: the end of its lease).
CREATE INDEX IF NOT EXISTS ix_task_instances_due_at ON task_instances (due_at) WHERE status IN (0, 1);
CREATE INDEX IF NOT EXISTS ix_task_instances_lease_expires_at ON task_instances (lease_expires_at) WHERE status = 5;
CREATE INDEX IF NOT EXISTS ix_task_instances_finished_at ON task_instances (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS scheduler_cluster (
    id int4 NOT NULL PRIMARY KEY,
    cluster_name text NOT NULL,
    database_id text NOT NULL,
    created_at timestamptz NOT NULL
);
-- Named calendars of excluded dates and times: their definition as JSON (dates, cron, RRULEs, an iCalendar file, a zone).
CREATE TABLE IF NOT EXISTS scheduler_calendars (
    name text NOT NULL PRIMARY KEY,
    definition text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    changed_at timestamptz NOT NULL
);
-- Per node id, the run of the process that holds it and its last sign of life: a node that starts again under its node id takes its
-- earlier run's claims back at once, and a second live process under one node id is refused.
CREATE TABLE IF NOT EXISTS scheduler_nodes (
    node_id text NOT NULL PRIMARY KEY,
    run_id text NOT NULL,
    started_at timestamptz NOT NULL,
    seen_at timestamptz NOT NULL
);
