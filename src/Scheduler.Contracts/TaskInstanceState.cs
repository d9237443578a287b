namespace Scheduler.Contracts;

/// <summary>Where a task instance stands (the lifecycle's states; docs/guarantees.md has the table).</summary>
public enum TaskInstanceState
{
    /// <summary>Waiting to be dispatched at its due time (the first attempt, or a retry).</summary>
    Scheduled = 0,

    /// <summary>An attempt was dispatched and has no outcome yet.</summary>
    Dispatched = 1,

    /// <summary>An attempt completed. Final.</summary>
    Completed = 2,

    /// <summary>The last allowed attempt failed or expired (dead-lettered). Final.</summary>
    Failed = 3,

    /// <summary>The task was cancelled before this instance was dispatched, or while it waited for a retry. Final.</summary>
    Cancelled = 4,

    /// <summary>A scheduler node holds it and dispatches it at its due time.</summary>
    Claimed = 5,

    /// <summary>Not run because an earlier occurrence was still active (<see cref="OverlapPolicy"/>). Final.</summary>
    Skipped = 6,
}
