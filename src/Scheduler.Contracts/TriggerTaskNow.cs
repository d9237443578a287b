namespace Scheduler.Contracts;

/// <summary>
/// Command: run a task once now, as one extra task instance beside its schedule (counted, retried and reported like any other; subject to
/// the task's <see cref="OverlapPolicy"/> if it is recurring). Works on paused tasks too, not on cancelled ones. Answered with
/// <see cref="TaskChanged"/> (whose <see cref="TaskChanged.InstanceId"/> is the new instance), <see cref="TaskNotFound"/> or <see cref="TaskRejected"/>.
/// </summary>
public sealed record TriggerTaskNow
{
    /// <summary>The task to run.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The id of the new task instance, which makes the command idempotent: a second command with the same id creates nothing.
    /// <value>Default: the command's message id, so a redelivered message creates one instance.</value></summary>
    public Guid? InstanceId { get; init; }
}
