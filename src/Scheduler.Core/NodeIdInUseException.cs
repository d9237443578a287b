namespace Scheduler.Core;

/// <summary>
/// A node cannot start: another live process runs under its <see cref="Runtime.SchedulerOptions.NodeId"/> (its run of that node id keeps showing
/// signs of life in the database). Two processes under one node id could take each other's claims, so the second is refused, as Quartz refuses
/// a clustered scheduler whose instance id another live instance uses. The message names the node id and the fix. A configuration error:
/// restarting does not help.
/// </summary>
public sealed class NodeIdInUseException : SchedulerException
{
    /// <summary>Creates the exception with a message.</summary>
    public NodeIdInUseException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public NodeIdInUseException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public NodeIdInUseException() { }
}
