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
}
