namespace Scheduler.Core.Storage;

/// <summary>
/// The storage seam of Scheduler: task definitions, task instances and the claims scheduler nodes hold on them.
/// </summary>
/// <remarks>
/// <para>The protocol follows the one job stores use (Quartz's <c>IJobStore</c>: acquire → fired → complete/release):
/// the scheduler loop materializes due definitions into instances (<see cref="IMaterializerStore.MaterializeDueDefinitionsAsync"/>), the runner loop
/// claims due instances (<see cref="IRunnerStore.ClaimDueInstancesAsync"/>), keeps its claims alive (<see cref="IRunnerStore.RenewLeasesAsync"/>), dispatches them and
/// records that (<see cref="IRunnerStore.RecordDispatchesAsync"/>) or gives them back (<see cref="IRunnerStore.ReleaseClaimsAsync"/>); the task instance saga applies
/// outcomes (<see cref="IOutcomeStore.ApplyOutcomesAsync"/>). Every instance transition is one of <see cref="TaskInstanceLifecycle"/>'s, fenced by
/// (instance id, attempt, claim owner), and set-based: one statement per batch, never a read-modify-write of whole rows.</para>
/// <para>Every operation is atomic. "Now" always comes from the caller (the app's <see cref="TimeProvider"/>), never from the database's clock.
/// Implementations must be safe for concurrent use by several nodes: two claims never both succeed for one instance.</para>
/// <para>Its operations are split by who calls them, and each caller depends on its port only: <see cref="IDefinitionStore"/> (intake and
/// task control), <see cref="IMaterializerStore"/> (the scheduler loop), <see cref="IRunnerStore"/> (the runner loop), <see cref="IOutcomeStore"/>
/// (the task instance saga), <see cref="INodeStore"/> (cluster membership, node runs, the clock), <see cref="IAdminStore"/> (operators' reads)
/// and <see cref="ICleanupStore"/> (the cleanup loop). The registrations of <c>AddScheduler</c> resolve every port to the one store.</para>
/// </remarks>
public interface ITaskStore : IDefinitionStore, IMaterializerStore, IRunnerStore, IOutcomeStore, INodeStore, IAdminStore, ICleanupStore;
