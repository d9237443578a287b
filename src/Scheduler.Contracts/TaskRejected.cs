namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ScheduleTask"/>: the command was invalid and nothing was stored.</summary>
public sealed record TaskRejected
{
    /// <summary>The task id named in the command, if any.</summary>
    public Guid? TaskId { get; init; }

    /// <summary>The command's idempotency key, if it had one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>What was wrong, naming the offending value and the fix.</summary>
    public required string Reason { get; init; }
}
