namespace Scheduler.Core;

/// <summary>
/// A node cannot join its cluster: its database was started under another cluster name, or its cluster's queues are already used by a node
/// of another database. The message names both sides and the fix. A configuration error: restarting does not help.
/// </summary>
public sealed class ClusterMismatchException : SchedulerException
{
    /// <summary>Creates the exception with a message.</summary>
    public ClusterMismatchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public ClusterMismatchException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public ClusterMismatchException() { }
}
