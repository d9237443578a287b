using System.Globalization;

namespace Scheduler.Triggers.Phrases;

/// <summary>
/// Writes a <see cref="PhraseSchedule"/> as an English phrase of the grammar, so that the text parses back to the same schedule (what
/// <c>scheduler explain</c> prints for cron, RRULE and phrase triggers).
/// </summary>
internal static class PhraseWriter
{
    private static readonly DayOfWeek[] WeekOrder =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>A time of day as the grammar reads it: <c>9am</c>, <c>9:34pm</c>, <c>noon</c>, <c>midnight</c>.</summary>
    public static string Time(TimeOnly time) => (time.Hour, time.Minute) switch
    {
        (0, 0) => "midnight",
        (12, 0) => "noon",
        var (h, m) => $"{(h % 12 == 0 ? 12 : h % 12)}{(m == 0 ? "" : $":{m:00}")}{(h < 12 ? "am" : "pm")}",
    };

    /// <summary>A day of the month: <c>15th</c>, <c>last day</c>.</summary>
    public static string MonthDay(int day) => day == -1 ? "last day" : Ordinal(day);

    /// <summary>An ordinal: <c>1st</c>, <c>22nd</c>, <c>last</c> (-1).</summary>
    public static string Ordinal(int n) => n == -1 ? "last" : (n % 100) is 11 or 12 or 13 ? $"{n}th" : (n % 10) switch
    {
        1 => $"{n}st",
        2 => $"{n}nd",
        3 => $"{n}rd",
        _ => $"{n}th",
    };

    /// <summary>The phrase for a recurring schedule (not one-shot); times default to midnight for calendar units.</summary>
    public static string Write(PhraseSchedule s)
    {
        var parts = new List<string>();
        var unit = s.Unit ?? PhraseUnit.Day;
        var n = s.Interval;
        var days = new SortedSet<DayOfWeek>(s.Days.Count > 0 ? s.Days : Enum.GetValues<DayOfWeek>());
        days.ExceptWith(s.ExceptDays);
        var restricted = days.Count < 7;
        switch (unit)
        {
            case PhraseUnit.Second or PhraseUnit.Minute or PhraseUnit.Hour:
                var name = unit.ToString().ToLowerInvariant();
                parts.Add(n == 1 ? $"every {name}" : $"every {n} {name}s");
                if (s.Window is var (from, to))
                {
                    parts.Add($"between {Time(new TimeOnly(from, 0))} and {Time(new TimeOnly(to, 0))}");
                }

                if (restricted)
                {
                    parts.Add($"on {DayList(days, plural: true)}");
                }

                break;
            case PhraseUnit.Day when !restricted:
                parts.Add(n == 1 ? "every day" : $"every {n} days");
                break;
            case PhraseUnit.Day or PhraseUnit.Week when n == 1:
                parts.Add($"every {DayList(days, plural: false)}");
                break;
            case PhraseUnit.Day:
                parts.Add($"every {n} days on {DayList(days, plural: true)}");
                break;
            case PhraseUnit.Week:
                parts.Add($"every {n} weeks on {DayList(days, plural: false)}");
                break;
            default:
                var year = unit == PhraseUnit.Year;
                parts.Add(year ? (n == 1 ? "every year" : $"every {n} years") : (n == 1 ? "every month" : $"every {n} months"));
                if (s.NthDays.Count > 0)
                {
                    var byDay = s.NthDays.GroupBy(d => d.Day).ToList();
                    parts.Add("on " + string.Join(" and ", byDay.Select(g => $"the {Join(g.Select(d => Ordinal(d.N)).ToList())} {PhraseParser.DayName(g.Key)}")));
                    if (year)
                    {
                        parts.Add($"of {Join(s.Months.Select(PhraseParser.MonthName).ToList())}");
                    }
                }
                else if (year)
                {
                    parts.Add($"on {Join(s.Months.Select(PhraseParser.MonthName).ToList())} {Join(s.MonthDays.Select(Ordinal).ToList())}");
                }
                else
                {
                    parts.Add($"on the {Join(s.MonthDays.Select(MonthDay).ToList())}");
                }

                if (restricted)
                {
                    parts.Add($"on {DayList(days, plural: true)}");
                }

                break;
        }

        if (s.Months.Count > 0 && unit != PhraseUnit.Year)
        {
            parts.Add($"in {Join(s.Months.Select(PhraseParser.MonthName).ToList())}");
        }

        if (unit is not (PhraseUnit.Second or PhraseUnit.Minute or PhraseUnit.Hour))
        {
            parts.Add($"at {Join((s.Times.Count > 0 ? s.Times.Order().ToList() : [TimeOnly.MinValue]).Select(Time).ToList())}");
        }

        if (s.StartDate is { } start)
        {
            var dateOnly = start.TimeOfDay == TimeSpan.Zero
                || (unit is not (PhraseUnit.Second or PhraseUnit.Minute or PhraseUnit.Hour) && s.Times.Count > 0 && TimeOnly.FromTimeSpan(start.TimeOfDay) <= s.Times.Min());
            parts.Add($"starting {start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{(dateOnly ? "" : $" at {Time(TimeOnly.FromDateTime(start))}")}");
        }

        if (s.Until is { } until)
        {
            parts.Add($"until {until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{(s.UntilIsDate ? "" : $" at {Time(TimeOnly.FromDateTime(until))}")}");
        }

        if (s.Count is { } count)
        {
            parts.Add($"for {count} times");
        }

        return string.Join(' ', parts);
    }

    /// <summary>"monday, wednesday and friday"; "weekday(s)", "weekend(s)".</summary>
    private static string DayList(SortedSet<DayOfWeek> days, bool plural)
    {
        if (days.SetEquals([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]))
        {
            return plural ? "weekdays" : "weekday";
        }

        if (days.SetEquals([DayOfWeek.Saturday, DayOfWeek.Sunday]))
        {
            return plural ? "weekends" : "weekend";
        }

        return Join(WeekOrder.Where(days.Contains).Select(d => PhraseParser.DayName(d) + (plural ? "s" : "")).ToList());
    }

    private static string Join(List<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";
}
