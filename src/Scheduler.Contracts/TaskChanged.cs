namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="PauseTask"/>, <see cref="ResumeTask"/>, <see cref="UpdateTask"/> and <see cref="TriggerTaskNow"/>: the task as it is now.</summary>
public sealed record TaskChanged
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary><see langword="false"/> when the command changed nothing (already paused, not paused, same content, instance already created).</summary>
    public required bool Changed { get; init; }

    /// <summary>The task after the command.</summary>
    public required TaskInfo Task { get; init; }

    /// <summary>The instance created by <see cref="TriggerTaskNow"/>; <see langword="null"/> for the other commands.</summary>
    public Guid? InstanceId { get; init; }

    /// <summary>For an <see cref="UpdateTask"/> with a new English <see cref="UpdateTask.Trigger"/>: how its words that people read in more
    /// than one way were read (as <see cref="TaskScheduled.Readings"/>); <see langword="null"/> when there is none.</summary>
    public IReadOnlyList<string>? Readings { get; init; }
}
