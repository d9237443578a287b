namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="DeleteCalendar"/>.</summary>
public sealed record CalendarDeleted
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }

    /// <summary><see langword="false"/> when there was no such calendar.</summary>
    public required bool Found { get; init; }
}
