using System.Globalization;
using NodaTime;

namespace Scheduler.Triggers.Phrases;

/// <summary>
/// Turns a <see cref="PhraseSchedule"/> into what it means for a task in a zone that starts at an anchor: an instant (one-shot), a cron
/// expression (Cronos) or an RRULE with DTSTART (Ical.Net). Cron is used whenever it expresses the schedule exactly (interval 1, no
/// start given); everything else is an RRULE whose DTSTART is the first occurrence at or after the start, so the stored form needs no anchor.
/// An end (<c>until …</c>, <c>for 3 weeks</c>, <c>10 times</c>) is not part of either: it becomes the task's end conditions
/// (<see cref="PhraseMeaning.EndAt"/>, <see cref="PhraseMeaning.MaxOccurrences"/>), which hold for every trigger kind.
/// </summary>
/// <remarks>
/// The two rules for a phrase without a time of day: a calendar phrase (a unit of a day or more, days, dates) fires at the start of the
/// day, 00:00, as cron does; a pure interval keeps the phase of the task's start (rounded up to the second for seconds, to the minute
/// otherwise), except that an interval that divides the minute, hour or day (every 15 minutes, every 2 hours) is aligned to the clock as
/// cron's <c>*/15</c>, which a task started on the hour would also do. Every N (2 or more) days, weeks, months or years are intervals
/// too when the phrase names no day for the unit: they keep the start's date and wall-clock time (<see cref="KeepsPhaseOfStart"/>).
/// </remarks>
internal static class PhraseNormalizer
{
    public static PhraseMeaning Normalize(PhraseSchedule s, DateTimeZone zone, DateTimeOffset anchor)
    {
        var anchorLocal = WallClock.ToLocal(anchor, zone);
        var meaning = s.IsOnce ? Once(s, zone, anchor, anchorLocal)
            : s.IsSubDaily ? Interval(s, s.Unit!.Value, zone, anchor, anchorLocal)
            : Calendar(s, s.Unit ?? Infer(s), zone, anchor, anchorLocal);
        var endAt = s.IsOnce ? null : EndOf(s, zone, anchor, anchorLocal);
        return meaning with { Readings = [.. s.Readings.Distinct()], EndAt = endAt, MaxOccurrences = s.Count, Calendar = s.Calendar };
    }

    private static PhraseUnit Infer(PhraseSchedule s)
    {
        if (s.NthDays.Count > 0 || s.MonthDays.Count > 0)
        {
            return s.Months.Count > 0 && s.MonthDays.Count > 0 && s.NthDays.Count == 0 ? PhraseUnit.Year : PhraseUnit.Month;
        }

        if (s.Days.Count > 0)
        {
            return s.Days.Count == 7 ? PhraseUnit.Day : PhraseUnit.Week;
        }

        if (s.Months.Count > 0 || s.ExceptDays.Count > 0 || s.ExceptMonths.Count > 0)
        {
            return PhraseUnit.Day;
        }

        var time = s.Times.Count > 0 ? $" at {PhraseWriter.Time(s.Times[0])}" : "";
        throw new PhraseException(
            "the phrase gives no frequency, day or date", time.Length > 0
                ? [$"every day{time}", $"today{time}", $"tomorrow{time}"]
                : ["every day at 9am", "every 15 minutes", "tomorrow at 8am"]);
    }

