namespace Scheduler.Triggers;

/// <summary>Thrown when a trigger expression, a time zone or a part of a calendar (<see cref="Calendars.CalendarExclusions.Compile"/>) cannot be
/// read. The message names the value and what would be accepted.</summary>
public sealed class TriggerFormatException : FormatException
{
    /// <summary>Creates the exception with a message.</summary>
    public TriggerFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TriggerFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public TriggerFormatException() { }
}
