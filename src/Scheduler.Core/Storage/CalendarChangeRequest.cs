using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IDefinitionStore.ChangeCalendarAsync"/>.</summary>
public sealed record CalendarChangeRequest
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }

    /// <summary>What the calendar excludes from now on; <see langword="null"/> deletes it.</summary>
    public Triggers.Calendars.CalendarSpec? Spec { get; init; }

    /// <summary>The app's current time (UTC): the calendar's change time, and the edited definitions'.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Pure function from a definition that names the calendar (a copy) and the calendar after the change (<see langword="null"/>
    /// when deleted) to its edit, or <see langword="null"/> to leave it; it may throw <see cref="Definitions.TaskValidationException"/> to refuse
    /// the whole change, and may be called again if the store retries the transaction.</summary>
    public required Func<TaskDefinition, Calendars.TaskCalendar?, DefinitionEdit?> Edit { get; init; }
}
