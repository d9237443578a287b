using System.Globalization;
using Ical.Net;
using Ical.Net.DataTypes;

namespace Scheduler.Triggers.Phrases;

/// <summary>
/// English descriptions of cron expressions and RRULEs written in the phrase grammar (<see cref="PhraseWriter"/>), so that the description
/// parses back to the same schedule. Shapes the grammar cannot say (cron minute ranges, BYSETPOS, EXDATE, …) get a literal description
/// that does not parse back; <see cref="TryCron"/> and <see cref="TryRRule"/> return null for them.
/// </summary>
internal static partial class TriggerEnglish
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>The schedule a 5- or 6-field cron expression (macros expanded) says, or null when the grammar cannot say it.</summary>
    public static PhraseSchedule? TryCron(string expanded)
    {
        var fields = expanded.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var seconds = fields.Length == 6 ? fields[0] : "0";
        var (minute, hour, dom, month, dow) = fields.Length == 6 ? (fields[1], fields[2], fields[3], fields[4], fields[5]) : (fields[0], fields[1], fields[2], fields[3], fields[4]);
        var s = new PhraseSchedule();
        if (Values(month, 1, 12, MonthNames) is not { } months || (dom != "*" && dom != "?" && dow != "*" && dow != "?"))
        {
            return null;
        }

        if (months.Count < 12)
        {
            s.Months.UnionWith(months);
        }

        if (dow is not "*" and not "?")
        {
            if (NthDay().Match(dow) is { Success: true } nth)
            {
                s.NthDays.Add((nth.Groups["n"].Success ? int.Parse(nth.Groups["n"].Value, CultureInfo.InvariantCulture) : -1, Day(nth.Groups["d"].Value)));
            }
            else if (Values(dow, 0, 7, DayNames) is { } days)
            {
                s.Days.UnionWith(days.Select(d => (DayOfWeek)(d % 7)));
            }
            else
            {
                return null;
            }
        }

        if (dom is not "*" and not "?")
        {
            if (dom == "L")
            {
                s.MonthDays.Add(-1);
            }
            else if (Values(dom, 1, 31, []) is { } monthDays)
            {
                s.MonthDays.UnionWith(monthDays);
            }
            else
            {
                return null;
            }
        }

        if (seconds == "0" && Values(minute, 0, 59, []) is { } ms && Values(hour, 0, 23, []) is { } hs && !minute.Contains('/', StringComparison.Ordinal)
            && !minute.Contains('-', StringComparison.Ordinal) && !hour.Contains('/', StringComparison.Ordinal) && !(minute == "*" || hour == "*"))
        {
            s.Times.AddRange(hs.SelectMany(h => ms.Select(m => new TimeOnly(h, m))));
            s.Unit = s.NthDays.Count > 0 || s.MonthDays.Count > 0 ? (s.Months.Count == 1 && s.MonthDays.Count > 0 && s.NthDays.Count == 0 ? PhraseUnit.Year : PhraseUnit.Month)
                : s.Days.Count is > 0 and < 7 ? PhraseUnit.Week : PhraseUnit.Day;
            if (s.Unit == PhraseUnit.Year && s.Months.Count == 0)
            {
                return null;
            }

            if (s.Days.Count == 7)
            {
                s.Days.Clear();
            }

            return s;
        }

        if (s.NthDays.Count > 0 || s.MonthDays.Count > 0)
        {
            return null;
        }

        // Intervals: "*/n" in the finest field that is not fixed at 0, the coarser ones "*" or an hour range (the window).
        if (seconds != "0" && Step(seconds, 60) is { } everySeconds && minute == "*" && Window(hour) is var (ok1, window1) && ok1)
        {
            return Interval(s, PhraseUnit.Second, everySeconds, window1);
        }

        if (seconds == "0" && Step(minute, 60) is { } everyMinutes && Window(hour) is var (ok2, window2) && ok2)
        {
            return Interval(s, PhraseUnit.Minute, everyMinutes, window2);
        }

        if (seconds == "0" && minute == "0")
        {
            if (Step(hour, 24) is { } everyHours)
            {
                return Interval(s, PhraseUnit.Hour, everyHours, null);
            }

            if (HourRangeStep().Match(hour) is { Success: true } range)
            {
                var from = int.Parse(range.Groups["a"].Value, CultureInfo.InvariantCulture);
                var to = int.Parse(range.Groups["b"].Value, CultureInfo.InvariantCulture);
                var n = range.Groups["n"].Success ? int.Parse(range.Groups["n"].Value, CultureInfo.InvariantCulture) : 1;
                return from < to && n >= 1 ? Interval(s, PhraseUnit.Hour, n, (from, to)) : null;
            }
        }

        return null;
    }

    /// <summary>The schedule an RRULE says, or null when the grammar cannot say it. <paramref name="start"/> is the rule's first occurrence
    /// (not DTSTART, which the rule may not match): from it, a phrase counts the same periods as the rule does from DTSTART.</summary>
    public static PhraseSchedule? TryRRule(RecurrenceRule rule, DateTime start, DateTime? until, bool hasExclusions)
    {
        var setPositions = rule.BySetPosition.Count > 0 && rule.Frequency == FrequencyType.Daily && rule.ByHour.Count > 0 && rule.ByMinute.Count > 0
            && rule.BySetPosition.All(p => p >= 1 && p <= rule.ByHour.Count * rule.ByMinute.Count) ? rule.BySetPosition : null;
        if (hasExclusions || (rule.BySetPosition.Count > 0 && setPositions is null) || rule.ByYearDay.Count > 0 || rule.ByWeekNo.Count > 0
            || rule.BySecond.Any(x => x != 0) || (rule.BySecond.Count == 0 && start.Second != 0 && rule.Frequency > FrequencyType.Secondly)
            || start.Millisecond != 0 || (rule.FirstDayOfWeek != DayOfWeek.Monday && rule.Frequency == FrequencyType.Weekly && rule.Interval > 1))
        {
            return null;
        }

        var s = new PhraseSchedule { Interval = rule.Interval, StartDate = start, Count = rule.Count };
        if (until is { } u)
        {
            var endOfDay = u.TimeOfDay == TimeSpan.FromDays(1) - TimeSpan.FromTicks(1);
            s.Until = endOfDay ? u.Date : u;
            s.UntilIsDate = endOfDay;
        }

        s.Months.UnionWith(rule.ByMonth);
        foreach (var day in rule.ByDay)
        {
            if (day.Offset is { } n)
            {
                if (rule.Frequency is not (FrequencyType.Monthly or FrequencyType.Yearly) || n is < -1 or 0 or > 5 || (rule.Frequency == FrequencyType.Yearly && rule.ByMonth.Count == 0))
                {
                    return null;
                }

                s.NthDays.Add((n, day.DayOfWeek));
            }
            else
            {
                s.Days.Add(day.DayOfWeek);
            }
        }

        if (rule.ByMonthDay.Any(d => d is < -1 or 0))
        {
            return null;
        }

        s.MonthDays.UnionWith(rule.ByMonthDay);
        switch (rule.Frequency)
        {
            case FrequencyType.Secondly or FrequencyType.Minutely or FrequencyType.Hourly:
                if (rule.ByHour.Count > 0 || rule.ByMinute.Count > 0 || s.MonthDays.Count > 0 || s.NthDays.Count > 0)
                {
                    return null;
                }

                s.Unit = rule.Frequency switch { FrequencyType.Secondly => PhraseUnit.Second, FrequencyType.Minutely => PhraseUnit.Minute, _ => PhraseUnit.Hour };
                return s;
            case FrequencyType.Daily:
                s.Unit = PhraseUnit.Day;
                break;
            case FrequencyType.Weekly:
                s.Unit = PhraseUnit.Week;
                if (s.Days.Count == 0)
                {
                    s.Days.Add(start.DayOfWeek);
                }

                break;
            case FrequencyType.Monthly:
                s.Unit = PhraseUnit.Month;
                if (s.MonthDays.Count == 0 && s.NthDays.Count == 0)
                {
                    if (s.Days.Count > 0)
                    {
                        return null;
                    }

                    s.MonthDays.Add(start.Day);
                }

                break;
            default:
                s.Unit = PhraseUnit.Year;
                if (s.Months.Count == 0)
                {
                    s.Months.Add(start.Month);
                }

                if (s.MonthDays.Count == 0 && s.NthDays.Count == 0)
                {
                    s.MonthDays.Add(start.Day);
                }

                if (s.Days.Count > 0 || (s.MonthDays.Contains(-1)))
                {
                    return null;
                }

                break;
        }

        if (s.Days.Count > 0 && (s.MonthDays.Count > 0 || s.NthDays.Count > 0))
        {
            return null;
        }

        var hours = rule.ByHour.Count > 0 ? rule.ByHour.Order().ToList() : [start.Hour];
        var minutes = rule.ByMinute.Count > 0 ? rule.ByMinute.Order().ToList() : [start.Minute];
        var pairings = hours.SelectMany(h => minutes.Select(m => new TimeOnly(h, m))).Order().ToList();
        s.Times.AddRange(setPositions is null ? pairings : setPositions.Distinct().Order().Select(p => pairings[p - 1]));
        return s;
    }

    private static PhraseSchedule Interval(PhraseSchedule s, PhraseUnit unit, int n, (int From, int To)? window)
    {
        s.Unit = unit;
        s.Interval = n;
        s.Window = window;
        if (s.Days.Count == 7)
        {
            s.Days.Clear();
        }

        return s;
    }

    // "*" (1) or "*/n" with n dividing the next unit: the only steps a phrase's interval gives cron.
    private static int? Step(string field, int limit) =>
        field == "*" ? 1 : field.StartsWith("*/", StringComparison.Ordinal) && int.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && limit % n == 0 ? n : null;

    // "*" (no window) or "a-b" (the window from a to b + 1 o'clock) for second and minute intervals.
    private static (bool Ok, (int, int)? Window) Window(string hour)
    {
        if (hour == "*")
        {
            return (true, null);
        }

        var match = HourRangeStep().Match(hour);
        if (!match.Success || match.Groups["n"].Success)
        {
            return (false, null);
        }

        var from = int.Parse(match.Groups["a"].Value, CultureInfo.InvariantCulture);
        var to = int.Parse(match.Groups["b"].Value, CultureInfo.InvariantCulture);
        return from <= to ? (true, (from, (to + 1) % 24)) : (false, null);
    }

    // A cron list of numbers, names and ranges (no steps), or null.
    private static SortedSet<int>? Values(string field, int min, int max, string[] names)
    {
        var result = new SortedSet<int>();
        if (field is "*" or "?")
        {
            result.UnionWith(Enumerable.Range(min == 0 && max == 7 ? 0 : min, min == 0 && max == 7 ? 7 : max - min + 1));
            return result;
        }

        foreach (var part in field.Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => Value(b, names) is null))
            {
                return null;
            }

            var first = Value(bounds[0], names)!.Value;
            var last = Value(bounds[^1], names)!.Value;
            if (first < min || last > max || first > last)
            {
                return null;
            }

            result.UnionWith(Enumerable.Range(first, last - first + 1));
        }

        return result;
    }

    private static int? Value(string text, string[] names)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        var index = Array.FindIndex(names, name => name.Equals(text, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : names.Length == 12 ? index + 1 : index;
    }

    private static DayOfWeek Day(string text) => (DayOfWeek)(Value(text, DayNames)!.Value % 7);

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<d>[0-7]|[A-Za-z]{3})(?:#(?<n>[1-5])|L)$")]
    private static partial System.Text.RegularExpressions.Regex NthDay();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<a>[0-9]{1,2})-(?<b>[0-9]{1,2})(?:/(?<n>[0-9]{1,2}))?$")]
    private static partial System.Text.RegularExpressions.Regex HourRangeStep();
}
