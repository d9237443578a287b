using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>What the runner loop needs: claims on due task instances, their leases, and the transitions that end a claim (dispatched, released, failed, ended); plus what it reads to check its claims.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface IRunnerStore : IInstanceReader
{
    /// <summary>
    /// In one transaction: dead-letters Dispatched instances whose last allowed attempt expired at <see cref="ClaimRequest.Now"/>
    /// (<see cref="TaskInstanceLifecycle.IsExpiredLastAttempt"/>), then claims up to <see cref="ClaimRequest.MaxCount"/> instances, earliest first,
    /// that are due (<see cref="TaskInstanceLifecycle.IsDue"/>: Scheduled within <see cref="ClaimRequest.Horizon"/>, or Dispatched and expired with
    /// attempts left) or whose claim lapsed (<see cref="TaskInstanceLifecycle.HasLapsedClaim"/>). Each becomes
    /// <see cref="Contracts.TaskInstanceState.Claimed"/> by <see cref="ClaimRequest.Owner"/> with the next attempt number reserved and a lease until its due
    /// time (or now, if later) plus <see cref="ClaimRequest.LeaseDuration"/> (<see cref="TaskInstanceLifecycle.Claim"/>).
    /// </summary>
    /// <remarks>Concurrent claimers take disjoint rows. Claimed rows leave the due index, so a burst's later batches do not rescan earlier ones.</remarks>
    Task<ClaimResult> ClaimDueInstancesAsync(ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claimed → Dispatched for each outcome whose claim the owner still holds (<see cref="TaskInstanceLifecycle.HoldsClaim"/>: same owner,
    /// same reserved attempt, still Claimed); the attempt expires at <c>At + ExpireAfter</c>. Others — a claim that lapsed and was taken over,
    /// an attempt whose outcome the saga already applied — are left alone.
    /// </summary>
    /// <returns>How many instances were updated.</returns>
    Task<int> RecordDispatchesAsync(DispatchRecordRequest request, CancellationToken cancellationToken = default);

    /// <summary>Claimed → Scheduled for each claim the owner still holds, giving the reserved attempt number back (<see cref="TaskInstanceLifecycle.Release"/>),
    /// due at <see cref="ReleaseRequest.DueAt"/> when it is set (an occurrence its overlap policy makes wait), else when it was.</summary>
    /// <returns>How many claims were released.</returns>
    Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// For each claim the owner still holds whose dispatch failed for a reason of its own (the broker refused the message, the destination is
    /// invalid): the reserved attempt is used up (<see cref="TaskInstanceLifecycle.FailDispatch"/>) — Claimed → Scheduled due at
    /// <see cref="DispatchFailure.RetryAt"/> with <c>last_error</c> set, or → Failed (dead letter) when <see cref="DispatchFailure.RetryAt"/> is
    /// <see langword="null"/>.
    /// </summary>
    /// <returns>The instance ids that were updated; a failure missing from it found the claim no longer held and changed nothing.</returns>
    Task<IReadOnlyList<Guid>> FailDispatchesAsync(DispatchFailureRequest request, CancellationToken cancellationToken = default);

    /// <summary>Claimed → <see cref="EndClaimsRequest.Status"/> (Cancelled or Skipped, final) for each claim the owner still holds
    /// (<see cref="TaskInstanceLifecycle.End"/>): the runner's answer to a claim of a task that was cancelled, so no new attempt of a cancelled
    /// task is ever dispatched, and to an occurrence its overlap policy skips.</summary>
    /// <returns>How many claims were ended.</returns>
    Task<int> EndClaimsAsync(EndClaimsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Extends to <see cref="LeaseRenewalRequest.LeaseExpiresAt"/> the leases of the claims the owner still holds.</summary>
    /// <returns>The instance ids whose claims were renewed; a claim missing from it is no longer held and must not be dispatched.</returns>
    Task<IReadOnlyList<Guid>> RenewLeasesAsync(LeaseRenewalRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Dispatched → Dispatched with the expiry moved to at least <paramref name="now"/> plus its ExpireAfter, for every running attempt
    /// (<see cref="TaskInstanceLifecycle.GraceAfterOutage"/>): after a broker outage, while which no worker's report could arrive, every attempt
    /// gets its ExpireAfter again to report before it counts as lost.
    /// </summary>
    /// <returns>How many attempts' expiries moved.</returns>
    Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The ids of definitions cancelled, paused, resumed or updated at or after <paramref name="since"/> (UTC,
    /// <see cref="TaskDefinition.ChangedAt"/>), for runners to check the claims they hold on their instances.</summary>
    Task<IReadOnlyList<Guid>> GetDefinitionsChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>The instances of the given definitions that are not final (Scheduled, Claimed or Dispatched): what the overlap policy compares
    /// an occurrence coming due with.</summary>
    Task<IReadOnlyList<OpenOccurrence>> GetOpenOccurrencesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default);
}
