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

/// <summary>Command: delete the named calendar. Refused (<see cref="CalendarRejected"/>) while a task that is not cancelled names it; else
/// answered with <see cref="CalendarDeleted"/>.</summary>
public sealed record DeleteCalendar
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }
}

/// <summary>Query: one calendar. Answered with <see cref="CalendarInfo"/> or <see cref="CalendarNotFound"/>.</summary>
public sealed record GetCalendar
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }
}

/// <summary>Query: every calendar, by name. Answered with <see cref="CalendarList"/>.</summary>
public sealed record ListCalendars;

/// <summary>A calendar as stored. Reply to <see cref="GetCalendar"/>; element of <see cref="CalendarList"/>.</summary>
public sealed record CalendarInfo
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>The zone its dates and times are read in; <see langword="null"/>: each task's own.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The dates and date ranges it excludes.</summary>
    public required IReadOnlyList<string> Dates { get; init; }

    /// <summary>The cron expressions of the times it excludes.</summary>
    public required IReadOnlyList<string> Cron { get; init; }

    /// <summary>The RRULEs whose days it excludes.</summary>
    public required IReadOnlyList<string> RRules { get; init; }

    /// <summary>The iCalendar file whose events it excludes, if any.</summary>
    public string? ICalendar { get; init; }

    /// <summary>Incremented by every change; 1 when created.</summary>
    public required long Version { get; init; }

    /// <summary>When it was created (UTC instant).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed (UTC instant).</summary>
    public required DateTimeOffset ChangedAt { get; init; }
}

/// <summary>Reply to <see cref="ListCalendars"/>.</summary>
public sealed record CalendarList
{
    /// <summary>The calendars, by name.</summary>
    public required IReadOnlyList<CalendarInfo> Calendars { get; init; }
}

/// <summary>Reply to <see cref="SetCalendar"/>: the calendar as stored now.</summary>
public sealed record CalendarChanged
{
    /// <summary>The calendar after the command.</summary>
    public required CalendarInfo Calendar { get; init; }

    /// <summary><see langword="false"/> when the command set what was stored already.</summary>
    public required bool Changed { get; init; }

    /// <summary>How many tasks that name the calendar were planned again with it.</summary>
    public required int TasksReplanned { get; init; }
}

/// <summary>Reply to <see cref="DeleteCalendar"/>.</summary>
public sealed record CalendarDeleted
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }

    /// <summary><see langword="false"/> when there was no such calendar.</summary>
    public required bool Found { get; init; }
}

/// <summary>Reply to <see cref="GetCalendar"/> naming a calendar that does not exist.</summary>
public sealed record CalendarNotFound
{
    /// <summary>The name asked for.</summary>
    public required string Name { get; init; }
}

/// <summary>Reply to <see cref="SetCalendar"/> or <see cref="DeleteCalendar"/>: refused, nothing changed.</summary>
public sealed record CalendarRejected
{
    /// <summary>The calendar's name as given.</summary>
    public required string Name { get; init; }

    /// <summary>What was wrong, naming the value and the fix.</summary>
    public required string Reason { get; init; }
}
