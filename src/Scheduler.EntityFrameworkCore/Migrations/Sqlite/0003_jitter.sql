-- 0003: jitter (issue #23). A task's jitter window in ticks (NULL: none), and the delay each instance drew from it in ticks (its first
-- attempt was due at fire_time + jitter; the cluster view measures lateness from then). Existing rows get none and zero.
ALTER TABLE task_definitions ADD COLUMN jitter INTEGER NULL;
ALTER TABLE task_instances ADD COLUMN jitter INTEGER NOT NULL DEFAULT 0;
