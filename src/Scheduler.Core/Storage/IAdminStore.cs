using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>What operators read (the admin API, the dashboard and the bus's queries): task instances, dead letters and the cluster view.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface IAdminStore : IAttemptReader
{
    /// <summary>The instance with id <paramref name="id"/>, or <see langword="null"/>.</summary>
    Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>A page of one definition's instances, latest fire time first, filtered by <see cref="InstanceQuery.Status"/>.</summary>
    Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default);

    /// <summary>The instances of a definition, ordered by fire time.</summary>
    Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The earliest fire time after <paramref name="after"/> of each definition's occurrences not yet begun
    /// (<see cref="TaskInstanceLifecycle.IsNotBegun"/>: Scheduled or Claimed, no attempt handed out), for operators' views of a page of tasks:
    /// one grouped query for the whole page.
    /// </summary>
    /// <param name="definitionIds">The definitions; may be empty or repeat an id.</param>
    /// <param name="after">Fire times at or before this instant (UTC) are left out.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The earliest such fire time (UTC) by definition id; a definition without one is absent.</returns>
    Task<IReadOnlyDictionary<Guid, DateTimeOffset>> GetNextPendingFireTimesAsync(IReadOnlyCollection<Guid> definitionIds, DateTimeOffset after,
        CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="count"/> fire times after <paramref name="after"/> of definition <paramref name="definitionId"/>'s
    /// occurrences not yet begun (<see cref="TaskInstanceLifecycle.IsNotBegun"/>), earliest first.</summary>
    /// <param name="definitionId">The definition.</param>
    /// <param name="after">Fire times at or before this instant (UTC) are left out.</param>
    /// <param name="count">The most fire times returned: 1 or more.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Up to <paramref name="count"/> fire times (UTC), ascending.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    Task<IReadOnlyList<DateTimeOffset>> GetPendingFireTimesAsync(Guid definitionId, DateTimeOffset after, int count,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Each definition's last outcome: its instance with an outcome (<see cref="TaskInstanceLifecycle.HasOutcome"/>: Completed, Failed or
    /// Skipped) that finished last (latest <see cref="TaskInstance.FinishedAt"/>, then highest id), for operators' views of a page of tasks:
    /// a few grouped queries for the whole page.
    /// </summary>
    /// <param name="definitionIds">The definitions; may be empty or repeat an id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>That instance by definition id; a definition without one (none finished yet, or retention deleted them) is absent.</returns>
    Task<IReadOnlyDictionary<Guid, TaskInstance>> GetLastOutcomesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Each destination queue's load (<see cref="DestinationLoad"/>): its backlog due at <paramref name="now"/>, its instances in flight, its
    /// dead letters since <paramref name="failedSince"/> and its last dispatch, for operators' destinations view: one grouped query over the
    /// instances joined to their definitions (<see cref="DestinationLoad.Query"/>). Broadcast tasks (no destination queue) are left out.
    /// </summary>
    /// <param name="now">The time (UTC) the backlog is due by.</param>
    /// <param name="failedSince">Dead letters that finished at or after this instant (UTC) are counted, e.g. 24 hours before <paramref name="now"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One load per destination queue with an instance stored, in no particular order.</returns>
    Task<IReadOnlyList<DestinationLoad>> GetDestinationLoadsAsync(DateTimeOffset now, DateTimeOffset failedSince, CancellationToken cancellationToken = default);

    /// <summary>A page of the dead letters: Failed instances of every task (their last allowed attempt failed or expired, or their dispatch was
    /// refused for good), newest <see cref="TaskInstance.FailedAt"/> first, then by id.</summary>
    Task<IReadOnlyList<TaskInstance>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requeues the dead letters among <paramref name="instanceIds"/> (<see cref="TaskInstanceLifecycle.IsDeadLetter"/>) in one transaction:
    /// each becomes Scheduled, due at <paramref name="now"/>, with a fresh attempt budget (<see cref="TaskInstanceLifecycle.Requeue"/>). Ids of
    /// instances that are missing or not Failed are left out of the result and change nothing.
    /// </summary>
    /// <param name="instanceIds">The task instances to requeue; may be empty or repeat an id.</param>
    /// <param name="now">The time (UTC) they come due.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ids of the instances requeued.</returns>
    Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requeues, in one transaction, the oldest dead letters that <paramref name="request"/>'s filter selects
    /// (<see cref="TaskInstanceLifecycle.IsRequeueCandidate"/>), at most its <see cref="Contracts.DeadLetterFilter.Limit"/>, ordered by when they
    /// dead-lettered, then by id; each as <see cref="RequeueDeadLettersAsync"/> does (<see cref="TaskInstanceLifecycle.Requeue"/>). A requeued
    /// instance is no longer a dead letter, so calling again until <see cref="DeadLetterRequeueResult.More"/> is false requeues them all, and a
    /// repeat changes nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The filter's <see cref="Contracts.DeadLetterFilter.Limit"/> is less than 1.</exception>
    Task<DeadLetterRequeueResult> RequeueMatchingDeadLettersAsync(DeadLetterRequeueRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes task definition <paramref name="id"/> and all its instances in one transaction, cancelled or not, unless an instance of it is in
    /// flight (<see cref="TaskInstanceLifecycle.IsInFlight"/>: Claimed or Dispatched), in which case nothing changes.
    /// </summary>
    /// <param name="id">The task definition.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of instances deleted with it, or <see langword="null"/> when there is no such task (a repeat of a delete).</returns>
    /// <exception cref="TaskValidationException">An instance is Claimed or Dispatched; the message counts them and says to cancel the task and
    /// wait until they finish.</exception>
    Task<int?> DeleteDefinitionAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Deletes the finished task instance <paramref name="id"/> (<see cref="TaskInstanceLifecycle.RequireDeletable"/>: Completed,
    /// Failed, Cancelled or Skipped), fenced by the version read.</summary>
    /// <param name="id">The task instance.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The instance as it was deleted, or <see langword="null"/> when there is no such instance (a repeat of a delete).</returns>
    /// <exception cref="TaskValidationException">The instance is not finished, or changed while being deleted; nothing changed.</exception>
    Task<TaskInstance?> DeleteInstanceAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Brings forward the retry of task instance <paramref name="id"/> (<see cref="TaskInstanceLifecycle.RequireWaitingForRetry"/>:
    /// Scheduled after a failed attempt): it becomes due at <paramref name="now"/>, its attempt count and budget kept
    /// (<see cref="TaskInstanceLifecycle.RetryNow"/>), fenced by the version read.</summary>
    /// <param name="id">The task instance.</param>
    /// <param name="now">The time (UTC) it comes due.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The instance after the call (<see langword="null"/> when there is no such instance), and whether it changed: <see langword="false"/>
    /// when it was due already.</returns>
    /// <exception cref="TaskValidationException">The instance is not waiting for a retry (e.g. a dead letter: requeue it instead), or changed
    /// meanwhile; nothing changed.</exception>
    Task<(TaskInstance? Instance, bool Changed)> RetryInstanceNowAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// What the task instances table says about the cluster at <see cref="ClusterViewRequest.Now"/>, for operators (the admin API and dashboard):
    /// the backlog due now, the nodes (<see cref="NodeStatus"/>), and the activity per bucket since <see cref="ClusterViewRequest.ActivitySince"/>
    /// (<see cref="ClusterActivity"/> says how it is derived). Reads only; a few aggregate queries, no row per instance leaves the store.
    /// </summary>
    /// <exception cref="ArgumentException">The request's bucket size or range is invalid (<see cref="ClusterActivity.BucketCount"/>).</exception>
    Task<ClusterView> GetClusterViewAsync(ClusterViewRequest request, CancellationToken cancellationToken = default);
}
