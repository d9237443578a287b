namespace Scheduler.Contracts;

/// <summary>
/// What the scheduler does with fire times that passed while no scheduler node was running (a misfire):
/// an occurrence is misfired when it is older than the node's misfire threshold when it is first materialized.
/// </summary>
public enum MisfirePolicy
{
    /// <summary>Run the missed occurrences once, as a single task instance for the first missed fire time, then continue on schedule (the default).</summary>
    FireOnce = 0,

    /// <summary>Run every missed occurrence (catch up), each as its own task instance.</summary>
    FireAll = 1,

    /// <summary>Run none of the missed occurrences; continue with the next fire time that is not misfired.</summary>
    Skip = 2,
}
