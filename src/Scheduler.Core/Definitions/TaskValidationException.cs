namespace Scheduler.Core.Definitions;

/// <summary>Thrown when a <see cref="Contracts.ScheduleTask"/> is invalid. Nothing was stored. The message names the value and the fix.</summary>
public sealed class TaskValidationException : SchedulerException
{
    /// <summary>Creates the exception with a message.</summary>
    public TaskValidationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TaskValidationException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public TaskValidationException() { }
}
