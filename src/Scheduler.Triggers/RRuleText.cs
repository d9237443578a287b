using System.Globalization;
using Ical.Net;
using Ical.Net.DataTypes;

namespace Scheduler.Triggers;

/// <summary>English descriptions of recurrence rules, e.g. "every 2 weeks on Tuesday at 09:34".</summary>
internal static class RRuleText
{
    public static string Describe(RecurrenceRule rule, DateTime start)
    {
        var unit = rule.Frequency switch
        {
            FrequencyType.Secondly => "second",
            FrequencyType.Minutely => "minute",
            FrequencyType.Hourly => "hour",
            FrequencyType.Daily => "day",
            FrequencyType.Weekly => "week",
            FrequencyType.Monthly => "month",
            _ => "year",
        };
        var parts = new List<string> { rule.Interval == 1 ? $"every {unit}" : $"every {rule.Interval} {unit}s" };
        if (rule.ByMonth.Count > 0)
        {
            parts.Add("in " + string.Join(", ", rule.ByMonth.Select(m => CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(m))));
        }

        // BYMONTHDAY=d,-1;BYSETPOS=1[,2…]: day d, or the last day of a month without it (a phrase that keeps the phase of its start).
        var clamped = rule.ByMonthDay.Count == 2 && rule.ByMonthDay.Contains(-1) && rule.ByMonthDay.Max() >= 29
            && rule.BySetPosition.Count > 0 && rule.BySetPosition.Order().SequenceEqual(Enumerable.Range(1, rule.BySetPosition.Count));
        if (clamped)
        {
            parts.Add($"on day {rule.ByMonthDay.Max()} (the last day of a shorter month)");
        }
        else if (rule.ByMonthDay.Count > 0)
        {
            parts.Add("on day " + string.Join(", ", rule.ByMonthDay.Select(d => d == -1 ? "last" : d.ToString(CultureInfo.InvariantCulture))));
        }

        if (rule.ByDay.Count > 0)
        {
            parts.Add("on " + string.Join(", ", rule.ByDay.Select(d => d.Offset is { } n ? $"the {Ordinal(n)} {d.DayOfWeek}" : d.DayOfWeek.ToString())));
        }

        if (rule.Frequency is FrequencyType.Daily or FrequencyType.Weekly or FrequencyType.Monthly or FrequencyType.Yearly)
        {
            var hours = rule.ByHour.Count > 0 ? rule.ByHour : [start.Hour];
            var minutes = rule.ByMinute.Count > 0 ? rule.ByMinute : [start.Minute];
            parts.Add("at " + string.Join(", ", hours.SelectMany(h => minutes.Select(m => $"{h:00}:{m:00}"))));
        }

        if (rule.BySetPosition.Count > 0 && !clamped)
        {
            parts.Add("taking the " + string.Join(", ", rule.BySetPosition.Select(Ordinal)) + " of each " + unit + "'s times");
        }

        if (rule.Count is { } count)
        {
            parts.Add($"{count} times");
        }

        return string.Join(' ', parts);
    }

    private static string Ordinal(int n) => n switch
    {
        -1 => "last",
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        _ => n < 0 ? $"{-n}th last" : $"{n}th",
    };
}
