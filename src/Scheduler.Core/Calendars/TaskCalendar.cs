using System.Text.RegularExpressions;
using NodaTime;
using Scheduler.Core.Definitions;
using Scheduler.Triggers;
using Scheduler.Triggers.Calendars;

namespace Scheduler.Core.Calendars;

/// <summary>A named calendar as stored with the tasks (table <c>scheduler_calendars</c>); tasks name it in
/// <c>TaskDefinition.Calendar</c>.</summary>
public sealed partial record TaskCalendar
{
    /// <summary>The calendar's name: lower-case letters, digits, <c>_</c> and <c>-</c>, 1 to 64 characters (<see cref="ValidateName"/>).</summary>
    public required string Name { get; init; }

    /// <summary>What it excludes.</summary>
    public required CalendarSpec Spec { get; init; }

    /// <summary>Incremented by every change; 1 when created.</summary>
    public long Version { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed (UTC).</summary>
    public required DateTimeOffset ChangedAt { get; init; }

    /// <summary>Checks a calendar's name: lower-case letters, digits, <c>_</c> and <c>-</c>, starting with a letter or digit, 1 to 64 characters.</summary>
    /// <exception cref="TaskValidationException">The name is not one; the message names it and the rule.</exception>
    internal static void ValidateName(string? name)
    {
        if (name is null || !NameShape().IsMatch(name))
        {
            throw new TaskValidationException(
                $"Calendar name '{name}' is not valid. Use 1 to 64 lower-case letters, digits, '_' and '-', starting with a letter or digit, e.g. 'holidays' or 'uk_bank_holidays'.");
        }
    }

    /// <summary><see cref="CalendarExclusions.Compile"/>, with a part it cannot read reported as a <see cref="TaskValidationException"/>
    /// (same message), the error of every command that names or sets a calendar.</summary>
    /// <exception cref="TaskValidationException">A part cannot be read, or the calendar excludes nothing.</exception>
    internal static CalendarExclusions Compile(CalendarSpec spec, DateTimeZone taskZone)
    {
        try
        {
            return CalendarExclusions.Compile(spec, taskZone);
        }
        catch (TriggerFormatException ex)
        {
            throw new TaskValidationException(ex.Message, ex);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NameShape();
}
