using System.Globalization;
using System.Text.RegularExpressions;

using NodaTime;

namespace Scheduler.Core.Triggers;

/// <summary>What an English phrase means: an instant (one-shot phrases), a cron expression, or an RRULE with its DTSTART.</summary>
/// <param name="Kind">Which of the other properties holds the meaning.</param>
/// <param name="Instant">The UTC instant of a one-shot phrase.</param>
/// <param name="Cron">The cron expression (evaluated by Cronos) of a recurring phrase.</param>
/// <param name="RRule">The RRULE content lines, with DTSTART, of a recurring phrase (evaluated by Ical.Net).</param>
internal sealed record PhraseMeaning(PhraseMeaningKind Kind, DateTimeOffset Instant = default, string? Cron = null, string? RRule = null);

/// <summary>The kinds of <see cref="PhraseMeaning"/>.</summary>
internal enum PhraseMeaningKind
{
    Once,
    Cron,
    RRule,
}

/// <summary>
/// The English grammar of <see cref="TextTrigger"/>: a table of regular expressions, each mapping a phrase to a cron expression, an
/// RRULE or an instant. docs/triggers.md lists the forms with examples; <see cref="SupportedForms"/> is the list the error message gives.
/// </summary>
internal static partial class Phrases
{
    private const string Day = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)s?";
    private const string DayList = $"{Day}(?:(?:, and |, | and ){Day})*";
    private const string Time = @"(?:noon|midnight|[0-9]{1,2}(?::[0-9]{2})?(?: ?[ap]m)|[0-9]{1,2}:[0-9]{2})";
    private const string Ord = "(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)";
    private const string OrdList = $"{Ord}(?:(?:, and |, | and ){Ord})*";
    private const string OfMonth = "(?: of (?:every|each|the) month)";

    /// <summary>One example per supported form, as listed in error messages and docs/triggers.md.</summary>
    public static readonly IReadOnlyList<string> SupportedForms =
    [
        "every 15 minutes / every 2 hours / every 30 seconds / every minute",
        "every day at 17:00 / every weekday at 9am / every weekend at 10:00",
        "every tuesday at 9:34am / every monday and friday at 8:15am",
        "every day at 17:00 except weekends / every day at 9am except friday",
        "every other tuesday at 9:34am / every other day at 7am / every 3 days at 7am / every 2 weeks on monday at 9am",
        "first monday of every month at noon / last friday of the month at 17:00",
        "every 2nd and 4th thursday at 10:00",
        "every month on the 15th at 9am / every month on the last day at 18:00",
        "tomorrow at 8am / today at 5pm / in 2 hours / in 30 minutes / in 3 days",
        "at 2026-01-05 14:30 / on 2026-01-05 at 2:30pm",
    ];

    private static readonly (Regex Pattern, Func<Match, Context, PhraseMeaning> Build)[] Grammar =
    [
        (Rx(@"every (?:(?<n>[0-9]+) )?(?<unit>second|minute|hour)s?"), Interval),
        (Rx($"every (?<days>day|weekday|weekend(?: day)?|{DayList}) at (?<time>{Time})(?: except (?<except>weekends|weekdays|{DayList}))?"), DaysOfWeek),
        (Rx($"every other (?<days>day|{DayList}) at (?<time>{Time})"), EveryOther),
        (Rx($"every (?<n>[0-9]+) days at (?<time>{Time})"), EveryNDays),
        (Rx($"every (?<n>[0-9]+) weeks on (?<days>{DayList}) at (?<time>{Time})"), EveryNWeeks),
        (Rx($"(?:the |every )?(?<nth>{OrdList}) (?<day>{Day}){OfMonth}? at (?<time>{Time})"), NthWeekday),
        (Rx($"(?:every month on the (?<dom>[0-9]{{1,2}}|last)(?:st|nd|rd|th)?(?: day)?|on the (?<dom>[0-9]{{1,2}}|last)(?:st|nd|rd|th)?(?: day)?{OfMonth}) at (?<time>{Time})"), DayOfMonth),
        (Rx($"(?<which>today|tomorrow) at (?<time>{Time})"), TodayOrTomorrow),
        (Rx(@"in (?<n>[0-9]+) (?<unit>minute|hour|day|week)s?"), In),
        (Rx($"(?:at|on) (?<date>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})(?: at | |t)(?<time>{Time})"), AtDate),
    ];

    private static readonly HashSet<string> Vocabulary = new(
        "every other day days weekday weekdays weekend weekends at except and of the month each on in today tomorrow noon midnight am pm minute minutes hour hours second seconds week weeks first second third fourth fifth last st nd rd th"
            .Split(' '), StringComparer.Ordinal);

    /// <summary>The phrase in canonical form: lower case, single spaces, no trailing full stop.</summary>
    public static string Canonical(string phrase) =>
        string.Join(' ', phrase.Trim().TrimEnd('.').ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>What <paramref name="phrase"/> means in <paramref name="zone"/> for a task that starts at <paramref name="anchor"/>.</summary>
    /// <exception cref="TriggerFormatException">The phrase matches no form, or a form but with an impossible value; the message says which
    /// part was not understood and lists <see cref="SupportedForms"/>.</exception>
    public static PhraseMeaning Parse(string phrase, DateTimeZone zone, DateTimeOffset anchor)
    {
        var canonical = Canonical(phrase);
        var context = new Context(phrase, zone, anchor, WallClock.ToLocal(anchor, zone));
        foreach (var (pattern, build) in Grammar)
        {
            if (pattern.Match(canonical) is { Success: true } match)
            {
                return build(match, context);
            }
        }

        throw Fail(phrase, Diagnose(canonical));
    }

    private static string Diagnose(string canonical)
    {
        if (canonical.Contains("every other weekday", StringComparison.Ordinal))
        {
            return "'every other weekday' is ambiguous (alternate weekdays, or weekdays of every other week?)";
        }

        var unknown = canonical.Split(' ', ',')
            .Where(w => w.Length > 0 && !Vocabulary.Contains(w) && !DayWord().IsMatch(w) && !Regex.IsMatch(w, $"^(?:{Time}|[ap]m|[0-9]+(?:st|nd|rd|th)?|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})$"))
            .ToList();
        if (unknown.Count > 0)
        {
            return $"the word(s) '{string.Join("', '", unknown)}' are not understood";
        }

        if (canonical.StartsWith("every", StringComparison.Ordinal) && !canonical.Contains(" at ", StringComparison.Ordinal)
            && !Regex.IsMatch(canonical, "(second|minute|hour)s?$"))
        {
            return "the time of day is missing (add e.g. 'at 9am'); nothing is assumed";
        }

        return "the words are known but their order matches none of the supported forms";
    }

    private static TriggerFormatException Fail(string phrase, string reason) => new(
        $"Could not understand the trigger '{phrase}': {reason}. Supported forms (English, case-insensitive):{Environment.NewLine}  " +
        string.Join(Environment.NewLine + "  ", SupportedForms));

    private static PhraseMeaning Interval(Match m, Context c)
    {
        var n = Number(m, c, "n", 1);
        var unit = m.Groups["unit"].Value;
        var (limit, cron, freq) = unit switch
        {
            "second" => (60, $"*/{n} * * * * *", "SECONDLY"),
            "minute" => (60, $"*/{n} * * * *", "MINUTELY"),
            _ => (24, $"0 */{n} * * *", "HOURLY"),
        };
        if (limit % n == 0)
        {
            return new PhraseMeaning(PhraseMeaningKind.Cron, Cron: n == 1 ? cron.Replace("*/1 ", "* ", StringComparison.Ordinal) : cron);
        }

        // Not a divisor of the minute, hour or day: counted from the start, to the second (seconds) or minute.
        var start = unit == "second" ? Truncate(c.AnchorLocal, TimeSpan.TicksPerSecond) : Truncate(c.AnchorLocal, TimeSpan.TicksPerMinute);
        if (start < c.AnchorLocal)
        {
            start = start.AddTicks(unit == "second" ? TimeSpan.TicksPerSecond : TimeSpan.TicksPerMinute);
        }

        return RRule(c, start, $"FREQ={freq};INTERVAL={n}");
    }

    private static PhraseMeaning DaysOfWeek(Match m, Context c)
    {
        var days = DaySet(m.Groups["days"].Value);
        if (m.Groups["except"].Success)
        {
            days.ExceptWith(DaySet(m.Groups["except"].Value));
        }

        if (days.Count == 0)
        {
            throw Fail(c.Phrase, "the exception removes every day, so it would never fire");
        }

        var (hour, minute) = TimeOfDay(m, c);
        var field = days.Count == 7 ? "*" : days.SetEquals(Weekdays) ? "1-5" : string.Join(',', days.Order().Select(d => (int)d));
        return new PhraseMeaning(PhraseMeaningKind.Cron, Cron: $"{minute} {hour} * * {field}");
    }

    private static PhraseMeaning EveryOther(Match m, Context c) =>
        m.Groups["days"].Value == "day" ? EveryDays(m, c, 2) : EveryWeeks(m, c, 2);

    private static PhraseMeaning EveryNDays(Match m, Context c) => EveryDays(m, c, Number(m, c, "n", 1));

    private static PhraseMeaning EveryNWeeks(Match m, Context c) => EveryWeeks(m, c, Number(m, c, "n", 1));

    private static PhraseMeaning EveryDays(Match m, Context c, int interval)
    {
        var start = FirstAtOrAfter(c, TimeOfDay(m, c), _ => true);
        return RRule(c, start, interval == 1 ? "FREQ=DAILY" : $"FREQ=DAILY;INTERVAL={interval}");
    }

    // "every other X" counts from the first X (at the given time) at or after the task's start.
    private static PhraseMeaning EveryWeeks(Match m, Context c, int interval)
    {
        var days = DaySet(m.Groups["days"].Value);
        var start = FirstAtOrAfter(c, TimeOfDay(m, c), days.Contains);
        var byDay = string.Join(',', days.Order().Select(IcalDay));
        return RRule(c, start, interval == 1 ? $"FREQ=WEEKLY;BYDAY={byDay}" : $"FREQ=WEEKLY;INTERVAL={interval};BYDAY={byDay}");
    }

    private static PhraseMeaning NthWeekday(Match m, Context c)
    {
        var day = DaySet(m.Groups["day"].Value).Single();
        var nths = m.Groups["nth"].Value.Split([", and ", ", ", " and "], StringSplitOptions.None).Select(OrdinalValue).Distinct().Order().ToList();
        var (hour, minute) = TimeOfDay(m, c);
        if (nths.Count == 1)
        {
            var dayField = nths[0] == -1 ? $"{(int)day}L" : $"{(int)day}#{nths[0]}";
            return new PhraseMeaning(PhraseMeaningKind.Cron, Cron: $"{minute} {hour} * * {dayField}");
        }

        // Cron has no list of nth weekdays: an RRULE with explicit BYDAY, BYHOUR and BYMINUTE, so DTSTART (the start) only bounds it.
        var byDay = string.Join(',', nths.OrderBy(n => n < 0 ? 10 : n).Select(n => $"{n}{IcalDay(day)}"));
        return RRule(c, Truncate(c.AnchorLocal, TimeSpan.TicksPerSecond), $"FREQ=MONTHLY;BYDAY={byDay};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0");
    }

    private static PhraseMeaning DayOfMonth(Match m, Context c)
    {
        var dom = m.Groups["dom"].Value;
        if (dom != "last" && int.Parse(dom, CultureInfo.InvariantCulture) is < 1 or > 31)
        {
            throw Fail(c.Phrase, $"'{dom}' is not a day of the month (1 to 31, or 'last')");
        }

        var (hour, minute) = TimeOfDay(m, c);
        return new PhraseMeaning(PhraseMeaningKind.Cron, Cron: $"{minute} {hour} {(dom == "last" ? "L" : int.Parse(dom, CultureInfo.InvariantCulture))} * *");
    }

    private static PhraseMeaning TodayOrTomorrow(Match m, Context c)
    {
        var (hour, minute) = TimeOfDay(m, c);
        var date = c.AnchorLocal.Date.AddDays(m.Groups["which"].Value == "tomorrow" ? 1 : 0);
        return Once(WallClock.ToInstant(date.AddHours(hour).AddMinutes(minute), c.Zone));
    }

    private static PhraseMeaning In(Match m, Context c)
    {
        var n = Number(m, c, "n", 1);
        return m.Groups["unit"].Value switch
        {
            "minute" => Once(c.Anchor.AddMinutes(n)),
            "hour" => Once(c.Anchor.AddHours(n)),
            // Days and weeks keep the wall-clock time (across a DST change "in 1 day" is 23 or 25 hours).
            var unit => Once(WallClock.ToInstant(c.AnchorLocal.AddDays(n * (unit == "week" ? 7 : 1)), c.Zone)),
        };
    }

    private static PhraseMeaning AtDate(Match m, Context c)
    {
        if (!DateTime.TryParseExact(m.Groups["date"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw Fail(c.Phrase, $"'{m.Groups["date"].Value}' is not a calendar date (yyyy-MM-dd)");
        }

        var (hour, minute) = TimeOfDay(m, c);
        return Once(WallClock.ToInstant(date.AddHours(hour).AddMinutes(minute), c.Zone));
    }

    private static PhraseMeaning Once(DateTimeOffset instant) => new(PhraseMeaningKind.Once, Instant: instant.ToUniversalTime());

    private static PhraseMeaning RRule(Context c, DateTime start, string rule)
    {
        return new PhraseMeaning(PhraseMeaningKind.RRule, RRule: $"{RRuleTrigger.DtStartLine(start, c.Zone)}\nRRULE:{rule}");
    }

    // The first wall-clock time `time` on a day that `dayMatches`, at or after the start (searching 8 days covers every weekday).
    private static DateTime FirstAtOrAfter(Context c, (int Hour, int Minute) time, Func<DayOfWeek, bool> dayMatches)
    {
        for (var offset = 0; offset <= 7; offset++)
        {
            var candidate = c.AnchorLocal.Date.AddDays(offset).AddHours(time.Hour).AddMinutes(time.Minute);
            if (candidate >= c.AnchorLocal && dayMatches(candidate.DayOfWeek))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Unreachable: some day of the next 8 matches a non-empty set of weekdays.");
    }

    private static (int Hour, int Minute) TimeOfDay(Match m, Context c)
    {
        var text = m.Groups["time"].Value;
        if (text == "noon")
        {
            return (12, 0);
        }

        if (text == "midnight")
        {
            return (0, 0);
        }

        var match = TimeParts().Match(text);
        var hour = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        var ampm = match.Groups["ampm"].Value;
        if (minute > 59 || (ampm.Length > 0 ? hour is < 1 or > 12 : hour > 23))
        {
            throw Fail(c.Phrase, $"'{text}' is not a time of day (write 9am, 9:34am, 17:00, noon or midnight)");
        }

        if (ampm.Length > 0)
        {
            hour = (hour % 12) + (ampm == "pm" ? 12 : 0);
        }

        return (hour, minute);
    }

    private static int Number(Match m, Context c, string group, int minimum)
    {
        if (!m.Groups[group].Success)
        {
            return minimum;
        }

        if (!int.TryParse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < minimum || n > 100_000)
        {
            throw Fail(c.Phrase, $"'{m.Groups[group].Value}' is out of range (use {minimum} to 100000)");
        }

        return n;
    }

    private static readonly HashSet<DayOfWeek> Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static SortedSet<DayOfWeek> DaySet(string text) => text switch
    {
        "day" => [.. Enum.GetValues<DayOfWeek>()],
        "weekday" or "weekdays" => [.. Weekdays],
        "weekend" or "weekends" or "weekend day" => [DayOfWeek.Saturday, DayOfWeek.Sunday],
        _ => [.. DayWord().Matches(text).Select(w => ParseDay(w.Value))],
    };

    private static DayOfWeek ParseDay(string word) => word[..2] switch
    {
        "mo" => DayOfWeek.Monday,
        "tu" => DayOfWeek.Tuesday,
        "we" => DayOfWeek.Wednesday,
        "th" => DayOfWeek.Thursday,
        "fr" => DayOfWeek.Friday,
        "sa" => DayOfWeek.Saturday,
        _ => DayOfWeek.Sunday,
    };

    private static string IcalDay(DayOfWeek day) => day.ToString()[..2].ToUpperInvariant();

    private static int OrdinalValue(string word) => word switch
    {
        "first" or "1st" => 1,
        "second" or "2nd" => 2,
        "third" or "3rd" => 3,
        "fourth" or "4th" => 4,
        "fifth" or "5th" => 5,
        _ => -1,
    };

    private static DateTime Truncate(DateTime value, long ticks) => new(value.Ticks - (value.Ticks % ticks), DateTimeKind.Unspecified);

    private static Regex Rx(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"^(?<h>[0-9]{1,2})(?::(?<m>[0-9]{2}))? ?(?<ampm>[ap]m)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeParts();

    [GeneratedRegex($"\\b{Day}\\b", RegexOptions.CultureInvariant)]
    private static partial Regex DayWord();

    private sealed record Context(string Phrase, DateTimeZone Zone, DateTimeOffset Anchor, DateTime AnchorLocal);
}
