namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ScheduleTasks"/>: the command as a whole was refused (no tasks, or more than <see cref="ScheduleTasks.MaxTasks"/>)
/// and nothing was stored. Invalid single tasks are answered in <see cref="TasksScheduled"/> instead.</summary>
public sealed record TasksRejected
{
    /// <summary>How many tasks the command carried.</summary>
    public required int TaskCount { get; init; }

    /// <summary>What was wrong and how to fix it.</summary>
    public required string Reason { get; init; }
}
