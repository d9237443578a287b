namespace Scheduler.Contracts;

/// <summary>
/// What became of one task of a <see cref="ScheduleTasks"/> command: exactly one of <see cref="Scheduled"/> and <see cref="Rejected"/> is set,
/// holding the reply a single <see cref="ScheduleTask"/> would have received.
/// </summary>
public sealed record TaskScheduleResult
{
    /// <summary>Set when the task was stored, or repeated an earlier one (<see cref="TaskScheduled.AlreadyScheduled"/>); else <see langword="null"/>.</summary>
    public TaskScheduled? Scheduled { get; init; }

    /// <summary>Set when the task was invalid and nothing was stored for it; else <see langword="null"/>.</summary>
    public TaskRejected? Rejected { get; init; }
}
