-- The schema as Scheduler 0.1.0 created it (EfTaskStore.EnsureSchemaAsync before versioned migrations), for the upgrade tests.
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
    changed_at INTEGER NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_definitions_idempotency_key ON task_definitions (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_next_fire_time ON task_definitions (next_fire_time) WHERE next_fire_time IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_changed_at ON task_definitions (changed_at) WHERE changed_at IS NOT NULL;
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
    version bigint NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_task_instances_definition_fire_time ON task_instances (definition_id, fire_time);
CREATE INDEX IF NOT EXISTS ix_task_instances_due_at ON task_instances (due_at) WHERE status IN (0, 1);
CREATE INDEX IF NOT EXISTS ix_task_instances_lease_expires_at ON task_instances (lease_expires_at) WHERE status = 5;
CREATE INDEX IF NOT EXISTS ix_task_instances_finished_at ON task_instances (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS scheduler_cluster (
    id INTEGER NOT NULL PRIMARY KEY,
    cluster_name TEXT NOT NULL,
    database_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
