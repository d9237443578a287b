namespace Scheduler.Contracts;

/// <summary>How the <see cref="ScheduleTask.Trigger"/> text is read.</summary>
public enum TriggerKind
{
    /// <summary>Detect the kind from the text: an ISO-8601 instant is <see cref="Once"/>, 5 or 6 cron fields are <see cref="Cron"/>,
    /// text starting with <c>RRULE:</c>, <c>FREQ=</c> or <c>DTSTART</c> is <see cref="RRule"/>, anything else is <see cref="Text"/>.</summary>
    Detect = 0,

    /// <summary>Fire once at an ISO-8601 instant with an offset, e.g. <c>2026-01-05T14:30:00Z</c>; without an offset the time is read in the task's time zone.</summary>
    Once = 1,

    /// <summary>A cron expression as Cronos defines it: 5 fields (minute precision) or 6 fields (leading seconds field), evaluated in the task's time zone.</summary>
    Cron = 2,

    /// <summary>An iCalendar recurrence rule (RFC 5545), e.g. <c>FREQ=WEEKLY;BYDAY=TU</c>, evaluated in the task's time zone.</summary>
    RRule = 3,

    /// <summary>An English phrase such as <c>every other tuesday at 9:34am</c>.</summary>
    Text = 4,
}
