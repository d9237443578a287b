namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IRunnerStore.ClaimDueInstancesAsync"/>.</summary>
public sealed record ClaimRequest
{
    /// <summary>The claiming node's id.</summary>
    public required string Owner { get; init; }

    /// <summary>The app's current time (UTC).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Scheduled instances due at or before this instant are claimed (now + execution window).</summary>
    public required DateTimeOffset Horizon { get; init; }

    /// <summary>How long past its due time (or now, if later) a claim lasts.</summary>
    public required TimeSpan LeaseDuration { get; init; }

    /// <summary>At most this many instances are claimed.</summary>
    public required int MaxCount { get; init; }

    /// <summary>
    /// Whether attempts that expired are claimed again (and dead-lettered when they were the last): only while workers' reports can reach the
    /// node, since silence proves nothing while they cannot (a broker outage). <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool ExpiredAttempts { get; init; } = true;
}
