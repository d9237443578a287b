namespace Scheduler.Contracts;

/// <summary>Where a task stands.</summary>
public enum TaskState
{
    /// <summary>The task fires per its trigger.</summary>
    Active = 0,

    /// <summary>Paused by <see cref="PauseTask"/>: it fires nothing until <see cref="ResumeTask"/>.</summary>
    Paused = 1,

    /// <summary>Cancelled by <see cref="CancelTask"/>. Final.</summary>
    Cancelled = 2,

    /// <summary>The trigger fires no more: a one-off task that fired, a recurring one whose trigger ended or that reached its
    /// <see cref="ScheduleTask.EndAt"/> or <see cref="ScheduleTask.MaxOccurrences"/>. Its last instances may still run.</summary>
    Finished = 3,
}
