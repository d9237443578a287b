-- The attempt history: every attempt of every instance (who claimed it, when it was dispatched, started and finished, which worker ran it,
-- how it ended, its error). Written by the instance's transitions in their own statements (TaskInstanceLifecycle.Attempts.cs); deleted
-- with the instance (retention, deletes, take-backs). outcome: AttemptOutcome (0 Completed, 1 Failed, 2 DeadLettered, 3 Expired,
-- 4 Released, 5 Cancelled, 6 Skipped); NULL while claimed or running.
CREATE TABLE IF NOT EXISTS task_attempts (
    instance_id uuid NOT NULL REFERENCES task_instances (id) ON DELETE CASCADE,
    attempt int4 NOT NULL,
    claimed_by text NULL,
    claimed_at timestamptz NULL,
    dispatched_at timestamptz NULL,
    started_at timestamptz NULL,
    finished_at timestamptz NULL,
    outcome int4 NULL,
    error text NULL,
    worker text NULL,
    PRIMARY KEY (instance_id, attempt)
);
