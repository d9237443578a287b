using System.Globalization;
using System.Text.RegularExpressions;
using Ical.Net;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers;

/// <summary>
/// Fires on an iCalendar recurrence rule (RFC 5545 §3.3.10) evaluated by Ical.Net, e.g. <c>FREQ=WEEKLY;INTERVAL=2;BYDAY=TU</c>, optionally
/// with a <c>DTSTART</c> line (the anchor; default: the task's start) and <c>EXDATE</c> lines; <c>COUNT</c> and <c>UNTIL</c> end it.
/// </summary>
/// <remarks>
/// Ical.Net evaluates the rule as floating wall-clock times from DTSTART; <see cref="WallClock"/> maps them to instants under Scheduler's
/// DST policy: a time in a gap fires at the first valid instant after it; a time in an overlap fires once, except that an
/// <c>HOURLY</c>, <c>MINUTELY</c> or <c>SECONDLY</c> rule is an interval schedule and fires in both offsets. A DTSTART that the rule
/// does not match is not itself an occurrence (Ical.Net's reading of RFC 5545's "undefined" case). UNTIL in UTC (<c>...Z</c>) is compared
/// with the occurrence's wall-clock time in the zone; a date-only UNTIL includes that whole day.
/// </remarks>
public sealed partial class RRuleTrigger : ITrigger
{
    private static readonly EvaluationOptions Options = new() { MaxUnmatchedIncrementsLimit = 100_000 };

    private readonly RecurrenceRule _rule;
    private readonly DateTime _start;
    private readonly DateTime? _until;
    private readonly HashSet<DateTime> _excluded;
    private readonly HashSet<DateOnly> _excludedDays;
    private readonly ZonedSchedule _schedule;

    private RRuleTrigger(RecurrenceRule rule, string ruleText, DateTime start, DateTime? until, HashSet<DateTime> excluded, HashSet<DateOnly> excludedDays,
        string exdateLines, DateTimeZone zone)
    {
        _rule = rule;
        _start = start;
        _until = until;
        _excluded = excluded;
        _excludedDays = excludedDays;
        Rule = ruleText;
        TimeZone = zone;
        Expression = $"{DtStartLine(start, zone)}\nRRULE:{ruleText}{exdateLines}";
        var isInterval = rule.Frequency is FrequencyType.Hourly or FrequencyType.Minutely or FrequencyType.Secondly;
        _schedule = new ZonedSchedule(zone, isInterval, LocalTimesAfter);
    }

    /// <inheritdoc />
    public TriggerKind Kind => TriggerKind.RRule;

    /// <summary>The normalized form: a <c>DTSTART</c> line (with the zone's TZID, or in UTC), the <c>RRULE</c> line and any <c>EXDATE</c> lines,
    /// separated by <c>\n</c>. It rebuilds the same trigger whatever the anchor.</summary>
    public string Expression { get; }

    /// <summary>The rule's parts without the <c>RRULE:</c> prefix, upper case, e.g. <c>FREQ=WEEKLY;INTERVAL=2;BYDAY=TU</c>.</summary>
    public string Rule { get; }

    /// <inheritdoc />
    public DateTimeZone TimeZone { get; }

    /// <inheritdoc />
    public DateTimeOffset? GetNextFireTime(DateTimeOffset after) => _schedule.Next(after);

