namespace Scheduler.AspNetCore.Security;

/// <summary>What a caller of the admin API may do.</summary>
public enum AdminRole
{
    /// <summary>Read tasks, instances, dead letters and the cluster view (every GET).</summary>
    Read = 0,

    /// <summary>Read, and pause, resume, update, trigger and cancel tasks (every POST and PATCH).</summary>
    Write = 1,
}
