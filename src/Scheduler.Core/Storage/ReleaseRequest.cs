namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IRunnerStore.ReleaseClaimsAsync"/>.</summary>
public sealed record ReleaseRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to release.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }

    /// <summary>When the released instances are due again (UTC); <see langword="null"/> to keep their due time.</summary>
    public DateTimeOffset? DueAt { get; init; }
}
