using System.Globalization;
using System.Text.RegularExpressions;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// Reads the cron expressions of MassTransit's recurring schedules (<c>RecurringSchedule.CronExpression</c>), which follow Quartz.NET:
/// <c>second minute hour day-of-month month day-of-week [year]</c>, day-of-week numbered 1 (Sunday) to 7 (Saturday), <c>?</c> for "no value".
/// Gives the 6-field Cronos expression our cron trigger evaluates (Cronos numbers day-of-week 0 (Sunday) to 6 and supports <c>? L W #</c>).
/// A cron macro (<c>@daily</c>, <c>@hourly</c>, …), which Quartz refuses, is taken as the fields it stands for, as wherever cron is accepted.
/// </summary>
internal static partial class QuartzCron
{
    /// <summary>The Cronos expression of Quartz expression <paramref name="expression"/>.</summary>
    /// <exception cref="TaskValidationException">The expression has not 6 or 7 fields, names a year other than <c>*</c>, or a day of week
    /// outside 1-7; the message quotes it and says what to write. Other faults are reported by the cron trigger when the task is stored.</exception>
    public static string ToCronos(string? expression)
    {
        if (expression?.TrimStart().StartsWith('@') == true)
        {
            var expansion = Triggers.CronTrigger.ExpandMacro(expression) ?? throw new TaskValidationException(
                $"Cron macro '{expression}' is not supported. Use @yearly, @monthly, @weekly, @daily, @hourly, @every_minute or @every_second, " +
                "or a Quartz cron expression such as '0 30 9 ? * MON-FRI'.");
            return expansion.Split(' ').Length == 6 ? expansion : "0 " + expansion;
        }

        var fields = (expression ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (6 or 7))
        {
            throw new TaskValidationException(
                $"Cron expression '{expression}' has {fields.Length} fields. A recurring schedule takes a Quartz cron expression: second minute hour " +
                "day-of-month month day-of-week [year], e.g. '0 0/5 * * * ?' (every 5 minutes) or '0 30 9 ? * MON-FRI' (9:30 on weekdays).");
        }

        if (fields.Length == 7 && fields[6] is not ("*" or "?"))
        {
            throw new TaskValidationException(
                $"Cron expression '{expression}' names year '{fields[6]}'; this scheduler supports no year field other than '*'. Leave it out, and end " +
                "the schedule with RecurringSchedule.EndTime instead.");
        }

        var dayOfWeek = DayNumber().Replace(fields[5], match =>
        {
            var day = int.Parse(match.Value, CultureInfo.InvariantCulture);
            if (day is < 1 or > 7)
            {
                throw new TaskValidationException(
                    $"Cron expression '{expression}' has day of week {match.Value}; Quartz numbers the days 1 (SUN) to 7 (SAT). Use 1-7 or SUN-SAT.");
            }

            return (day - 1).ToString(CultureInfo.InvariantCulture);
        });
        return string.Join(' ', fields[..5].Append(dayOfWeek));
    }

    /// <summary>A day number: digits not preceded by <c>/</c> (a step) or <c>#</c> (the n-th weekday of the month), nor by another digit.</summary>
    [GeneratedRegex("(?<![/#0-9])[0-9]+")]
    private static partial Regex DayNumber();
}
