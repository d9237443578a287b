using Scheduler.Contracts;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IRunnerStore.EndClaimsAsync"/>.</summary>
public sealed record EndClaimsRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to end.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }

    /// <summary>The final status: <see cref="TaskInstanceState.Cancelled"/> or <see cref="TaskInstanceState.Skipped"/>.</summary>
    public required TaskInstanceState Status { get; init; }

    /// <summary>When (UTC): the instances' finish time.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Why, for <c>last_error</c>; <see langword="null"/> keeps the one there.</summary>
    public string? Reason { get; init; }
}
