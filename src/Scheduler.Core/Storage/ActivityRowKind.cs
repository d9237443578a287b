namespace Scheduler.Core.Storage;

/// <summary>What an <see cref="ActivityRow"/> counts (the numbers are the EF Core store's SQL's).</summary>
public enum ActivityRowKind
{
    /// <summary>Completions recorded (<c>completed_at</c>).</summary>
    Completed = 0,

    /// <summary>Dead letters (<c>failed_at</c> of Failed instances).</summary>
    Failed = 1,

    /// <summary>First attempts dispatched, with their lateness.</summary>
    Dispatched = 2,

    /// <summary>First attempts whose fire time passed (they join the backlog).</summary>
    Arrived = 3,

    /// <summary>First attempts dispatched or finished (they leave the backlog), at the later of that and their fire time.</summary>
    Left = 4,

    /// <summary>First attempts in the backlog when the activity starts (bucket -1).</summary>
    WaitingAtStart = 5,
}
