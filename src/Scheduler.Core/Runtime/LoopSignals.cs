namespace Scheduler.Core.Runtime;

/// <summary>Wakes a node's loops before their poll interval ends, e.g. when a task due within the execution window was just scheduled, and
/// keeps this node's runner in step with changes of a task made through this node.</summary>
internal sealed class LoopSignals
{
    internal Signal Scheduler { get; } = new();

    internal Signal Runner { get; } = new();

    /// <summary>Runs the scheduler loop now (it wakes the runner loop when it creates instances).</summary>
    public void WakeScheduler() => Scheduler.Set();

    /// <summary>Runs the runner loop's claim now.</summary>
    public void WakeRunner() => Runner.Set();

    /// <summary>
    /// Runs <paramref name="change"/>, a store operation that cancels, pauses or updates task <paramref name="taskId"/>, in step with this
    /// node's runner: the runner sends nothing of the task while it runs — it first waits until the task's sends in flight are recorded as
    /// dispatched (or released), and holds back its claims that come due — and afterwards checks the claims it holds on the task against the
    /// store, dropping those the change took back, before it sends any again. So once this returns, everything of the task this node sent
    /// was recorded before the change, and nothing the change took back is sent by this node. Other nodes' runners learn of the change from
    /// the store at their next poll.
    /// </summary>
    /// <typeparam name="T">What <paramref name="change"/> returns.</typeparam>
    /// <param name="taskId">The task (definition) id.</param>
    /// <param name="change">The store operation; it gets <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the sends in flight and the change.</param>
    /// <returns>What <paramref name="change"/> returned.</returns>
    public async Task<T> ChangeTaskAsync<T>(Guid taskId, Func<CancellationToken, Task<T>> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (HoldTask is not { } hold || ReleaseTask is not { } release)
        {
            return await change(cancellationToken).ConfigureAwait(false); // a node without runner
        }

        try
        {
            await hold(taskId, cancellationToken).ConfigureAwait(false);
            return await change(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await release(taskId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks the claims this node's runner holds on instances of <paramref name="taskIds"/> against the store, dropping those a change took
    /// back. For a change that reaches several tasks whose ids are known only once it is done (a calendar change replans every task that names
    /// it); a change of one task runs through <see cref="ChangeTaskAsync{T}"/> instead, which also keeps the runner's sends in step.
    /// </summary>
    /// <param name="taskIds">The task (definition) ids; none is allowed.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the check is done (at once on a node without runner, or for no task).</returns>
    public Task NotifyTasksChangedAsync(IReadOnlyCollection<Guid> taskIds, CancellationToken cancellationToken = default) =>
        taskIds is null || taskIds.Count == 0 ? Task.CompletedTask : CheckTasks?.Invoke(taskIds, cancellationToken) ?? Task.CompletedTask;

    internal Func<Guid, CancellationToken, Task>? HoldTask { get; set; }

    internal Func<Guid, Task>? ReleaseTask { get; set; }

    internal Func<IReadOnlyCollection<Guid>, CancellationToken, Task>? CheckTasks { get; set; }

    /// <summary>Whether workers' reports can reach this node now (its report endpoint consumes); while they cannot, the runner claims no expired
    /// attempt, since silence proves nothing. Set by the bus integration; <see langword="true"/> without one.</summary>
    internal bool ReportsArriving
    {
        get => Volatile.Read(ref _reportsArriving);
        set => Volatile.Write(ref _reportsArriving, value);
    }

    /// <summary>Tells the runner that reports can reach this node again after they could not (<see cref="RunnerLoop.ReportsResumed"/>).</summary>
    internal Action? ReportsResumed { get; set; }

    private bool _reportsArriving = true;
}