    private static PhraseMeaning Once(PhraseSchedule s, DateTimeZone zone, DateTimeOffset anchor, DateTime anchorLocal)
    {
        if (s.Times.Count > 1)
        {
            throw new PhraseException(
                "a one-shot phrase takes one time of day", [$"tomorrow at {PhraseWriter.Time(s.Times[0])}", $"every day at {string.Join(" and ", s.Times.Select(PhraseWriter.Time))}"]);
        }

        if (s.OnceAfter is var (amount, unit))
        {
            if (s.Times.Count > 0 && unit is PhraseUnit.Second or PhraseUnit.Minute or PhraseUnit.Hour)
            {
                throw new PhraseException($"'in {amount} {unit.ToString().ToLowerInvariant()}s' already says when; a time of day does not fit", [$"in {amount} {unit.ToString().ToLowerInvariant()}s"]);
            }

            var local = unit switch
            {
                PhraseUnit.Day => anchorLocal.AddDays(amount),
                PhraseUnit.Week => anchorLocal.AddDays(7.0 * amount),
                PhraseUnit.Month => anchorLocal.AddMonths(amount),
                PhraseUnit.Year => anchorLocal.AddYears(amount),
                _ => (DateTime?)null,
            };
            var words = $"in {amount} {unit.ToString().ToLowerInvariant()}{(amount == 1 ? "" : "s")}";
            if (local is { } shifted && unit is PhraseUnit.Month or PhraseUnit.Year && shifted.Day != anchorLocal.Day)
            {
                s.Readings.Add($"'{words}' from {Date(anchorLocal)} is read as {Date(shifted)}, the last day of that month, which has no {PhraseWriter.Ordinal(anchorLocal.Day)}.");
            }

            if (local is null)
            {
                var elapsed = unit switch { PhraseUnit.Second => TimeSpan.FromSeconds(amount), PhraseUnit.Minute => TimeSpan.FromMinutes(amount), _ => TimeSpan.FromHours(amount) };
                return new PhraseMeaning(PhraseMeaningKind.Once, Instant: anchor.ToUniversalTime() + elapsed);
            }

            // Days and longer keep the wall-clock time (across a DST change "in 1 day" is 23 or 25 hours), or take the time given.
            var at = s.Times.Count > 0 ? local.Value.Date + s.Times[0].ToTimeSpan() : local.Value;
            var instant = WallClock.ToInstant(at, zone);
            var span = instant - anchor;
            if (s.Times.Count == 0 && unit is PhraseUnit.Day or PhraseUnit.Week && span != TimeSpan.FromDays(unit == PhraseUnit.Week ? 7 * amount : amount))
            {
                s.Readings.Add(
                    $"'{words}' keeps the wall-clock time, {Date(at)} {PhraseWriter.Time(TimeOnly.FromDateTime(at))}: {span.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} hours across the " +
                    $"time zone's change of offset; write 'in {(unit == PhraseUnit.Week ? 7 * 24 * amount : 24 * amount).ToString(CultureInfo.InvariantCulture)} hours' for elapsed time.");
            }

            return new PhraseMeaning(PhraseMeaningKind.Once, Instant: instant);
        }

        var time = s.Times.Count > 0 ? s.Times[0] : TimeOnly.MinValue;
        var date = s.OnceDate!.Value.ToDateTime(time);
        if (s.OnceToday && date < anchorLocal)
        {
            // "today at 9am" at 10:30: now (late) or tomorrow? Neither is guessed.
            var at = s.Times.Count > 0 ? $" at {PhraseWriter.Time(time)}" : "";
            throw new PhraseException(
                $"'today{at}' has passed at the start ({Date(anchorLocal)} {PhraseWriter.Time(TimeOnly.FromDateTime(anchorLocal))}): now, or tomorrow?",
                [$"tomorrow{at}", "in 1 minute"]);
        }

        if (s.Times.Count == 0)
        {
            s.Readings.Add($"The date {Date(date)} is given without a time of day: it fires at 00:00, the start of that day.");
        }

        return new PhraseMeaning(PhraseMeaningKind.Once, Instant: WallClock.ToInstant(date, zone));
    }

