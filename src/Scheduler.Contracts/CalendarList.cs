namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ListCalendars"/>.</summary>
public sealed record CalendarList
{
    /// <summary>The calendars, by name.</summary>
    public required IReadOnlyList<CalendarInfo> Calendars { get; init; }
}
