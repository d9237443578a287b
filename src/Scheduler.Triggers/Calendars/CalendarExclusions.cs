using System.Globalization;
using Cronos;
using Ical.Net.DataTypes;
using NodaTime;

namespace Scheduler.Triggers.Calendars;

/// <summary>
/// A calendar (<see cref="CalendarSpec"/>) read for one zone: which fire times it excludes and why. Pure: the same calendar and zone exclude
/// the same instants on every node. Dates and cron are read by the NodaTime and Cronos rules of the triggers; RRULEs and iCalendar events by
/// Ical.Net.
/// </summary>
public sealed class CalendarExclusions
{
    private readonly List<(DateOnly From, DateOnly To, string Text)> _dates = [];
    private readonly List<(CronExpression Cron, bool Seconds, string Text)> _cron = [];
    private readonly List<(RRuleTrigger Rule, string Text)> _rules = [];
    private readonly Ical.Net.Calendar? _ical;
    private readonly TimeSpan _longestEvent;
    private readonly DateTimeZone _zone;

    private CalendarExclusions(CalendarSpec spec, DateTimeZone zone)
    {
        _zone = zone;
        foreach (var text in spec.Dates)
        {
            _dates.Add(ReadDates(text));
        }

        foreach (var text in spec.Cron)
        {
            _cron.Add(ReadCron(text));
        }

        foreach (var text in spec.RRules)
        {
            try
            {
                _rules.Add((RRuleTrigger.Parse(text, zone, DateTimeOffset.UnixEpoch), text));
            }
            catch (TriggerFormatException ex)
            {
                throw new TriggerFormatException($"Calendar RRULE '{text}' is not valid: {ex.Message}", ex);
            }
        }

        if (!string.IsNullOrWhiteSpace(spec.ICalendar))
        {
            (_ical, _longestEvent) = ReadICalendar(spec.ICalendar);
        }
    }

    /// <summary>The zone the calendar's dates and times are read in.</summary>
    public DateTimeZone Zone => _zone;

    /// <summary>Reads <paramref name="spec"/> for tasks in <paramref name="taskZone"/> (its own <see cref="CalendarSpec.TimeZone"/> when it
    /// names one).</summary>
    /// <exception cref="TriggerFormatException">A part cannot be read, or the calendar excludes nothing: the message names the part and the form
    /// to write.</exception>
    public static CalendarExclusions Compile(CalendarSpec spec, DateTimeZone taskZone)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(taskZone);
        DateTimeZone zone;
        try
        {
            zone = spec.TimeZone is { Length: > 0 } id ? TimeZones.Find(id) : taskZone;
        }
        catch (TriggerFormatException ex)
        {
            throw new TriggerFormatException($"Calendar time zone: {ex.Message}", ex);
        }

        if (spec.Dates.Count + spec.Cron.Count + spec.RRules.Count == 0 && string.IsNullOrWhiteSpace(spec.ICalendar))
        {
            throw new TriggerFormatException(
                "The calendar excludes nothing. Give dates (2025-12-25, 2025-12-24..2026-01-01), cron expressions, RRULEs or an iCalendar file.");
        }

