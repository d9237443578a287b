namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="SetCalendar"/> or <see cref="DeleteCalendar"/>: refused, nothing changed.</summary>
public sealed record CalendarRejected
{
    /// <summary>The calendar's name as given.</summary>
    public required string Name { get; init; }

    /// <summary>What was wrong, naming the value and the fix.</summary>
    public required string Reason { get; init; }
}
