namespace Scheduler.Triggers;

/// <summary>
/// A trigger as read from its text (<see cref="TriggerFactory.Read"/>), with what an English phrase says besides its fire times.
/// </summary>
/// <param name="Trigger">The trigger: for a phrase, a <see cref="TextTrigger"/> or, for a one-shot phrase, an <see cref="ExecuteOnceTrigger"/>.</param>
public sealed record ParsedTrigger(ITrigger Trigger)
{
    /// <summary>How words of the phrase that people read in more than one way were read, one English sentence each, e.g. "'next friday' is
    /// read as Friday 2025-01-03, the first Friday after 2025-01-01 (the start), not Friday 2025-01-10 of the week after: write '2025-01-10'
    /// for that one." Empty for cron, RRULE and instants, and for phrases with one reading. docs/triggers.md ("Words read one way") lists
    /// them; the reply to a scheduling command and <c>scheduler explain</c> show them.</summary>
    public IReadOnlyList<string> Readings { get; init; } = [];

    /// <summary>The end an English phrase gives (<c>until 2026-12-31</c>, <c>until 5pm</c>, <c>for 3 weeks</c>): the last instant a fire time
    /// may be, inclusive (UTC); the task's <see cref="Contracts.ScheduleTask.EndAt"/>. <see langword="null"/> when it gives none.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The calendar an English phrase names (<c>every weekday at 9am except holidays</c>): the task's
    /// <see cref="Contracts.ScheduleTask.Calendar"/>. <see langword="null"/> when it names none.</summary>
    public string? Calendar { get; init; }

    /// <summary>The number of occurrences an English phrase gives (<c>10 times</c>, <c>for 10 times</c>), counted from the task's start; the
    /// task's <see cref="Contracts.ScheduleTask.MaxOccurrences"/>. <see langword="null"/> when it gives none.</summary>
    public int? MaxOccurrences { get; init; }
}
