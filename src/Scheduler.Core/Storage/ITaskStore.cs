using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// The storage seam of Scheduler: task definitions, task instances and the claims scheduler nodes hold on them.
/// </summary>
/// <remarks>
/// <para>The protocol follows the one job stores use (Quartz's <c>IJobStore</c>: acquire → fired → complete/release):
/// the scheduler loop materializes due definitions into instances (<see cref="MaterializeDueDefinitionsAsync"/>), the runner loop
/// claims due instances (<see cref="ClaimDueInstancesAsync"/>), keeps its claims alive (<see cref="RenewLeasesAsync"/>), dispatches them and
/// records that (<see cref="RecordDispatchesAsync"/>) or gives them back (<see cref="ReleaseClaimsAsync"/>); the task instance saga applies
/// outcomes (<see cref="ApplyOutcomesAsync"/>). Every instance transition is one of <see cref="TaskInstanceLifecycle"/>'s, fenced by
/// (instance id, attempt, claim owner), and set-based: one statement per batch, never a read-modify-write of whole rows.</para>
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
    /// that are <see cref="Contracts.TaskInstanceState.Scheduled"/> or <see cref="Contracts.TaskInstanceState.Claimed"/> (a claim is cleared; runners learn of the cancellation through
    /// <see cref="GetDefinitionsChangedSinceAsync"/> and drop what they hold). Returns <see langword="false"/> when no such live definition exists.
    /// </summary>
    Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default);


    /// <summary>
    /// In one transaction: reads the definition <see cref="DefinitionChangeRequest.Id"/>, asks <see cref="DefinitionChangeRequest.Edit"/> what
    /// to make of it and, when the edit changes it, takes back its occurrences not yet begun if the edit says so
    /// (<see cref="DefinitionEdit.TakeBack"/>: Scheduled or Claimed instances of which no attempt was handed out, <see cref="TaskInstance.HasBegun"/>,
    /// are deleted; a runner's claim on one is thereby lost) and writes the edited definition with <see cref="TaskDefinition.ChangedAt"/> set to
    /// <see cref="DefinitionChangeRequest.Now"/>: every column but the id, whatever the edit changed (paused or cancelled times included).
    /// Pause, resume, update and scheduling a cancelled task again are such edits.
    /// </summary>
    /// <returns>The definition as it is after the call and whether it changed; <see cref="DefinitionChangeResult.Definition"/> is
    /// <see langword="null"/> when no definition has that id.</returns>
    /// <exception cref="TaskValidationException">Thrown by <see cref="DefinitionChangeRequest.Edit"/>: nothing was written.</exception>
    Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>The calendar named <paramref name="name"/>, or <see langword="null"/>.</summary>
    Task<Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every calendar, by name.</summary>
    Task<IReadOnlyList<Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: creates, replaces (<see cref="CalendarChangeRequest.Spec"/>) or deletes (no spec) the calendar
    /// <see cref="CalendarChangeRequest.Name"/>, and applies <see cref="CalendarChangeRequest.Edit"/> to every definition that names it and is not
    /// cancelled, each as <see cref="ChangeDefinitionAsync"/> applies an edit (taking back its occurrences not yet begun as the edit says, and
    /// setting <see cref="TaskDefinition.ChangedAt"/>, so runners drop their claims). Setting the spec stored already changes nothing.
    /// A new calendar gets version 1, a replaced one the next version; its <c>ChangedAt</c> is <see cref="CalendarChangeRequest.Now"/>.
    /// </summary>
    /// <returns>The calendar as it is after the call (<see langword="null"/> when deleted or absent), whether it changed and which
    /// definitions were edited.</returns>
    /// <exception cref="TaskValidationException">Thrown by <see cref="CalendarChangeRequest.Edit"/> (e.g. a deletion of a calendar still named):
    /// nothing was written.</exception>
    Task<CalendarChangeResult> ChangeCalendarAsync(CalendarChangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="instance"/> (a Scheduled, not yet begun occurrence of a definition) unless an instance with its id, or with its
    /// definition and fire time, exists; a definition that is cancelled, or missing, gets nothing.
    /// </summary>
    /// <returns>The definition (<see langword="null"/> when missing) and whether the instance was added.</returns>
    Task<(TaskDefinition? Definition, bool Added)> AddInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default);

    /// <summary>The ids of definitions cancelled, paused, resumed or updated at or after <paramref name="since"/> (UTC,
    /// <see cref="TaskDefinition.ChangedAt"/>), for runners to check the claims they hold on their instances.</summary>
    Task<IReadOnlyList<Guid>> GetDefinitionsChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>A page of definitions in the order they were created (then by id), filtered by <see cref="DefinitionQuery"/>.</summary>
    Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default);

    /// <summary>A page of one definition's instances, latest fire time first, filtered by <see cref="InstanceQuery.Status"/>.</summary>
    Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default);

    /// <summary>The instances of the given definitions that are not final (Scheduled, Claimed or Dispatched): what the overlap policy compares
    /// an occurrence coming due with.</summary>
    Task<IReadOnlyList<OpenOccurrence>> GetOpenOccurrencesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction per batch: takes up to <see cref="MaterializeRequest.MaxDefinitions"/> live definitions whose next fire time is at or before
    /// <see cref="MaterializeRequest.Horizon"/> and that no other node is materializing, asks <see cref="MaterializeRequest.Plan"/> for each,
    /// inserts the planned instances (skipping any whose (definition, fire time) exists) and sets the planned next fire time.
    /// </summary>
    /// <returns>How many definitions were advanced and instances inserted.</returns>
    Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Applies the task instance saga's decisions, each as one transition fenced by <see cref="TaskInstanceLifecycle.Accepts"/> on the row as it
    /// is now (<see cref="TaskInstanceLifecycle.Apply"/>), all in one transaction.
    /// </summary>
    /// <returns>For each outcome, in order, whether it was applied; <see langword="false"/> means the row changed since the saga read it (or is gone),
    /// so the saga decides again on fresh state.</returns>
    Task<IReadOnlyList<bool>> ApplyOutcomesAsync(IReadOnlyList<InstanceOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="clusterName"/> as the owner of the database, with a new random database id, unless an owner is recorded already
    /// (atomically: of two first nodes, one records); returns the owner as recorded. The owner is never changed.
    /// </summary>
    /// <param name="clusterName">The joining node's <see cref="Runtime.SchedulerOptions.ClusterName"/>.</param>
    /// <param name="now">The current time (UTC), recorded with a first owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The recorded identity; its cluster name differs from <paramref name="clusterName"/> when the database belongs to another cluster.</returns>
    Task<ClusterIdentity> JoinClusterAsync(string clusterName, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the record of <paramref name="identity"/> as the database's owner while the database holds no task definition, so a node that
    /// recorded it and was then refused (a cluster marker: the cluster's queues serve another database) leaves a new database as it found it.
    /// </summary>
    /// <param name="identity">The identity <see cref="JoinClusterAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the record was removed; <see langword="false"/> when another owner is recorded or the database holds tasks.</returns>
    Task<bool> LeaveClusterAsync(ClusterIdentity identity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a run of node <see cref="NodeRunRequest.NodeId"/>, in one transaction: unless another run of that node id showed a sign of life
    /// within <see cref="NodeRunRequest.LivenessTimeout"/> before <see cref="NodeRunRequest.Now"/>, records <see cref="NodeRunRequest.RunId"/> as
    /// the node id's run (live as of now) and ends every claim still leased to the node id (<see cref="TaskInstanceLifecycle.EndEarlierRunClaim"/>):
    /// the run that made them is over, so they are claimable at once, each with its attempt number, as a lapsed claim is. Otherwise writes nothing.
    /// </summary>
    /// <remarks>Two runs that start at once under one node id: one of them starts, the other is told who holds it. Quartz refuses a scheduler
    /// whose instance id another live instance checks in under in the same way.</remarks>
    /// <returns>Whether the run started and how many claims it took back, or who holds the node id.</returns>
    Task<NodeRunStart> StartNodeRunAsync(NodeRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Records a sign of life of run <paramref name="runId"/> of node <paramref name="nodeId"/> at <paramref name="now"/> (UTC), if that
    /// run still holds the node id.</summary>
    /// <returns><see langword="false"/> when another run took the node id over (this run's liveness had lapsed) or none holds it.</returns>
    Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Ends run <paramref name="runId"/> of node <paramref name="nodeId"/> (the node stops): its record is removed if it still holds the
    /// node id, so the node's next start need not wait for its liveness to lapse.</summary>
    /// <returns>Whether the record was removed.</returns>
    Task<bool> EndNodeRunAsync(string nodeId, Guid runId, CancellationToken cancellationToken = default);

    /// <summary>The database server's current time (UTC), the one clock the nodes of a cluster align to (<see cref="Runtime.SchedulerClock"/>);
    /// <see langword="null"/> for a store without a clock of its own (in-memory, or an embedded database on the node's own host).</summary>
    Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken = default);

    /// <summary>The instance with id <paramref name="id"/>, or <see langword="null"/>.</summary>
    Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// What the task instances table says about the cluster at <see cref="ClusterViewRequest.Now"/>, for operators (the admin API and dashboard):
    /// the backlog due now, the nodes holding claims, and the activity per bucket since <see cref="ClusterViewRequest.ActivitySince"/>
    /// (<see cref="ClusterActivity"/> says how it is derived). Reads only; a few aggregate queries, no row per instance leaves the store.
    /// </summary>
    /// <exception cref="ArgumentException">The request's bucket size or range is invalid (<see cref="ClusterActivity.BucketCount"/>).</exception>
    Task<ClusterView> GetClusterViewAsync(ClusterViewRequest request, CancellationToken cancellationToken = default);

    /// <summary>A page of the dead letters: Failed instances of every task (their last allowed attempt failed or expired, or their dispatch was
    /// refused for good), newest <see cref="TaskInstance.FailedAt"/> first, then by id.</summary>
    Task<IReadOnlyList<TaskInstance>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    /// <summary>The instances with the given ids that exist, in no particular order (one round trip, for the saga's batched loads).</summary>
    Task<IReadOnlyList<TaskInstance>> GetInstancesByIdAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);

    /// <summary>The instances of a definition, ordered by fire time.</summary>
    Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes final instances finished before <see cref="CleanupRequest.FinishedBefore"/> and definitions that will not fire again and have no instance left.</summary>
    Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default);
}