    private static string Date(DateTime local) => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static PhraseMeaning Interval(PhraseSchedule s, PhraseUnit unit, DateTimeZone zone, DateTimeOffset anchor, DateTime anchorLocal)
    {
        NoteTimeBounds(s, anchorLocal);
        var n = s.Interval;
        var name = unit.ToString().ToLowerInvariant();
        if (s.Times.Count > 0)
        {
            var time = PhraseWriter.Time(s.Times[0]);
            throw new PhraseException(
                $"'every {(n == 1 ? "" : $"{n} ")}{name}{(n == 1 ? "" : "s")}' takes no time of day ('at {time}'): give a window or a start",
                [$"every {n} {name}s between 9am and 5pm", $"every {n} {name}s starting at {time}", $"every day at {time}"]);
        }

        if (s.NthDays.Count > 0 || s.MonthDays.Count > 0)
        {
            throw new PhraseException($"an interval of {name}s cannot be limited to days of the month", [$"every {n} {name}s on weekdays", $"every {n} {name}s"]);
        }

        var limit = unit == PhraseUnit.Hour ? 24 : 60;
        var daySet = DaySet(s);
        var days = daySet.Count == 7 ? "*" : DayField(daySet);
        var months = MonthSet(s);
        int[]? hours = null;
        if (s.Window is var (from, to))
        {
            var last = unit == PhraseUnit.Hour ? to : (to + 23) % 24;
            var list = new List<int>();
            for (var h = from; ; h = (h + 1) % 24)
            {
                list.Add(h);
                if (h == last)
                {
                    break;
                }
            }

            if (unit == PhraseUnit.Hour)
            {
                list = list.Where((_, i) => i % n == 0).ToList();
            }

            hours = [.. list];
        }

        var bounded = s.StartDate is not null || s.StartTime is not null; // a start needs DTSTART; ends are the task's (EndAt, MaxOccurrences)
        if ((limit % n == 0 || (unit == PhraseUnit.Hour && hours is not null)) && !bounded)
        {
            var step = n == 1 ? "*" : $"*/{n}";
            var hourField = hours is null ? "*" : List(hours);
            var cron = unit switch
            {
                PhraseUnit.Second => $"{step} * {hourField} * {months} {days}",
                PhraseUnit.Minute => $"{step} {hourField} * {months} {days}",
                _ when hours is null => $"0 {step} * {months} {days}",
                _ => $"0 {(n > 1 && s.Window!.Value.From < s.Window!.Value.To ? $"{s.Window.Value.From}-{s.Window.Value.To}/{n}" : List(hours!))} * {months} {days}",
            };
            return new PhraseMeaning(PhraseMeaningKind.Cron, Cron: cron);
        }

        if (unit == PhraseUnit.Hour && hours is not null)
        {
            // A window fixes the hours of every day: a daily rule at those hours, so the phase does not drift from day to day.
            s.Unit = PhraseUnit.Day;
            s.Interval = 1;
            s.Window = null;
            s.Times.AddRange(hours.Select(h => new TimeOnly(h, 0)));
            return Calendar(s, PhraseUnit.Day, zone, anchor, anchorLocal);
        }

        // Phase: an explicit start, else the clock's grid (divisors) or the task's start (others), rounded up to the unit.
        var tick = unit == PhraseUnit.Second ? TimeSpan.TicksPerSecond : TimeSpan.TicksPerMinute;
        DateTime start;
        if (StartOf(s, anchorLocal) is { } explicitStart)
        {
            start = explicitStart;
        }
        else if (hours is not null && unit == PhraseUnit.Hour)
        {
            start = anchorLocal.Date.AddHours(hours[0]);
            while (start < anchorLocal)
            {
                start = start.AddHours(n);
            }
        }
        else
        {
            start = RoundUp(anchorLocal, tick);
            if (limit % n == 0)
            {
                var size = unit switch { PhraseUnit.Second => TimeSpan.FromSeconds(n), PhraseUnit.Minute => TimeSpan.FromMinutes(n), _ => TimeSpan.FromHours(n) };
                start = RoundUp(anchorLocal, size.Ticks);
            }
        }

        var parts = new List<string> { unit switch { PhraseUnit.Second => "FREQ=SECONDLY", PhraseUnit.Minute => "FREQ=MINUTELY", _ => "FREQ=HOURLY" } };
        if (n > 1)
        {
            parts.Add($"INTERVAL={n}");
        }

        if (months != "*")
        {
            parts.Add($"BYMONTH={months}");
        }

        if (days != "*")
        {
            parts.Add($"BYDAY={string.Join(',', daySet.Select(IcalDay))}");
        }

        if (hours is not null)
        {
            parts.Add($"BYHOUR={string.Join(',', hours.Order())}");
        }

        return RRule(zone, start, parts);
    }

