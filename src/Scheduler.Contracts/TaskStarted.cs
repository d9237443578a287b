namespace Scheduler.Contracts;

/// <summary>
/// Event: a worker started handling an attempt. The scheduler records the start and from then counts the attempt's ExpireAfter from it (the
/// time the <see cref="TaskDue"/> waited in its queue does not count). <c>AddTaskReporting</c> sends it once a handler has run for a tenth of
/// ExpireAfter (at most a second): a handler that finishes sooner reports only its outcome, which carries its start time.
/// </summary>
public sealed record TaskStarted
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that started.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The worker that sent it: its host name and process id (<c>host/pid</c>), kept in the attempt history. Optional: a worker of an
    /// earlier release sends none.</summary>
    public string? Worker { get; init; }
}
