namespace Scheduler.Triggers.Calendars;

/// <summary>
/// What a calendar excludes (as Quartz.NET's <c>HolidayCalendar</c>, <c>CronCalendar</c> and friends, in one): dates and date ranges, times a
/// cron expression matches, days an RRULE has an occurrence on, and the events of an iCalendar file. A fire time any of them excludes is
/// skipped by every task that names the calendar (docs/triggers.md, "Calendars").
/// </summary>
public sealed record CalendarSpec
{
    /// <summary>What the calendar is for, for people.</summary>
    public string? Description { get; init; }

    /// <summary>The IANA (or Windows) zone its dates and times are read in; <see langword="null"/>: each task's own zone.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Whole days excluded: <c>2025-12-25</c>, or a range with both ends included, <c>2025-12-24..2026-01-01</c>.</summary>
    public IReadOnlyList<string> Dates { get; init; } = [];

    /// <summary>Cron expressions (5 or 6 fields, or a macro) of excluded times: a fire time is excluded when the expression matches it, to
    /// the minute (to the second for 6 fields), e.g. <c>* 0-7,18-23 * * *</c> outside business hours, as Quartz's <c>CronCalendar</c>.</summary>
    public IReadOnlyList<string> Cron { get; init; } = [];

    /// <summary>RRULEs (RFC 5545, with an optional DTSTART; without one it is 1970-01-01) whose occurrences' days are excluded, e.g.
    /// <c>FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25</c>.</summary>
    public IReadOnlyList<string> RRules { get; init; } = [];

    /// <summary>An iCalendar file (RFC 5545, e.g. a holiday calendar exported from a calendar application): every occurrence of its events,
    /// recurring ones included, excludes the times from its start to its end (an all-day event its whole days).</summary>
    public string? ICalendar { get; init; }
}
