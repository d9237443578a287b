namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="IDefinitionStore.ChangeCalendarAsync"/>.</summary>
/// <param name="Calendar">The calendar after the call; <see langword="null"/> when deleted or absent.</param>
/// <param name="Changed">Whether anything was written.</param>
/// <param name="EditedDefinitions">The ids of the definitions edited.</param>
public sealed record CalendarChangeResult(Calendars.TaskCalendar? Calendar, bool Changed, IReadOnlyList<Guid> EditedDefinitions);
