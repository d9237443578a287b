namespace Scheduler.Core.Calendars;

/// <summary>A named calendar as stored with the tasks (table <c>scheduler_calendars</c>); tasks name it in
/// <c>TaskDefinition.Calendar</c>.</summary>
public sealed record TaskCalendar
{
    /// <summary>The calendar's name: lower-case letters, digits, <c>_</c> and <c>-</c>, 1 to 64 characters (<see cref="CalendarExclusions.ValidateName"/>).</summary>
    public required string Name { get; init; }

    /// <summary>What it excludes.</summary>
    public required CalendarSpec Spec { get; init; }

    /// <summary>Incremented by every change; 1 when created.</summary>
    public long Version { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed (UTC).</summary>
    public required DateTimeOffset ChangedAt { get; init; }
}
