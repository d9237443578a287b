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

    /// <summary>Tells this node's runner that a task definition was cancelled, so it drops the instances of it that it holds at once
    /// (other nodes' runners learn it from the store at their next poll).</summary>
    public void NotifyCancelled(Guid taskId) => Cancelled?.Invoke(taskId);

    internal event Action<Guid>? Cancelled;
}
