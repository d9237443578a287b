namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IRunnerStore.FailDispatchesAsync"/>.</summary>
public sealed record DispatchFailureRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The failed dispatches.</summary>
    public required IReadOnlyList<DispatchFailure> Failures { get; init; }
}
