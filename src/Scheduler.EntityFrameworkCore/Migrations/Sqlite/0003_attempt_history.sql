-- The attempt history: every attempt of every instance (who claimed it, when it was dispatched, started and finished, which worker ran it,
-- how it ended, its error). Written by the instance's transitions in their own statements (TaskInstanceLifecycle.Attempts.cs); deleted
-- with the instance (retention, deletes, take-backs). outcome: AttemptOutcome (0 Completed, 1 Failed, 2 DeadLettered, 3 Expired,
-- 4 Released, 5 Cancelled, 6 Skipped); NULL while claimed or running.
CREATE TABLE IF NOT EXISTS task_attempts (
    instance_id TEXT NOT NULL REFERENCES task_instances (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    claimed_by TEXT NULL,
    claimed_at INTEGER NULL,
    dispatched_at INTEGER NULL,
    started_at INTEGER NULL,
    finished_at INTEGER NULL,
    outcome INTEGER NULL,
    error TEXT NULL,
    worker TEXT NULL,
    PRIMARY KEY (instance_id, attempt)
);
