-- The W3C traceparent of the span that stored the task, so its dispatches join or link to the ScheduleTask's trace (NULL for older tasks).
-- ADD COLUMN IF NOT EXISTS: the migrator leaves this statement out when the column is there already (a database of a pre-release build).
ALTER TABLE task_definitions ADD COLUMN trace_parent TEXT NULL;
