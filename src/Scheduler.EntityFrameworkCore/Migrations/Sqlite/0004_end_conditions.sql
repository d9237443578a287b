-- 0004: end conditions (issue #23). A task's EndAt (the last instant a fire time may be, inclusive; UTC ticks), MaxOccurrences (counted
-- from its start) and the fire time of its last occurrence under that limit (UTC ticks), found when it was stored or changed. NULL: no end.
ALTER TABLE task_definitions ADD COLUMN end_at INTEGER NULL;
ALTER TABLE task_definitions ADD COLUMN max_occurrences INTEGER NULL;
ALTER TABLE task_definitions ADD COLUMN last_fire_time INTEGER NULL;
