using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>What the runner does with an occurrence that comes due, per its task's <see cref="OverlapPolicy"/>.</summary>
internal enum OverlapDecision
{
    /// <summary>Dispatch it now.</summary>
    Dispatch = 0,

    /// <summary>Do not run it: it ends <see cref="Contracts.TaskInstanceState.Skipped"/> with the reason.</summary>
    Skip = 1,

    /// <summary>Let it wait (<see cref="OverlapPolicy.BufferOne"/>): released, and due again one poll interval later.</summary>
    Wait = 2,
}
