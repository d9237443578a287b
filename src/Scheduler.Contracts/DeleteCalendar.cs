namespace Scheduler.Contracts;

/// <summary>Command: delete the named calendar. Refused (<see cref="CalendarRejected"/>) while a task that is not cancelled names it; else
/// answered with <see cref="CalendarDeleted"/>.</summary>
public sealed record DeleteCalendar
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }
}
