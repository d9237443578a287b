namespace Scheduler.Core.Runtime;

/// <summary>Wakes a node's loops before their poll interval ends, e.g. when a task due within the execution window was just scheduled.</summary>
public sealed class LoopSignals
{
    internal Signal Scheduler { get; } = new();

    internal Signal Runner { get; } = new();

    /// <summary>Runs the scheduler loop now (it wakes the runner loop when it creates instances).</summary>
    public void WakeScheduler() => Scheduler.Set();

    /// <summary>Runs the runner loop's claim now.</summary>
    public void WakeRunner() => Runner.Set();

    /// <summary>Tells this node's runner that a task definition was cancelled, paused or updated, and waits while it checks the claims it holds
    /// on the task's instances against the store, dropping those the change took back (other nodes' runners learn of the change from the
    /// store at their next poll).</summary>
    /// <returns>A task that completes when the check is done (at once on a node without runner).</returns>
    public Task NotifyChangedAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        Changed?.Invoke([taskId], cancellationToken) ?? Task.CompletedTask;

    /// <summary><see cref="NotifyChangedAsync"/> for several tasks at once (a calendar change replans every task that names it): one check of
    /// the claims this node's runner holds on their instances.</summary>
    /// <returns>A task that completes when the check is done (at once on a node without runner, or for no task).</returns>
    public Task NotifyTasksChangedAsync(IReadOnlyCollection<Guid> taskIds, CancellationToken cancellationToken = default) =>
        taskIds is null || taskIds.Count == 0 ? Task.CompletedTask : Changed?.Invoke(taskIds, cancellationToken) ?? Task.CompletedTask;

    internal Func<IReadOnlyCollection<Guid>, CancellationToken, Task>? Changed { get; set; }

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
