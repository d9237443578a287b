namespace Scheduler.Contracts;

/// <summary>
/// Event: a worker's handler threw. The scheduler retries per the task's <see cref="RetryPolicy"/> or, after the last attempt,
/// marks the instance failed and publishes <see cref="TaskDeadLettered"/>.
/// </summary>
/// <remarks>
/// Scheduler reports failures with this explicit event rather than MassTransit's <c>Fault&lt;TaskDue&gt;</c>: it is small (no copy of the
/// payload), it is published once per attempt whatever retry middleware the worker's endpoint has, and the retry decision stays with the scheduler.
/// MassTransit still publishes its own <c>Fault&lt;TaskDue&gt;</c> for a failed handler (unless the endpoint turns fault publishing off);
/// Scheduler neither needs nor consumes it.
/// </remarks>
public sealed record TaskFailed
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that failed.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the handler threw (UTC instant, worker's clock).</summary>
    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The exception's full type name.</summary>
    public required string ExceptionType { get; init; }

    /// <summary>The exception's message.</summary>
    public required string Reason { get; init; }

    /// <summary>The worker that sent it: its host name and process id (<c>host/pid</c>), kept in the attempt history. Optional: a worker of an
    /// earlier release sends none.</summary>
    public string? Worker { get; init; }
}
