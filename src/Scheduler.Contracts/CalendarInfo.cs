namespace Scheduler.Contracts;

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
