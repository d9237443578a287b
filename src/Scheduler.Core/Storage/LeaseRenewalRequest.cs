namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IRunnerStore.RenewLeasesAsync"/>.</summary>
public sealed record LeaseRenewalRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to renew.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }

    /// <summary>The new end of every renewed lease (UTC).</summary>
    public required DateTimeOffset LeaseExpiresAt { get; init; }
}
