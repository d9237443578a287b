-- 0001: the schema. SQLite scripts run in one transaction each (DDL is transactional in SQLite). Instants are UTC ticks, durations ticks.
CREATE TABLE IF NOT EXISTS task_definitions (
    id TEXT NOT NULL PRIMARY KEY,
    trigger_kind INTEGER NOT NULL,
    trigger_expression TEXT NOT NULL,
    trigger_phrase TEXT NULL,
    time_zone_id TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    payload TEXT NULL,
    expire_after INTEGER NOT NULL,
    retry TEXT NOT NULL,
    misfire INTEGER NOT NULL,
    destination_queue TEXT NULL,
    idempotency_key TEXT NULL,
    created_at INTEGER NOT NULL,
    next_fire_time INTEGER NULL,
    cancelled_at INTEGER NULL,
    version bigint NOT NULL,
    overlap INTEGER NOT NULL DEFAULT 0,
    paused_at INTEGER NULL,
    changed_at INTEGER NULL,
    -- The W3C traceparent of the span that stored the task, so its dispatches join or link to the ScheduleTask's trace.
    trace_parent TEXT NULL,
    -- The task's jitter window (docs/triggers.md, "Jitter"; NULL: none).
    jitter INTEGER NULL,
    -- End conditions (docs/triggers.md, "End conditions"): EndAt (the last instant a fire time may be, inclusive), MaxOccurrences (counted
    -- from the start) and the fire time of the last occurrence under that limit, found when the task was stored or changed. NULL: no end.
    end_at INTEGER NULL,
    max_occurrences INTEGER NULL,
    last_fire_time INTEGER NULL,
    -- The calendar whose excluded times the task skips (docs/triggers.md, "Calendars"; NULL: none).
    calendar TEXT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_definitions_idempotency_key ON task_definitions (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_next_fire_time ON task_definitions (next_fire_time) WHERE next_fire_time IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_changed_at ON task_definitions (changed_at) WHERE changed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_calendar ON task_definitions (calendar) WHERE calendar IS NOT NULL;
CREATE TABLE IF NOT EXISTS task_instances (
    id TEXT NOT NULL PRIMARY KEY,
    definition_id TEXT NOT NULL REFERENCES task_definitions (id),
    fire_time INTEGER NOT NULL,
    status INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    due_at INTEGER NULL,
    expire_after INTEGER NOT NULL,
    retry TEXT NOT NULL,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT NULL,
    lease_expires_at INTEGER NULL,
    dispatched_at INTEGER NULL,
    started_at INTEGER NULL,
    completed_at INTEGER NULL,
    reported_completed_at INTEGER NULL,
    failed_at INTEGER NULL,
    finished_at INTEGER NULL,
    last_error TEXT NULL,
    version bigint NOT NULL,
    -- The delay the instance drew from its task's jitter window: its first attempt was due at fire_time + jitter.
    jitter INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_instances_definition_fire_time ON task_instances (definition_id, fire_time);
-- The index predicates name TaskInstanceState values: 0 Scheduled and 1 Dispatched (due_at: when due, or when the attempt expires), 5
-- Claimed (lease_expires_at: the end of its lease).
CREATE INDEX IF NOT EXISTS ix_task_instances_due_at ON task_instances (due_at) WHERE status IN (0, 1);
CREATE INDEX IF NOT EXISTS ix_task_instances_lease_expires_at ON task_instances (lease_expires_at) WHERE status = 5;
CREATE INDEX IF NOT EXISTS ix_task_instances_finished_at ON task_instances (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS scheduler_cluster (
    id INTEGER NOT NULL PRIMARY KEY,
    cluster_name TEXT NOT NULL,
    database_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- Named calendars of excluded dates and times: their definition as JSON (dates, cron, RRULEs, an iCalendar file, a zone).
CREATE TABLE IF NOT EXISTS scheduler_calendars (
    name TEXT NOT NULL PRIMARY KEY,
    definition TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);
-- Per node id, the run of the process that holds it and its last sign of life: a node that starts again under its node id takes its
-- earlier run's claims back at once, and a second live process under one node id is refused.
CREATE TABLE IF NOT EXISTS scheduler_nodes (
    node_id TEXT NOT NULL PRIMARY KEY,
    run_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
