-- The W3C traceparent of the span that stored the task, so its dispatches join or link to the ScheduleTask's trace (NULL for older tasks).
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS trace_parent text NULL;