    private static PhraseMeaning Calendar(PhraseSchedule s, PhraseUnit unit, DateTimeZone zone, DateTimeOffset anchor, DateTime anchorLocal)
    {
        NoteTimeBounds(s, anchorLocal);
        if (s.Window is not null)
        {
            throw new PhraseException(
                "a window ('between … and …') applies to intervals of seconds, minutes or hours", ["every 30 minutes between 9am and 5pm", "every hour between 9am and 5pm"]);
        }

        if (unit is PhraseUnit.Day or PhraseUnit.Week && (s.NthDays.Count > 0 || s.MonthDays.Count > 0))
        {
            throw new PhraseException(
                $"days of the month ('{(s.MonthDays.Count > 0 ? PhraseWriter.MonthDay(s.MonthDays.First()) : "the first monday")}') need a monthly or yearly frequency",
                ["on the 15th of every month at 9am", "the first monday of every month at 9am", "every monday at 9am"]);
        }

        if (unit is PhraseUnit.Month or PhraseUnit.Year && s.Days.Count > 0 && s.MonthDays.Count == 0 && s.NthDays.Count == 0)
        {
            throw new PhraseException(
                "a monthly or yearly phrase needs which day of the month ('the first monday', 'the 15th')", ["the first monday of every month", "every monday"]);
        }

        // Every N (2 or more) days, weeks, months or years without the day that anchors the unit (a weekday for weeks, a day of the month
        // for months, a date for years) keep the phase of the start: its date, and its wall-clock time (to the minute) unless the phrase
        // gives one. "every 2 weeks" from Wednesday 10:30 is every other Wednesday at 10:30; one unit (daily, weekly, …) stays cron's macro.
        var from = StartOf(s, anchorLocal) ?? new DateTime(anchorLocal.Ticks - (anchorLocal.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        var phaseOfStart = KeepsPhaseOfStart(s, unit);
        var times = s.Times.Count > 0 ? s.Times.Order().ToList() : [phaseOfStart ? TimeOnly.FromDateTime(RoundUp(from, TimeSpan.TicksPerMinute)) : TimeOnly.MinValue];
        if (s.Times.Count == 0 && !phaseOfStart)
        {
            s.Readings.Add("The phrase gives no time of day: it fires at 00:00, the start of each day it names, as cron does (add one, e.g. 'at 9am').");
        }

        if (s.Interval == 1 && s.Days.Count == 0 && s.ExceptDays.Count == 0 && s.MonthDays.Count == 0 && s.NthDays.Count == 0
            && unit is PhraseUnit.Week or PhraseUnit.Month || (unit == PhraseUnit.Year && s.Interval == 1 && s.Months.Count == 0 && s.MonthDays.Count == 0 && s.NthDays.Count == 0))
        {
            s.Readings.Add(unit switch
            {
                PhraseUnit.Week => "The phrase names no day of the week: it fires on Sundays, as cron's @weekly does (name one, e.g. 'every week on wednesday').",
                PhraseUnit.Month => "The phrase names no day of the month: it fires on the 1st, as cron's @monthly does (name one, e.g. 'every month on the 15th').",
                _ => "The phrase names no date: it fires on 1 January, as cron's @yearly does (name one, e.g. 'every year on july 4th').",
            });
        }

        var hours = times.Select(t => t.Hour).Distinct().Order().ToList();
        var minutes = times.Select(t => t.Minute).Distinct().Order().ToList();
        // Times that are not every pairing of their hours and minutes (9:30am and 5pm) need a daily rule that picks them by position
        // (BYSETPOS) from the pairings of each day; other periods would count positions across days.
        string? bySetPos = null;
        if (hours.Count * minutes.Count != times.Count)
        {
            if (!(unit == PhraseUnit.Day || (unit == PhraseUnit.Week && s.Interval == 1)) || s.MonthDays.Count > 0 || s.NthDays.Count > 0)
            {
                throw new PhraseException(
                    $"the times {string.Join(" and ", times.Select(PhraseWriter.Time))} differ in both hour and minute, which only a daily or weekly phrase can say",
                    [$"every day at {string.Join(" and ", times.Select(PhraseWriter.Time))}", $"every day at {string.Join(" and ", hours.Select(h => PhraseWriter.Time(new TimeOnly(h, times[0].Minute))))}"]);
            }

            var pairings = hours.SelectMany(h => minutes.Select(m => new TimeOnly(h, m))).Order().ToList();
            bySetPos = string.Join(',', times.Select(t => pairings.IndexOf(t) + 1));
        }

        // Days: those named (or all), minus exceptions; weekly without a day is Sunday (cron's @weekly).
        var weekDays = s.Days.Count > 0 ? new SortedSet<DayOfWeek>(s.Days) : unit == PhraseUnit.Week && !phaseOfStart ? [DayOfWeek.Sunday] : [];
        if (s.ExceptDays.Count > 0)
        {
            if (weekDays.Count == 0)
            {
                weekDays.UnionWith(Enum.GetValues<DayOfWeek>());
            }

            weekDays.ExceptWith(s.ExceptDays);
            var nth = s.NthDays.RemoveAll(d => s.ExceptDays.Contains(d.Day));
            if (weekDays.Count == 0 || (s.NthDays.Count == 0 && nth > 0))
            {
                throw new PhraseException("the exception removes every day, so it would never fire", ["every day at 9am except weekends"]);
            }

            if (s.NthDays.Count > 0)
            {
                weekDays.Clear();
            }
        }

        var monthDays = s.MonthDays.Count > 0 || s.NthDays.Count > 0 ? new SortedSet<int>(s.MonthDays)
            : unit is PhraseUnit.Month or PhraseUnit.Year && !phaseOfStart ? [1] : [];
        var months = MonthSet(s);
        if (unit == PhraseUnit.Year && months == "*" && s.Months.Count == 0 && !phaseOfStart)
        {
            months = "1";
        }

        if (months == "")
        {
            throw new PhraseException("the exception removes every month, so it would never fire", ["every day except in august"]);
        }

        var dow = weekDays.Count is 0 or 7 ? "*" : DayField(weekDays);
        var bounded = s.StartDate is not null || s.StartTime is not null; // a start needs DTSTART; ends are the task's (EndAt, MaxOccurrences)
        var cronable = bySetPos is null && s.Interval == 1 && !bounded && s.NthDays.Count <= 1 && !(dow != "*" && (monthDays.Count > 0 || s.NthDays.Count > 0))
            && !(monthDays.Contains(-1) && monthDays.Count > 1);
        if (cronable)
        {
            var minuteField = string.Join(',', minutes);
            var hourField = List([.. hours]);
            var domField = monthDays.Count == 0 ? "*" : string.Join(',', monthDays.Select(d => d == -1 ? "L" : d.ToString(CultureInfo.InvariantCulture)));
            var dowField = s.NthDays.Count == 1 ? (s.NthDays[0].N == -1 ? $"{(int)s.NthDays[0].Day}L" : $"{(int)s.NthDays[0].Day}#{s.NthDays[0].N}") : dow;
            return new PhraseMeaning(PhraseMeaningKind.Cron, Cron: $"{minuteField} {hourField} {domField} {months} {dowField}");
        }

        var freq = bySetPos is not null ? "DAILY" : unit switch { PhraseUnit.Day => "DAILY", PhraseUnit.Week => "WEEKLY", PhraseUnit.Month => "MONTHLY", _ => "YEARLY" };
        var rule = new List<string> { $"FREQ={freq}" };
        if (s.Interval > 1)
        {
            rule.Add($"INTERVAL={s.Interval}");
        }

        if (months != "*")
        {
            rule.Add($"BYMONTH={months}");
        }

        if (monthDays.Count > 0)
        {
            rule.Add($"BYMONTHDAY={string.Join(',', monthDays.Select(d => d.ToString(CultureInfo.InvariantCulture)))}");
        }

        if (s.NthDays.Count > 0)
        {
            rule.Add($"BYDAY={string.Join(',', s.NthDays.OrderBy(d => d.N < 0 ? 10 : d.N).ThenBy(d => d.Day).Select(d => $"{d.N}{IcalDay(d.Day)}"))}");
        }
        else if (dow != "*")
        {
            rule.Add($"BYDAY={string.Join(',', weekDays.Select(IcalDay))}");
        }

        var byTime = $"BYHOUR={string.Join(',', hours)};BYMINUTE={string.Join(',', minutes)};BYSECOND=0{(bySetPos is null ? "" : $";BYSETPOS={bySetPos}")}";

        // DTSTART is the first occurrence at or after the start, found with the rule at interval 1 (so "every other tuesday" counts from
        // the first Tuesday; a phrase that keeps the phase of the start, from the first day with its time of day); with one time of day,
        // DTSTART carries it and the rule leaves BYHOUR out.
        var probeParts = rule.Where(p => !p.StartsWith("INTERVAL=", StringComparison.Ordinal)).Append(byTime)
            .Select(p => phaseOfStart && p.StartsWith("FREQ=", StringComparison.Ordinal) ? "FREQ=DAILY" : p);
        var probe = RRuleTrigger.Parse($"{RRuleTrigger.DtStartLine(from, zone)}\nRRULE:{string.Join(';', probeParts)}", zone, anchor);
        var first = probe.LocalTimesAfter(from.AddTicks(-1)).Cast<DateTime?>().FirstOrDefault()
            ?? throw new PhraseException("the phrase names a date that never occurs", ["every year on february 28th", "on the last day of every month"]);
        if (s.Interval > 1 && s.StartDate is null && s.StartTime is null)
        {
            var every = $"every {s.Interval} {unit.ToString().ToLowerInvariant()}s";
            var named = unit switch { PhraseUnit.Week => "day of the week", PhraseUnit.Month => "day of the month", _ => "date" };
            var at = $"{Date(first)} at {PhraseWriter.Time(TimeOnly.FromDateTime(first))}{(s.Times.Count == 0 ? " (the start's time of day)" : "")}";
            s.Readings.Add(!phaseOfStart
                ? $"'{every}' counts from the first occurrence at or after the start, {Date(first)}; write 'starting {Date(probe.LocalTimesAfter(first).Cast<DateTime?>().FirstOrDefault() ?? first)}' to count from the one after."
                : unit == PhraseUnit.Day
                    ? $"'{every}' counts from the start: the first is {at}; write 'starting …' to count from another day."
                    : $"The phrase names no {named}, so '{every}' keeps the phase of the task's start: the first is {at}.");
        }

        if (times.Count > 1)
        {
            rule.Add(byTime);
        }

        // The start's day of the month in a month (or year) without it: the last day of that month, not a skipped period (RFC 5545 drops
        // such dates; "every 2 months" from 31 August fires on 31 October, 31 December, then 28 February).
        if (phaseOfStart && ((unit == PhraseUnit.Month && first.Day >= 29) || (unit == PhraseUnit.Year && first is { Month: 2, Day: 29 })))
        {
            rule.Add($"{(unit == PhraseUnit.Year ? "BYMONTH=2;" : "")}BYMONTHDAY={first.Day},-1;BYSETPOS={string.Join(',', Enumerable.Range(1, times.Count))}");
        }

        return RRule(zone, first, rule);
    }

    /// <summary>Whether an every-N-units phrase (N ≥ 2, days or longer) names nothing that anchors its unit, so it keeps the phase of the
    /// task's start: no weekday for weeks, no day of the month for months, no month or day for years (days always count from the start).</summary>
    private static bool KeepsPhaseOfStart(PhraseSchedule s, PhraseUnit unit) => s.Interval > 1 && unit switch
    {
        PhraseUnit.Day => true,
        PhraseUnit.Week => s.Days.Count == 0 && s.ExceptDays.Count == 0,
        PhraseUnit.Month => s.MonthDays.Count == 0 && s.NthDays.Count == 0 && s.Days.Count == 0,
        PhraseUnit.Year => s.Months.Count == 0 && s.MonthDays.Count == 0 && s.NthDays.Count == 0 && s.Days.Count == 0,
        _ => false,
    };

    // The task's end from "until …" (inclusive: a date alone is the whole day, to its last millisecond) or "for 3 weeks" (before the start
    // plus that long: days and longer keep the wall-clock time).
    private static DateTimeOffset? EndOf(PhraseSchedule s, DateTimeZone zone, DateTimeOffset anchor, DateTime anchorLocal)
    {
        var lastMs = TimeSpan.FromMilliseconds(1);
        if (s.UntilIsDate && s.Until is { } day)
        {
            var end = WallClock.ToInstant(day.AddDays(1), zone) - lastMs;
            s.Readings.Add($"'until {Date(day)}' includes that whole day: no fire time after {Date(day)} 23:59:59.999 (EndAt {Iso(end)}).");
            return end;
        }

        if (s.Until is { } until)
        {
            return WallClock.ToInstant(until, zone);
        }

        if (s.UntilTime is { } time)
        {
            return WallClock.ToInstant(FirstAtOrAfter(anchorLocal, time), zone);
        }

        if (s.For is var (amount, unit))
        {
            var startLocal = StartOf(s, anchorLocal);
            var start = startLocal is { } explicitStart ? WallClock.ToInstant(explicitStart, zone) : anchor;
            var fromLocal = startLocal ?? anchorLocal;
            var boundary = unit switch
            {
                PhraseUnit.Second => start.AddSeconds(amount),
                PhraseUnit.Minute => start.AddMinutes(amount),
                PhraseUnit.Hour => start.AddHours(amount),
                PhraseUnit.Day => WallClock.ToInstant(fromLocal.AddDays(amount), zone),
                PhraseUnit.Week => WallClock.ToInstant(fromLocal.AddDays(7.0 * amount), zone),
                PhraseUnit.Month => WallClock.ToInstant(fromLocal.AddMonths(amount), zone),
                _ => WallClock.ToInstant(fromLocal.AddYears(amount), zone),
            };
            var words = $"for {amount} {unit.ToString().ToLowerInvariant()}{(amount == 1 ? "" : "s")}";
            s.Readings.Add(
                $"'{words}' ends the task {amount} {unit.ToString().ToLowerInvariant()}{(amount == 1 ? "" : "s")} after its start ({Iso(start)}): no fire time at or after " +
                $"{Iso(boundary)} (EndAt {Iso(boundary - lastMs)}).");
            return boundary - lastMs;
        }

        return null;
    }

    private static string Iso(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(instant.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    // "starting at 9am" and "until 5pm" (a time without a date) mean the first such time at or after the start.
    private static void NoteTimeBounds(PhraseSchedule s, DateTime anchorLocal)
    {
        if (s.StartTime is { } start)
        {
            var first = FirstAtOrAfter(anchorLocal, start);
            s.Readings.Add($"'starting at {PhraseWriter.Time(start)}' is read as the first {PhraseWriter.Time(start)} at or after the start: {Date(first)} {PhraseWriter.Time(start)}.");
        }

        if (s.UntilTime is { } until && s.Until is null)
        {
            var last = FirstAtOrAfter(anchorLocal, until);
            s.Readings.Add(
                $"'until {PhraseWriter.Time(until)}' ends the task at the first {PhraseWriter.Time(until)} at or after the start, {Date(last)} {PhraseWriter.Time(until)}, not at " +
                $"{PhraseWriter.Time(until)} of every day: for a daily window write 'between … and {PhraseWriter.Time(until)}'.");
        }
    }

    private static DateTime? StartOf(PhraseSchedule s, DateTime anchorLocal) =>
        s.StartDate ?? (s.StartTime is { } time ? FirstAtOrAfter(anchorLocal, time) : (DateTime?)null);

    private static DateTime FirstAtOrAfter(DateTime anchorLocal, TimeOnly time)
    {
        var candidate = anchorLocal.Date + time.ToTimeSpan();
        return candidate < anchorLocal ? candidate.AddDays(1) : candidate;
    }

    private static PhraseMeaning RRule(DateTimeZone zone, DateTime start, List<string> parts) =>
        new(PhraseMeaningKind.RRule, RRule: $"{RRuleTrigger.DtStartLine(start, zone)}\nRRULE:{string.Join(';', parts)}");

    private static DateTime RoundUp(DateTime value, long ticks)
    {
        var remainder = value.Ticks % ticks;
        return remainder == 0 ? value : new DateTime(value.Ticks - remainder + ticks, DateTimeKind.Unspecified);
    }

    // The phrase's days minus exceptions (all seven when it names none).
    private static SortedSet<DayOfWeek> DaySet(PhraseSchedule s)
    {
        var days = s.Days.Count > 0 ? new SortedSet<DayOfWeek>(s.Days) : [.. Enum.GetValues<DayOfWeek>()];
        days.ExceptWith(s.ExceptDays);
        if (days.Count == 0)
        {
            throw new PhraseException("the exception removes every day, so it would never fire", ["every hour except weekends"]);
        }

        return days;
    }

    private static string MonthSet(PhraseSchedule s)
    {
        if (s.Months.Count == 0 && s.ExceptMonths.Count == 0)
        {
            return "*";
        }

        var months = s.Months.Count > 0 ? new SortedSet<int>(s.Months) : [.. Enumerable.Range(1, 12)];
        months.ExceptWith(s.ExceptMonths);
        return months.Count == 12 ? "*" : List([.. months]);
    }

    // 1-5 for runs of three or more, else a list: cron's day-of-week numbers (0 = Sunday).
    private static string DayField(IEnumerable<DayOfWeek> days) => List([.. days.Select(d => (int)d)]);

    /// <summary>A cron list: ascending runs of three or more as ranges (<c>9-17</c>), others comma-separated, in the given order otherwise.</summary>
    internal static string List(int[] values)
    {
        var parts = new List<string>();
        for (var i = 0; i < values.Length;)
        {
            var j = i;
            while (j + 1 < values.Length && values[j + 1] == values[j] + 1)
            {
                j++;
            }

            if (j - i >= 2)
            {
                parts.Add($"{values[i]}-{values[j]}");
            }
            else
            {
                parts.AddRange(values[i..(j + 1)].Select(v => v.ToString(CultureInfo.InvariantCulture)));
            }

            i = j + 1;
        }

        return string.Join(',', parts);
    }

    internal static string IcalDay(DayOfWeek day) => day.ToString()[..2].ToUpperInvariant();
}
