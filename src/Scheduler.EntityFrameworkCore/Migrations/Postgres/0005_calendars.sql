-- 0005: calendars (issue #23). Named calendars of excluded dates and times (their definition as JSON: dates, cron, RRULEs, an iCalendar
-- file, a zone), and the calendar a task names. A change of a calendar replans the tasks that name it, found by the index.
CREATE TABLE IF NOT EXISTS scheduler_calendars (
    name text NOT NULL PRIMARY KEY,
    definition text NOT NULL,
    version bigint NOT NULL,
    created_at timestamptz NOT NULL,
    changed_at timestamptz NOT NULL
);
ALTER TABLE task_definitions ADD COLUMN IF NOT EXISTS calendar text NULL;
CREATE INDEX IF NOT EXISTS ix_task_definitions_calendar ON task_definitions (calendar) WHERE calendar IS NOT NULL;
