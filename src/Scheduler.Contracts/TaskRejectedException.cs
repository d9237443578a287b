namespace Scheduler.Contracts;

/// <summary>A scheduler node answered a command or query with <see cref="TaskRejected"/>: nothing was changed.</summary>
public sealed class TaskRejectedException : Exception
{
    /// <summary>Creates the exception from the node's reply.</summary>
    public TaskRejectedException(TaskRejected rejected)
        : base((rejected ?? throw new ArgumentNullException(nameof(rejected))).Reason)
    {
        TaskId = rejected.TaskId;
        IdempotencyKey = rejected.IdempotencyKey;
    }

    /// <summary>Creates the exception.</summary>
    public TaskRejectedException()
        : base("The scheduler rejected the request.")
    {
    }

    /// <summary>Creates the exception with a message (the reason).</summary>
    public TaskRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TaskRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The task id named in the request, if any.</summary>
    public Guid? TaskId { get; }

    /// <summary>The idempotency key of a rejected <see cref="ScheduleTask"/>, if it had one.</summary>
    public string? IdempotencyKey { get; }
}
