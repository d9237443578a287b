namespace Scheduler.Contracts;

/// <summary>Query: every calendar, by name. Answered with <see cref="CalendarList"/>.</summary>
public sealed record ListCalendars;
