using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IMaterializerStore.MaterializeDueDefinitionsAsync"/>.</summary>
public sealed record MaterializeRequest
{
    /// <summary>The app's current time (UTC).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Definitions whose next fire time is at or before this instant are due (now + execution window).</summary>
    public required DateTimeOffset Horizon { get; init; }

    /// <summary>At most this many definitions are taken per call.</summary>
    public required int MaxDefinitions { get; init; }

    /// <summary>Pure function that plans one definition, given the calendar it names as read in the same transaction (<see langword="null"/>
    /// when it names none, or the calendar is gone); it may be called again for the same definition if the store retries a transaction.</summary>
    public required Func<TaskDefinition, Calendars.TaskCalendar?, MaterializePlan> Plan { get; init; }
}