    /// <inheritdoc />
    /// <remarks>In the phrase grammar, with DTSTART as "starting …", so that the text parses back to the same schedule; a rule the grammar
    /// cannot say (BYSETPOS, EXDATE, BYHOUR on an hourly rule, …) gets a literal description that does not parse back.</remarks>
    public string Describe() =>
        Phrases.TriggerEnglish.TryRRule(_rule, LocalTimesAfter(_start.AddTicks(-1)).Cast<DateTime?>().FirstOrDefault() ?? _start, _until,
            _excluded.Count + _excludedDays.Count > 0) is { } schedule
            ? Phrases.PhraseWriter.Write(schedule)
            : $"{RRuleText.Describe(_rule, _start)} from {_start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses an RRULE: the rule alone (<c>FREQ=...</c> or <c>RRULE:FREQ=...</c>) or content lines <c>DTSTART</c>, <c>RRULE</c> and
    /// <c>EXDATE</c> separated by new lines or spaces. DTSTART may be floating (read in <paramref name="timeZone"/>), UTC (<c>...Z</c>),
    /// carry a <c>TZID</c> or be a date (<c>VALUE=DATE</c>, midnight); without it, <paramref name="anchor"/> (to the second) is DTSTART.
    /// </summary>
    /// <param name="text">The rule.</param>
    /// <param name="timeZone">The task's zone. A DTSTART TZID replaces it when it is UTC, and must equal it otherwise.</param>
    /// <param name="anchor">The task's start, DTSTART when the text has none.</param>
    /// <exception cref="TriggerFormatException">The text is not a rule Ical.Net accepts, a line is not DTSTART/RRULE/EXDATE, a date is
    /// malformed, or the TZID is unknown or differs from <paramref name="timeZone"/>; the message names the part.</exception>
    public static RRuleTrigger Parse(string text, DateTimeZone timeZone, DateTimeOffset anchor)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(timeZone);
        string? ruleText = null;
        (string? TzId, string Value, bool IsDate)? dtstart = null;
        var exdates = new List<(string? TzId, string Value, bool IsDate)>();
        foreach (var line in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("FREQ=", StringComparison.OrdinalIgnoreCase) || line.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
            {
                if (ruleText is not null)
                {
                    throw new TriggerFormatException($"RRULE '{text}' has more than one rule. Give one RRULE line (several RRULEs are not supported).");
                }

                ruleText = (line.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase) ? line[6..] : line).ToUpperInvariant();
            }
            else if (PropertyLine().Match(line) is { Success: true } m)
            {
                var tzid = m.Groups["tzid"].Success ? m.Groups["tzid"].Value : null;
                var isDate = m.Groups["date"].Success;
                if (m.Groups["name"].Value.Equals("DTSTART", StringComparison.OrdinalIgnoreCase))
                {
                    if (dtstart is not null || m.Groups["value"].Value.Contains(',', StringComparison.Ordinal))
                    {
                        throw new TriggerFormatException($"RRULE '{text}' has more than one DTSTART. Give one, e.g. 'DTSTART;TZID=Europe/Berlin:20250107T093400'.");
                    }

                    dtstart = (tzid, m.Groups["value"].Value, isDate);
                }
                else
                {
                    exdates.AddRange(m.Groups["value"].Value.Split(',').Select(v => (tzid, v, isDate)));
                }
            }
            else
            {
                throw new TriggerFormatException(
                    $"RRULE '{text}': '{line}' is not understood. Give 'FREQ=...' or 'RRULE:FREQ=...', optionally with 'DTSTART[;TZID=zone]:yyyyMMddTHHmmss[Z]' and 'EXDATE' lines.");
            }
        }

        if (ruleText is null)
        {
            throw new TriggerFormatException($"RRULE '{text}' has no rule. Add a line such as 'RRULE:FREQ=WEEKLY;BYDAY=TU'.");
        }

        var zone = ResolveZone(text, timeZone, dtstart?.TzId, exdates.Select(e => e.TzId));
        RecurrenceRule rule;
        try
        {
            rule = new RecurrenceRule(ruleText);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            throw new TriggerFormatException($"RRULE '{ruleText}' is not valid: {ex.Message}", ex);
        }

        if (rule.Interval < 1 || rule.Count is < 1)
        {
            throw new TriggerFormatException($"RRULE '{ruleText}' is not valid: INTERVAL and COUNT must be positive.");
        }

        var start = dtstart is { } d ? ReadLocal(text, d, zone) : TruncateToSeconds(WallClock.ToLocal(anchor, zone));
        DateTime? until = null;
        if (rule.Until is { } u)
        {
            until = u.IsUtc ? WallClock.ToLocal(new DateTimeOffset(u.Value.Ticks, TimeSpan.Zero), zone)
                : u.HasTime ? DateTime.SpecifyKind(u.Value, DateTimeKind.Unspecified)
                : u.Value.Date.AddDays(1).AddTicks(-1);
            rule.Until = null;
        }

        var excluded = new HashSet<DateTime>();
        var excludedDays = new HashSet<DateOnly>();
        foreach (var exdate in exdates)
        {
            var local = ReadLocal(text, exdate, zone);
            if (exdate.IsDate)
            {
                excludedDays.Add(DateOnly.FromDateTime(local));
            }
            else
            {
                excluded.Add(local);
            }
        }

        var exdateLines = string.Concat(excluded.Order().Select(e => $"\nEXDATE{TzidParameter(zone)}:{e.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}{(zone == DateTimeZone.Utc ? "Z" : "")}"))
            + string.Concat(excludedDays.Order().Select(e => $"\nEXDATE;VALUE=DATE:{e.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}"));
        return new RRuleTrigger(rule, ruleText, start, until, excluded, excludedDays, exdateLines, zone);
    }

    /// <summary>The DTSTART line for wall-clock time <paramref name="start"/> in <paramref name="zone"/>: with a TZID, or in UTC (<c>Z</c>).</summary>
    internal static string DtStartLine(DateTime start, DateTimeZone zone) =>
        $"DTSTART{TzidParameter(zone)}:{start.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}{(zone == DateTimeZone.Utc ? "Z" : "")}";

    private static string TzidParameter(DateTimeZone zone) => zone == DateTimeZone.Utc ? "" : $";TZID={zone.Id}";

    private static DateTimeZone ResolveZone(string text, DateTimeZone timeZone, string? dtstartTzId, IEnumerable<string?> otherTzIds)
    {
        var zone = timeZone;
        foreach (var tzid in otherTzIds.Prepend(dtstartTzId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var found = TimeZones.Find(tzid);
            if (zone != DateTimeZone.Utc && found.Id != zone.Id)
            {
                throw new TriggerFormatException(
                    $"RRULE '{text}' names time zone '{tzid}', but the trigger's time zone is '{zone.Id}'. Leave TZID out or use the same zone.");
            }

            zone = found;
        }

        return zone;
    }

    private static DateTime ReadLocal(string text, (string? TzId, string Value, bool IsDate) value, DateTimeZone zone)
    {
        var raw = value.Value;
        var isUtc = raw.EndsWith('Z') || raw.EndsWith('z');
        var format = value.IsDate || raw.Length == 8 ? "yyyyMMdd" : "yyyyMMdd'T'HHmmss";
        if (!DateTime.TryParseExact(isUtc ? raw[..^1] : raw, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            throw new TriggerFormatException($"RRULE '{text}': '{raw}' is not an iCalendar date-time. Write it like 20250107T093400, 20250107T143400Z or 20250107.");
        }

        return isUtc ? WallClock.ToLocal(new DateTimeOffset(parsed.Ticks, TimeSpan.Zero), zone) : parsed;
    }

    private static DateTime TruncateToSeconds(DateTime value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);

    /// <summary>The rule's wall-clock occurrences strictly after <paramref name="after"/>, ascending (floating times, before the DST policy).</summary>
    internal IEnumerable<DateTime> LocalTimesAfter(DateTime after)
    {
        if (_until is { } until && after >= until)
        {
            yield break;
        }

        IEnumerable<Ical.Net.DataTypes.Period> periods = new RecurrencePatternEvaluator(_rule).Evaluate(
            new CalDateTime(EvaluationStart(after), true), new CalDateTime(TruncateToSeconds(after), true), Options);
        using var enumerator = periods.GetEnumerator();
        while (true)
        {
            try
            {
                if (!enumerator.MoveNext())
                {
                    yield break;
                }
            }
            catch (EvaluationException)
            {
                yield break; // the rule matches nothing more within Ical.Net's search limit or before the end of the calendar
            }

            var local = DateTime.SpecifyKind(enumerator.Current.StartTime.Value, DateTimeKind.Unspecified);
            if (_until is { } last && local > last)
            {
                yield break;
            }

            if (local > after && local >= _start && !_excluded.Contains(local) && !_excludedDays.Contains(DateOnly.FromDateTime(local)))
            {
                yield return local;
            }
        }
    }

    /// <summary>
    /// Where the evaluation of occurrences after <paramref name="after"/> starts: DTSTART, or, when the rule has no COUNT and a fixed-length
    /// period and DTSTART lies more than two periods back, the last whole number of periods before <paramref name="after"/> (the same
    /// occurrences, since floating time has no DST). Evaluating every occurrence from a DTSTART years back is slow for fine-grained rules
    /// (a rule every 7 s from 2020 has 24 million before 2025).
    /// </summary>
    internal DateTime EvaluationStart(DateTime after) =>
        _rule.Count is null && FixedPeriod(_rule) is { } period && after - _start > 2 * period
            ? _start + (period * (long)(((after - _start).Ticks / period.Ticks) - 1))
            : _start;

    // The period in seconds; null for calendar frequencies and for periods longer than the supported range (a huge INTERVAL), which
    // would overflow TimeSpan and need no shortcut anyway.
    private static TimeSpan? FixedPeriod(RecurrenceRule rule) => (rule.Frequency switch
    {
        FrequencyType.Secondly => 1L,
        FrequencyType.Minutely => 60L,
        FrequencyType.Hourly => 3_600L,
        FrequencyType.Daily => 86_400L,
        FrequencyType.Weekly => 7 * 86_400L,
        _ => (long?)null,
    } * rule.Interval) is { } seconds && seconds <= (long)(TriggerInstants.Max - DateTimeOffset.MinValue).TotalSeconds
        ? TimeSpan.FromSeconds(seconds)
        : null;

    [GeneratedRegex(@"^(?<name>DTSTART|EXDATE)(;TZID=(?<tzid>[^;:]+)|;(?<date>VALUE=DATE)|;VALUE=DATE-TIME)*:(?<value>[0-9TZz,]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex PropertyLine();
}
