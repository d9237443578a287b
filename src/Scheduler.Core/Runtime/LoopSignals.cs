namespace Scheduler.Core.Runtime;

/// <summary>Wakes a node's loops before their poll interval ends, e.g. when a task due within the execution window was just scheduled, and
/// keeps this node's runner in step with changes of a task made through this node.</summary>
public sealed class LoopSignals
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

    internal Func<Guid, CancellationToken, Task>? HoldTask { get; set; }

    internal Func<Guid, Task>? ReleaseTask { get; set; }
}
