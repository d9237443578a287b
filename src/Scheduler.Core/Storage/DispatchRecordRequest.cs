namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IRunnerStore.RecordDispatchesAsync"/>.</summary>
public sealed record DispatchRecordRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The dispatches to record.</summary>
    public required IReadOnlyList<DispatchOutcome> Outcomes { get; init; }

    /// <summary>How long each <c>TaskDue</c> may wait in its destination queue before a handler starts it (its time to live there,
    /// <see cref="Runtime.SchedulerOptions.QueueTimeout"/>).</summary>
    public required TimeSpan QueueTimeout { get; init; }
}
