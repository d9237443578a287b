namespace Scheduler.Contracts;

/// <summary>
/// Command: create or replace the named calendar (as Quartz.NET's calendars: <c>HolidayCalendar</c>, <c>AnnualCalendar</c>,
/// <c>CronCalendar</c>, …), whose excluded dates and times the tasks that name it (<see cref="ScheduleTask.Calendar"/>) skip. Sent to the
/// nodes' task-control queue (<see cref="SchedulerEndpoints.TaskControl"/>); answered with <see cref="CalendarChanged"/> or
/// <see cref="CalendarRejected"/>.
/// </summary>
/// <remarks>A change replans every task that names the calendar: their occurrences not yet dispatched are taken back and planned again
/// with it, in the same transaction as the change (as <see cref="UpdateTask"/> does). Give at least one exclusion.</remarks>
public sealed record SetCalendar
{
    /// <summary>The calendar's name: 1 to 64 lower-case letters, digits, <c>_</c> and <c>-</c>, starting with a letter or digit.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for, for people.</summary>
    public string? Description { get; init; }

    /// <summary>The IANA (or Windows) zone its dates and times are read in. <value>Default: each task's own zone.</value></summary>
    public string? TimeZone { get; init; }

    /// <summary>Whole days excluded: <c>2025-12-25</c>, or a range with both ends included, <c>2025-12-24..2026-01-01</c>.</summary>
    public IReadOnlyList<string>? Dates { get; init; }

    /// <summary>Cron expressions (5 or 6 fields, or a macro) of excluded times, matched to the minute (to the second for 6 fields), e.g.
    /// <c>* 0-7,18-23 * * *</c> for outside business hours.</summary>
    public IReadOnlyList<string>? Cron { get; init; }

    /// <summary>RRULEs whose occurrences' days are excluded, e.g. <c>FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25</c> (a DTSTART line may start
    /// them; without one they count from 1970-01-01).</summary>
    public IReadOnlyList<string>? RRules { get; init; }

    /// <summary>The text of an iCalendar file (<c>BEGIN:VCALENDAR</c> …): every occurrence of its events excludes the times from its start to
    /// its end (an all-day event its whole days). At most 1 MiB.</summary>
    public string? ICalendar { get; init; }
}
