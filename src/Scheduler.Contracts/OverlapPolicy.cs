namespace Scheduler.Contracts;

/// <summary>
/// What happens when an occurrence of a recurring task comes due while an earlier occurrence of the same task is still active: dispatched
/// and not yet completed, failed for good or expired without attempts left, or waiting for a retry. The names and the default follow
/// Temporal's schedule overlap policies and Quartz's <c>DisallowConcurrentExecution</c>. One-off tasks fire once and are never checked.
/// </summary>
public enum OverlapPolicy
{
    /// <summary>The new occurrence is not run: it is recorded as <see cref="TaskInstanceState.Skipped"/>, with the reason, in the task's
    /// instance history (the default).</summary>
    Skip = 0,

    /// <summary>The new occurrence waits and runs when the active one ends; while one occurrence waits, any further one is skipped.</summary>
    BufferOne = 1,

    /// <summary>Every occurrence runs when due, beside any still active.</summary>
    AllowAll = 2,
}
