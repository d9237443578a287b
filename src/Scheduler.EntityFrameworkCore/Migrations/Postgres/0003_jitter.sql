-- 0003: jitter (issue #23). A task's jitter window (NULL: none), and the delay each instance drew from it (its first attempt was due at
-- fire_time + jitter; the cluster view measures lateness from then). Existing rows get none and zero.
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS jitter interval NULL;
ALTER TABLE task_instances ADD COLUMN IF NOT EXISTS jitter interval NOT NULL DEFAULT '0 seconds';
