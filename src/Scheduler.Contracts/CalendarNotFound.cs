namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="GetCalendar"/> naming a calendar that does not exist.</summary>
public sealed record CalendarNotFound
{
    /// <summary>The name asked for.</summary>
    public required string Name { get; init; }
}
