namespace Scheduler.Core;

/// <summary>Base type of the exceptions Scheduler throws for its own conditions.</summary>
public class SchedulerException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public SchedulerException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SchedulerException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public SchedulerException() { }
}
