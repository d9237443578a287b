using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// The storage seam of Scheduler: task definitions, task instances and the claims scheduler nodes hold on them.
/// </summary>
/// <remarks>
/// <para>The protocol follows the one job stores use (Quartz's <c>IJobStore</c>: acquire → fired → complete/release):
/// the scheduler loop materializes due definitions into instances (<see cref="MaterializeDueDefinitionsAsync"/>), the runner loop
/// claims due instances (<see cref="ClaimDueInstancesAsync"/>), dispatches them and records that (<see cref="RecordDispatchesAsync"/>) or gives
/// them back (<see cref="ReleaseClaimsAsync"/>); the task instance saga records outcomes (<see cref="TryUpdateInstanceAsync"/>).</para>
/// <para>Every operation is atomic. "Now" always comes from the caller (the app's <see cref="TimeProvider"/>), never from the database's clock.
/// Implementations must be safe for concurrent use by several nodes: two claims never both succeed for one instance.</para>
/// </remarks>
public interface ITaskStore
{
    /// <summary>
    /// Stores new task definitions in one transaction, each unless one with the same <see cref="TaskDefinition.Id"/> or
    /// <see cref="TaskDefinition.IdempotencyKey"/> exists already, in the store or earlier in <paramref name="definitions"/>: then nothing is
    /// written for it and the existing one is returned with <see cref="AddDefinitionResult.AlreadyExisted"/> set.
    /// </summary>
    /// <remarks>Work that arrives together is stored together: the scheduling consumers pass a whole batch of commands in one call, so
    /// intake costs one transaction per batch, not per command. A definition that matches a stored one by id is answered with that one,
    /// else with the one holding its idempotency key; a definition that repeats an earlier one of the batch (same id, else same idempotency
    /// key) is answered with whatever that earlier one was answered with (<see cref="DefinitionBatch"/>).</remarks>
    /// <param name="definitions">The definitions; may be empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One result per definition, in the order of <paramref name="definitions"/>.</returns>
    Task<IReadOnlyList<AddDefinitionResult>> AddDefinitionsAsync(IReadOnlyList<TaskDefinition> definitions, CancellationToken cancellationToken = default);

    /// <summary>The definition with id <paramref name="id"/>, or <see langword="null"/>.</summary>
    Task<TaskDefinition?> GetDefinitionAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops a definition from firing: clears its next fire time, sets <see cref="TaskDefinition.CancelledAt"/> and cancels its instances
    /// that are <see cref="TaskInstanceStatus.Scheduled"/>, claimed or not (a claim is cleared; runners learn of the cancellation through
    /// <see cref="GetDefinitionsCancelledSinceAsync"/> and drop what they hold). Returns <see langword="false"/> when no such live definition exists.
    /// </summary>
    Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The ids of definitions cancelled at or after <paramref name="since"/> (UTC), for runners to drop the instances they hold.</summary>
    Task<IReadOnlyList<Guid>> GetDefinitionsCancelledSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction per batch: takes up to <see cref="MaterializeRequest.MaxDefinitions"/> live definitions whose next fire time is at or before
    /// <see cref="MaterializeRequest.Horizon"/> and that no other node is materializing, asks <see cref="MaterializeRequest.Plan"/> for each,
    /// inserts the planned instances (skipping any whose (definition, fire time) exists) and sets the planned next fire time.
    /// </summary>
    /// <returns>How many definitions were advanced and instances inserted.</returns>
    Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically claims up to <see cref="ClaimRequest.MaxCount"/> unclaimed (or claim-expired) instances, earliest due first, that are either
    /// <see cref="TaskInstanceStatus.Scheduled"/> with <see cref="TaskInstance.DueAt"/> at or before <see cref="ClaimRequest.Horizon"/>, or
    /// <see cref="TaskInstanceStatus.Dispatched"/> with an expired attempt (<see cref="TaskInstance.DueAt"/> at or before <see cref="ClaimRequest.Now"/>).
    /// Each claimed instance gets <see cref="ClaimRequest.Owner"/> as lease owner, a lease until its due time (or now, if later) plus
    /// <see cref="ClaimRequest.LeaseDuration"/>, and the next attempt number reserved (<see cref="TaskInstance.Attempt"/> + 1).
    /// </summary>
    Task<IReadOnlyList<ClaimedInstance>> ClaimDueInstancesAsync(ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records what the runner did with claimed instances: dispatched (status <see cref="TaskInstanceStatus.Dispatched"/>, due again at
    /// <c>At + ExpireAfter</c>) or dead-lettered (status <see cref="TaskInstanceStatus.Failed"/>). Applies only to instances still claimed by
    /// <see cref="DispatchRecordRequest.Owner"/> with the same reserved attempt and not final; others are left alone. Clears the claims.
    /// </summary>
    /// <returns>How many instances were updated.</returns>
    Task<int> RecordDispatchesAsync(DispatchRecordRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gives back claims that were not dispatched: clears the lease and un-reserves the attempt number of each instance still claimed by the owner.</summary>
    /// <returns>How many claims were released.</returns>
    Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default);

    /// <summary>The instance with id <paramref name="id"/>, or <see langword="null"/>.</summary>
    Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The instances of a definition, ordered by fire time.</summary>
    Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="instance"/>'s state if the stored <see cref="TaskInstance.Version"/> still equals <paramref name="instance"/>'s,
    /// and increments the version. Returns <see langword="false"/> (writing nothing) when another writer got there first or the instance is gone.
    /// </summary>
    Task<bool> TryUpdateInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default);

    /// <summary>Deletes final instances finished before <see cref="CleanupRequest.FinishedBefore"/> and definitions that will not fire again and have no instance left.</summary>
    Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default);
}