        return new CalendarExclusions(spec, zone);
    }

    /// <summary>Why the calendar excludes a fire time at <paramref name="instant"/>, e.g. <c>date 2025-12-25</c>; <see langword="null"/> when
    /// it does not.</summary>
    public string? Excludes(DateTimeOffset instant)
    {
        var local = WallClock.ToLocal(instant, _zone);
        var day = DateOnly.FromDateTime(local);
        foreach (var (from, to, text) in _dates)
        {
            if (day >= from && day <= to)
            {
                return $"date {text}";
            }
        }

        foreach (var (cron, seconds, text) in _cron)
        {
            var at = new DateTime(local.Ticks - (local.Ticks % (seconds ? TimeSpan.TicksPerSecond : TimeSpan.TicksPerMinute)), DateTimeKind.Utc);
            if (cron.GetNextOccurrence(at, inclusive: true) == at)
            {
                return $"cron '{text}'";
            }
        }

        if (_rules.Count > 0)
        {
            var dayStart = WallClock.ToInstant(day.ToDateTime(TimeOnly.MinValue), _zone);
            var nextDay = WallClock.ToInstant(day.AddDays(1).ToDateTime(TimeOnly.MinValue), _zone);
            foreach (var (rule, text) in _rules)
            {
                if (rule.GetNextFireTime(dayStart.AddTicks(-1)) is { } occurrence && occurrence < nextDay)
                {
                    return $"RRULE '{text}' on {day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
                }
            }
        }

        return _ical is null ? null : ExcludingEvent(instant);
    }

    // The occurrences of the file's events that may contain `instant`: those starting from the longest event (and two days for floating
    // times) before it.
    private string? ExcludingEvent(DateTimeOffset instant)
    {
        var from = instant - _longestEvent - TimeSpan.FromDays(2);
        foreach (var occurrence in _ical!.GetOccurrences(new CalDateTime(from.UtcDateTime, "UTC"), options: null))
        {
            var start = Instant(occurrence.Period.StartTime);
            if (start > instant)
            {
                break;
            }

            var end = occurrence.Period.EffectiveEndTime is { } e ? Instant(e)
                : start + (occurrence.Period.EffectiveDuration?.ToTimeSpanUnspecified() ?? TimeSpan.FromDays(occurrence.Period.StartTime.HasTime ? 0 : 1));
            if (instant >= start && instant < end)
            {
                var summary = (occurrence.Source as Ical.Net.CalendarComponents.CalendarEvent)?.Summary;
                return $"event '{summary}' on {WallClock.ToLocal(start, _zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
            }
        }

        return null;
    }

    private DateTimeOffset Instant(CalDateTime time) =>
        time.IsUtc ? new DateTimeOffset(DateTime.SpecifyKind(time.Value, DateTimeKind.Utc))
        : WallClock.ToInstant(time.Value, time.TzId is { Length: > 0 } tzid && !time.IsFloating ? TimeZones.Find(tzid) : _zone);

    private static (DateOnly From, DateOnly To, string Text) ReadDates(string text)
    {
        var parts = (text ?? "").Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2 && parts.All(p => DateOnly.TryParseExact(p, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            var from = DateOnly.ParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = DateOnly.ParseExact(parts[^1], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (to >= from)
            {
                return (from, to, text!.Trim());
            }
        }

        throw new TriggerFormatException(
            $"Calendar date '{text}' is not a date or a range. Write 2025-12-25, or 2025-12-24..2026-01-01 (both days included, the first not after the last).");
    }

    private static (CronExpression, bool, string) ReadCron(string text)
    {
        var normalized = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var fields = normalized.StartsWith('@') ? CronTrigger.ExpandMacro(normalized) : normalized;
        try
        {
            var count = fields?.Split(' ').Length ?? 0;
            if (fields is null || count is not (5 or 6))
            {
                throw new CronFormatException($"{count} fields");
            }

            return (CronExpression.Parse(fields, count == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard), count == 6, normalized);
        }
        catch (CronFormatException ex)
        {
            throw new TriggerFormatException(
                $"Calendar cron '{text}' is not valid ({ex.Message}). Give 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro, e.g. '* 0-7,18-23 * * *'.", ex);
        }
    }

    private static (Ical.Net.Calendar, TimeSpan) ReadICalendar(string text)
    {
        Ical.Net.Calendar? calendar;
        try
        {
            calendar = Ical.Net.Calendar.Load(text);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException)) // Ical.Net's parser throws several kinds
        {
            throw new TriggerFormatException($"The calendar's iCalendar file cannot be read: {ex.Message} Give the text of an .ics file (BEGIN:VCALENDAR … END:VCALENDAR).", ex);
        }

        if (calendar is null || calendar.Events.Count == 0)
        {
            throw new TriggerFormatException("The calendar's iCalendar file has no events (VEVENT). Give the text of an .ics file with the events to exclude.");
        }

        var longest = calendar.Events.Max(e => e.DtEnd is { } end && e.DtStart is { } start ? end.SubtractExact(start) : TimeSpan.FromDays(1));
        return (calendar, longest < TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : longest);
    }
}
