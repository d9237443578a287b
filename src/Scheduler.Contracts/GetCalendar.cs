namespace Scheduler.Contracts;

/// <summary>Query: one calendar. Answered with <see cref="CalendarInfo"/> or <see cref="CalendarNotFound"/>.</summary>
public sealed record GetCalendar
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }
}
