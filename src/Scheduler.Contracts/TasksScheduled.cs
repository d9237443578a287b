namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ScheduleTasks"/>: each task was stored or rejected on its own.</summary>
public sealed record TasksScheduled
{
    /// <summary>One result per task of the command, in the command's order.</summary>
    public required IReadOnlyList<TaskScheduleResult> Results { get; init; }
}
