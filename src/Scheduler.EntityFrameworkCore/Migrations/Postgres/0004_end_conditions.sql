-- 0004: end conditions (issue #23). A task's EndAt (the last instant a fire time may be, inclusive), MaxOccurrences (counted from its
-- start) and the fire time of its last occurrence under that limit, found when it was stored or changed. NULL: no end.
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS end_at timestamptz NULL;
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS max_occurrences int4 NULL;
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS last_fire_time timestamptz NULL;
