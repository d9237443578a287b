using System.Globalization;

namespace Scheduler.Triggers.Phrases;

/// <summary>
/// Reads the tokens of an English schedule phrase into a <see cref="PhraseSchedule"/>. A phrase is a sequence of parts in any order —
/// frequency (<c>every 2 hours</c>, <c>daily</c>), days (<c>on mondays</c>, <c>every weekday</c>), ordinals (<c>the 2nd and 4th
/// thursday</c>, <c>on the 15th</c>, <c>last day</c>), months (<c>in january</c>, <c>on jan 1</c>), times (<c>at 9am and 5pm</c>),
/// window (<c>between 9am and 5pm</c>), exclusions (<c>except weekends</c>), bounds (<c>starting …</c>, <c>until …</c>,
/// <c>for 10 times</c>) — or a one-shot (<c>tomorrow at 8</c>, <c>next friday at noon</c>, <c>in 90 minutes</c>, <c>on 2026-01-05</c>).
/// The grammar with examples is in docs/triggers.md.
/// </summary>
internal sealed partial class PhraseParser
{
    private static readonly string[] WeekdayWords = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private static readonly string[] MonthWords =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    // The parts that start with a keyword, each read by its method after the keyword.
    private static readonly Dictionary<string, Action<PhraseParser, PhraseToken>> Clauses = new(StringComparer.Ordinal)
    {
        ["every"] = (p, t) => p.ParseEvery(t),
        ["once"] = (p, t) => p.ParseOnceA(t),
        ["on"] = (p, t) => p.ParseOn(t),
        ["at"] = (p, t) => p.ParseAt(t),
        ["between"] = (p, t) => p.ParseWindow(t, "and"),
        ["except"] = (p, t) => p.ParseExcept(t),
        ["starting"] = (p, t) => p.ParseStarting(t),
        ["until"] = (p, t) => p.ParseUntil(t),
        ["for"] = (p, t) => p.ParseFor(t),
        ["in"] = (p, t) => p.ParseIn(t),
        ["of"] = (p, t) => p.ParseOf(t),
        ["the"] = (p, t) => p.ParseOrdinalClause(t),
        ["next"] = (p, t) => p.ParseNext(t),
    };

    private readonly List<PhraseToken> _tokens;
    private readonly DateTime _start;
    private readonly DateOnly _today;
    private readonly PhraseSchedule _schedule = new();
    private int _position;
    private bool _everyGiven;
    private PhraseToken? _bareWeekday;
    private PhraseToken? _ambiguousNth;
    private PhraseToken? _midnight; // the word 'midnight' as a one-shot's time

    private PhraseParser(List<PhraseToken> tokens, DateTime start)
    {
        _tokens = tokens;
        _start = start;
        _today = DateOnly.FromDateTime(start);
    }

    /// <summary>Parses <paramref name="phrase"/>; <paramref name="start"/> (the task's start, wall-clock time in its zone) resolves 'today',
    /// 'tomorrow' and 'next friday'. Where people read the words differently, the reading taken is added to
    /// <see cref="PhraseSchedule.Readings"/> (docs/triggers.md, "Words read one way").</summary>
    /// <exception cref="PhraseException">The phrase is not understood or ambiguous; the reason names the words.</exception>
    public static PhraseSchedule Parse(string phrase, DateTime start)
    {
        var tokens = PhraseTokenizer.Tokenize(phrase);
        if (tokens.Count == 0)
        {
            throw new PhraseException("the phrase is empty", []);
        }

        var index = tokens.FindIndex(t => t is { Kind: PhraseTokenKind.Word, Value: -1 } && decimal.TryParse(t.Raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _));
        if (index >= 0)
        {
            var value = decimal.Parse(tokens[index].Raw, CultureInfo.InvariantCulture);
            var unit = index + 1 < tokens.Count ? tokens[index + 1].Text : "";
            var smaller = unit switch { "hour" => (value * 60, "minutes"), "minute" => (value * 60, "seconds"), "day" => (value * 24, "hours"), _ => (0m, "") };
            throw new PhraseException(
                $"'{tokens[index].Raw}' is not a whole number: give the amount in a smaller unit",
                smaller.Item2.Length > 0 && decimal.IsInteger(smaller.Item1) ? [$"every {smaller.Item1:0} {smaller.Item2}", $"in {smaller.Item1:0} {smaller.Item2}"] : ["every 90 minutes"]);
        }

        // A word that is none of the grammar's after "except" (or in its list: "except weekends and holidays") names a calendar.
        var excepting = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token is { Kind: PhraseTokenKind.Word, Value: -1 } && excepting && CalendarWord().IsMatch(token.Raw))
            {
                tokens[i] = token with { Text = CalendarMarker, Value = 0 };
                continue;
            }

            excepting = token.Is("except") || (excepting && (token.Is("and") || token.Is("on") || token.Is("in") || token.Kind == PhraseTokenKind.Comma
                || (token.Kind == PhraseTokenKind.Word && IsDayOrMonth(token))));
        }

        var unknown = tokens.Where(t => t is { Kind: PhraseTokenKind.Word, Value: -1 }).Select(t => $"'{t.Raw}'").Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw new PhraseException($"{string.Join(", ", unknown)} {(unknown.Count == 1 ? "is" : "are")} not understood", []);
        }

        var parser = new PhraseParser(tokens, start);
        parser.ParseAll();
        return parser._schedule;
    }

    private PhraseToken? Peek(int ahead = 0) => _position + ahead < _tokens.Count ? _tokens[_position + ahead] : null;

    private PhraseToken Take() => _tokens[_position++];

    private bool TakeIf(string word)
    {
        if (Peek()?.Is(word) == true)
        {
            _position++;
            return true;
        }

        return false;
    }

    private bool AtEnd => _position >= _tokens.Count;

    // After a list item: how many separator tokens ("," "and" ", and") come before a next item that `isItemAt` accepts at that offset; 0
    // when the list ends here.
    private int ListSeparator(Func<int, bool> isItemAt)
    {
        var skip = Peek() is { Kind: PhraseTokenKind.Comma } ? (Peek(1)?.Is("and") == true ? 2 : 1) : Peek()?.Is("and") == true ? 1 : 0;
        return skip > 0 && isItemAt(skip) ? skip : 0;
    }

    private string Rest => string.Join(' ', _tokens.Skip(_position).Select(t => t.Raw));

    private string Near(PhraseToken token)
    {
        var index = _tokens.IndexOf(token);
        return string.Join(' ', _tokens.Skip(Math.Max(0, index - 1)).Take(3).Select(t => t.Raw));
    }

    private void ParseAll()
    {
        while (!AtEnd)
        {
            var token = Peek()!;
            if (token.Kind == PhraseTokenKind.Word && Clauses.TryGetValue(token.Text, out var clause))
            {
                _position++;
                clause(this, token);
                continue;
            }

            switch (token)
            {
                case { Kind: PhraseTokenKind.Comma }:
                case { Kind: PhraseTokenKind.Word, Text: "and" }:
                    _position++;
                    break;
                case { Kind: PhraseTokenKind.Word, Text: "hourly" or "daily" or "weekly" or "fortnightly" or "monthly" or "quarterly" or "yearly" }:
                    _position++;
                    SetUnit(token, token.Text switch
                    {
                        "hourly" => PhraseUnit.Hour,
                        "daily" => PhraseUnit.Day,
                        "weekly" or "fortnightly" => PhraseUnit.Week,
                        "monthly" or "quarterly" => PhraseUnit.Month,
                        _ => PhraseUnit.Year,
                    }, token.Text == "fortnightly" ? 2 : 1);
                    if (token.Is("quarterly"))
                    {
                        _schedule.Months.UnionWith([1, 4, 7, 10]); // calendar quarters, as cron's 0 0 1 1,4,7,10 *
                    }
                    break;
                case { Kind: PhraseTokenKind.Time }:
                    ParseTimes(allowNumbers: false);
                    break;
                case { Kind: PhraseTokenKind.Date }:
                    ParseOnceDate();
                    break;
                case { Kind: PhraseTokenKind.Word, Text: "from" }:
                    _position++;
                    if (Peek() is { Kind: PhraseTokenKind.Time or PhraseTokenKind.Number } && Peek(1) is { } after && (after.Is("to") || after.Is("until")))
                    {
                        ParseWindow(token, "to");
                    }
                    else if (Peek() is { } first && IsSingleWeekday(first) && Peek(1)?.Is("to") == true)
                    {
                        ParseBareDays(first); // "from monday to friday"
                    }
                    else
                    {
                        ParseStarting(token);
                    }

                    break;
                case { Kind: PhraseTokenKind.Word, Text: CalendarMarker }:
                    ParseCalendar();
                    break;
                case { Kind: PhraseTokenKind.Number } when Peek(1)?.Is("times") == true:
                    ParseTimesCount(token);
                    break;
                case { Kind: PhraseTokenKind.Ordinal }:
                    ParseOrdinalClause(token);
                    break;
                case { Kind: PhraseTokenKind.Word, Text: "tomorrow" or "today" }:
                    _position++;
                    SetOnce(token, token.Text == "tomorrow" ? Tomorrow(token) : _today);
                    _schedule.OnceToday = token.Text == "today";
                    break;
                case { Kind: PhraseTokenKind.Word } when IsDayWord(token):
                    ParseBareDays(token);
                    break;
                case { Kind: PhraseTokenKind.Word } when MonthOf(token) > 0:
                    ParseMonthDates();
                    break;
                default:
                    throw Unexpected(token);
            }
        }

        Check();
    }

    private void Check()
    {
        var s = _schedule;
        if (_ambiguousNth is { } nth && s.Unit is null)
        {
            throw new PhraseException(
                $"'every {nth.Raw} …' is ambiguous: every other week, or the {nth.Raw} of each month?",
                [$"every other {DayName(s.NthDays[0].Day)}", $"the {nth.Raw} {DayName(s.NthDays[0].Day)} of every month"]);
        }

        if (_bareWeekday is { } bare && !_everyGiven && s.Unit is null && !s.IsOnce)
        {
            var day = bare.Text;
            var time = s.Times.Count > 0 ? $" at {PhraseWriter.Time(s.Times[0])}" : "";
            throw new PhraseException(
                $"'{bare.Raw}' alone is ambiguous: every {day}, or only the next one?", [$"every {day}{time}", $"next {day}{time}"]);
        }

        if (s.IsOnce && s.IsRecurring)
        {
            throw new PhraseException(
                "the phrase mixes a one-shot date ('tomorrow', 'next …', 'in …', a date) with a recurrence",
                ["tomorrow at 8am", "every day at 8am starting tomorrow"]);
        }

        // "tomorrow at midnight": the midnight that starts that day, or the one that ends it? Both readings are common; neither is guessed.
        if (_midnight is { } midnight && s.OnceDate is { } onceDay)
        {
            var date = Iso(onceDay);
            var next = Iso(onceDay.AddDays(1));
            throw new PhraseException(
                $"'{midnight.Raw}' on {date} is ambiguous: its start ({date} 00:00) or its end ({next} 00:00)?", [$"on {date} at 00:00", $"on {next} at 00:00"]);
        }
    }

    private PhraseException Unexpected(PhraseToken token)
    {
        var near = Near(token);
        return token switch
        {
            { Kind: PhraseTokenKind.Word, Text: "twice" } or { Kind: PhraseTokenKind.Word, Raw: "thrice" } => new PhraseException(
                $"'{Rest}' is ambiguous: at which times?", ["every day at 9am and 9pm", "every 12 hours", "every monday and thursday at 9am"]),
            { Kind: PhraseTokenKind.Word, Raw: "biweekly" } => new PhraseException(
                $"'{token.Raw}' is ambiguous: twice a week, or every two weeks?", ["every 2 weeks", "every monday and thursday", "fortnightly on friday at 9am"]),
            { Kind: PhraseTokenKind.Word, Text: "biweekly" or "bimonthly" or "semimonthly" or "biannually" } => new PhraseException(
                $"'{token.Raw}' is ambiguous (twice per period, or every two periods?)", ["every 2 months", "on the 1st and 15th of every month", "every 6 months"]),
            { Kind: PhraseTokenKind.Word, Text: "morning" } => new PhraseException(
                $"'{token.Raw}' is not a time of day: nothing is guessed", ["every day at 9am", "every day at 6pm", "every day at 9pm"]),
            { Kind: PhraseTokenKind.Word, Text: "tonight" } => new PhraseException(
                $"'{token.Raw}' is not a time of day: nothing is guessed", ["today at 9pm", "today at 11pm"]),
            { Kind: PhraseTokenKind.Word, Text: "this" } => new PhraseException(
                $"'{near}': 'this' is ambiguous (today counts, or not?)", ["next friday at noon", "every friday at noon"]),
            { Kind: PhraseTokenKind.Number } => new PhraseException(
                $"the number '{token.Raw}' in '{near}' has no unit or place", ["every 5 minutes", "at 9", "on the 5th of every month"]),
            { Kind: PhraseTokenKind.Word, Text: "am" or "pm" } => new PhraseException(
                $"'{token.Raw}' in '{near}' follows no hour", ["every day at 9am"]),
            _ => new PhraseException($"'{token.Raw}' cannot come here ('{near}')", []),
        };
    }

    private void ParseEvery(PhraseToken every)
    {
        _everyGiven = true;
        var token = Peek() ?? throw new PhraseException("'every' needs what follows it", ["every day", "every 15 minutes", "every monday at 9am"]);
        if (token.Is("other"))
        {
            _position++;
            if (Peek() is { } day && day.Is("weekday"))
            {
                throw new PhraseException(
                    "'every other weekday' is ambiguous (alternate weekdays, or weekdays of every other week?)",
                    ["every 2 weeks on monday, tuesday, wednesday, thursday and friday", "every 2 days", "every other monday"]);
            }

            ParseEveryWhat(every, 2, Near(token));
        }
        else if (token.Kind == PhraseTokenKind.Number)
        {
            _position++;
            if (Peek() is null || !(IsUnitWord(Peek()!) || Peek()!.Is("quarter") || Peek()!.Is("half")))
            {
                throw new PhraseException(
                    $"'every {token.Raw}' needs a unit",
                    [$"every {token.Raw} minutes", $"every {token.Raw} hours", $"every {token.Raw} days"]);
            }

            ParseEveryWhat(every, Positive(token), Near(token));
        }
        else if (token.Kind == PhraseTokenKind.Ordinal || (token.Is("second") && Peek(1) is { } after && (IsDayWord(after) || IsUnitWord(after))))
        {
            var n = token.Kind == PhraseTokenKind.Ordinal ? token.Value : 2;
            var ordinal = token.Kind == PhraseTokenKind.Ordinal ? token : token with { Kind = PhraseTokenKind.Ordinal, Value = 2 };
            if (Peek(1) is { } unit && IsUnitWord(unit) && !(Peek(2)?.Is("and") == true) && !(n < 2 && unit.Is("day")))
            {
                _position++;
                if (n < 2)
                {
                    throw new PhraseException($"'every {token.Raw} {unit.Raw}' is not an interval", [$"every {unit.Text}"]);
                }

                ParseEveryWhat(every, n, Near(token));
            }
            else
            {
                _tokens[_position] = ordinal;
                var before = _schedule.NthDays.Count;
                ParseOrdinalClause(ordinal);
                var added = _schedule.NthDays.Count - before;
                if (added == 1 && n >= 2)
                {
                    _ambiguousNth = ordinal;
                }
            }
        }
        else if (token.Is("quarter") || token.Is("half"))
        {
            ParseEveryWhat(every, 1, Near(token));
        }
        else if (IsUnitWord(token) || IsDayWord(token) || MonthOf(token) > 0)
        {
            ParseEveryWhat(every, 1, Near(token));
        }
        else if (token.Is("morning") || token.Is("tonight"))
        {
            throw Unexpected(token);
        }
        else
        {
            throw new PhraseException(
                $"'every {token.Raw}' is not understood: 'every' takes a number, 'other', a unit or a day",
                ["every 2 hours", "every other day", "every monday at 9am"]);
        }
    }

    // After "every", "every N", "every other": a unit, "quarter hour", "half hour" or days.
    private void ParseEveryWhat(PhraseToken every, int interval, string near)
    {
        var token = Peek() ?? throw new PhraseException($"'{near}' needs a unit or a day", ["every 2 hours", "every other day"]);
        if (token.Is("quarter") || token.Is("half"))
        {
            _position++;
            TakeIf("of");
            TakeIf("a");
            var hour = Peek();
            if (hour?.Is("hour") != true)
            {
                throw new PhraseException(
                    $"'{near}' is ambiguous or incomplete", token.Is("quarter") ? ["every quarter hour", "every 3 months"] : ["every half hour", "every 30 minutes"]);
            }

            _position++;
            SetUnit(token, PhraseUnit.Minute, interval * (token.Is("quarter") ? 15 : 30));
        }
        else if (token.Is("fortnight"))
        {
            _position++;
            SetUnit(token, PhraseUnit.Week, 2 * interval);
        }
        else if (IsUnitWord(token))
        {
            _position++;
            SetUnit(token, UnitOf(token), interval);
        }
        else if (IsDayWord(token))
        {
            ParseDayList(_schedule.Days);
            SetUnit(token, _schedule.Days.Count == 7 ? PhraseUnit.Day : PhraseUnit.Week, interval, daysSet: true);
        }
        else if (MonthOf(token) > 0 && interval == 1)
        {
            ParseMonthDates();
            SetUnit(token, PhraseUnit.Year, 1);
        }
        else
        {
            throw new PhraseException($"'{near}' needs a unit or a day", ["every 2 hours", "every other day", "every other tuesday"]);
        }
    }

    private void SetUnit(PhraseToken token, PhraseUnit unit, int interval, bool daysSet = false)
    {
        var s = _schedule;
        if (daysSet && s.Unit is PhraseUnit.Day or PhraseUnit.Week && s.Interval == 1 && interval == 1)
        {
            return; // "weekly on monday" after "every monday": the same
        }

        if (s.Unit is { } existing)
        {
            // "every monday every week", "every month" after "on the 15th" or "daily" twice: compatible restatements are fine.
            if (existing == unit && s.Interval == interval)
            {
                return;
            }

            if (existing == PhraseUnit.Week && unit == PhraseUnit.Week && interval == 1)
            {
                return;
            }

            if (daysSet && existing == PhraseUnit.Week && s.Interval > 1)
            {
                return; // "every 2 weeks on monday" then the day
            }

            if (!daysSet && existing is PhraseUnit.Week && s.Days.Count > 0 && unit == PhraseUnit.Week)
            {
                s.Interval = Math.Max(s.Interval, interval);
                return;
            }

            if (!(s.IsSubDaily && unit is PhraseUnit.Day or PhraseUnit.Week && interval == 1))
            {
                throw new PhraseException(
                    $"'{token.Raw}' gives a second frequency ('{Near(token)}')", ["every 2 weeks on monday at 9am", "every day at 9am"]);
            }

            return; // "every hour every day": the day restates
        }

        s.Unit = unit;
        s.Interval = interval;
        if (interval > 100_000)
        {
            throw new PhraseException($"'{interval}' is out of range (use 1 to 100000)", []);
        }
    }

    private void ParseOnceA(PhraseToken once)
    {
        // "once a day", "once a week", "once per hour".
        if (Peek()?.Is("a") == true || Peek()?.Is("every") == true)
        {
            _position++;
            if (Peek() is { } unit && IsUnitWord(unit))
            {
                ParseEveryWhat(once, 1, Near(once));
                return;
            }
        }

        throw new PhraseException($"'{Near(once)}' is not understood", ["once a day", "once a week", "tomorrow at 8am"]);
    }

    private void ParseOn(PhraseToken on)
    {
        var token = Peek() ?? throw new PhraseException("'on' needs a day or a date", ["on mondays", "on the 15th", "on 2026-01-05"]);
        if (token.Is("the") && Peek(1)?.Is("hour") == true && (_schedule.Unit ?? PhraseUnit.Hour) == PhraseUnit.Hour)
        {
            _position += 2; // "every hour on the hour": what an hourly interval does anyway
        }
        else if (token.Is("the") || token.Kind == PhraseTokenKind.Ordinal)
        {
            TakeIf("the");
            ParseOrdinalClause(token);
        }
        else if (token.Is("day") && Peek(1) is { Kind: PhraseTokenKind.Number } n)
        {
            _position += 2;
            AddMonthDay(n, n.Value);
            while ((Peek()?.Is("and") == true || Peek()?.Kind == PhraseTokenKind.Comma) && Peek(1) is { Kind: PhraseTokenKind.Number } more)
            {
                _position += 2;
                AddMonthDay(more, more.Value);
            }
        }
        else if (IsDayWord(token))
        {
            ParseBareDays(token);
        }
        else if (token.Kind == PhraseTokenKind.Date)
        {
            ParseOnceDate();
        }
        else if (MonthOf(token) > 0)
        {
            ParseMonthDates();
        }
        else
        {
            throw new PhraseException($"'on {token.Raw}' is not understood: 'on' takes a day or a date", ["on mondays", "on the 15th", "on 2026-01-05"]);
        }
    }

    private void ParseAt(PhraseToken at)
    {
        var token = Peek() ?? throw new PhraseException("'at' needs a time of day", ["at 9am", "at 17:30", "at noon"]);
        if (token.Kind == PhraseTokenKind.Date)
        {
            ParseOnceDate();
        }
        else if (token.Kind is PhraseTokenKind.Time or PhraseTokenKind.Number)
        {
            ParseTimes(allowNumbers: true);
        }
        else
        {
            throw new PhraseException($"'at {token.Raw}' is not a time of day", ["at 9am", "at 9:30pm", "at 17:00", "at noon"]);
        }
    }

    // time (("," | "and") time)*; a bare number after "at" is an hour on the 24-hour clock ("at 9" = 09:00).
    private void ParseTimes(bool allowNumbers)
    {
        while (true)
        {
            var token = Take();
            var time = token.Kind switch
            {
                PhraseTokenKind.Time => token.Time,
                PhraseTokenKind.Number when allowNumbers && token.Value is >= 0 and <= 23 => HourOf(token),
                _ => throw new PhraseException($"'{token.Raw}' is not a time of day (write 9am, 9:30am, 17:00, noon or midnight)", ["at 9am", "at 17:00"]),
            };
            if (token.Text == "midnight")
            {
                _midnight ??= token;
            }

            if (!_schedule.Times.Contains(time))
            {
                _schedule.Times.Add(time);
            }

            var skip = ListSeparator(at => Peek(at) is { } following && (following.Kind == PhraseTokenKind.Time
                || (allowNumbers && following.Kind == PhraseTokenKind.Number && Peek(at + 1)?.Is("times") != true)
                || (following.Is("at") && Peek(at + 1) is { Kind: PhraseTokenKind.Time or PhraseTokenKind.Number })));
            if (skip > 0)
            {
                _position += skip;
                TakeIf("at");
                continue;
            }

            return;
        }
    }

    private TimeOnly TakeTime(string context)
    {
        var token = Peek();
        if (token is { Kind: PhraseTokenKind.Time })
        {
            _position++;
            return token.Time;
        }

        if (token is { Kind: PhraseTokenKind.Number, Value: >= 0 and <= 23 })
        {
            _position++;
            return HourOf(token);
        }

        throw new PhraseException(
            $"'{context}' needs a time of day{(token is null ? "" : $", not '{token.Raw}'")}", ["between 9am and 5pm", "every day at 9am"]);
    }

    // A bare hour is on the 24-hour clock; 1 to 11 could be either half of the day, so the reading is stated.
    private TimeOnly HourOf(PhraseToken hour)
    {
        if (hour.Value is >= 1 and <= 11)
        {
            _schedule.Readings.Add(
                $"'{hour.Raw}' is read on the 24-hour clock: {new TimeOnly(hour.Value, 0).ToString("HH:mm", CultureInfo.InvariantCulture)} (write '{hour.Raw}am' or '{hour.Raw}pm' to say which half of the day).");
        }

        return new TimeOnly(hour.Value, 0);
    }

    private void ParseWindow(PhraseToken word, string separator)
    {
        var from = TakeTime(word.Raw);
        if (!(TakeIf(separator) || TakeIf("and") || TakeIf("to") || TakeIf("until")))
        {
            throw new PhraseException($"'{Near(word)}' needs two times", ["between 9am and 5pm", "from 9am to 5pm"]);
        }

        var to = TakeTime(word.Raw);
        if (from.Minute != 0 || to.Minute != 0)
        {
            throw new PhraseException(
                $"the window '{word.Raw} {PhraseWriter.Time(from)} and {PhraseWriter.Time(to)}' must start and end on whole hours",
                [$"every 15 minutes between {PhraseWriter.Time(new TimeOnly(from.Hour, 0))} and {PhraseWriter.Time(new TimeOnly(to.Hour, 0))}"]);
        }

        if (from == to)
        {
            throw new PhraseException($"the window from {PhraseWriter.Time(from)} to {PhraseWriter.Time(to)} is empty", ["between 9am and 5pm"]);
        }

        _schedule.Window = (from.Hour, to.Hour);
    }

    private void ParseExcept(PhraseToken except)
    {
        TakeIf("except");
        TakeIf("on");
        TakeIf("in");
        var token = Peek() ?? throw new PhraseException("'except' needs days or months", ["every day at 9am except weekends"]);
        if (token.Text == CalendarMarker)
        {
            ParseCalendar();
        }
        else if (IsDayWord(token))
        {
            ParseDayList(_schedule.ExceptDays);
        }
        else if (MonthOf(token) > 0)
        {
            ParseMonthList(_schedule.ExceptMonths);
        }
        else
        {
            throw new PhraseException(
                $"'except {token.Raw}' is not understood: 'except' takes days or months", ["every day at 9am except weekends", "every day except friday", "daily except in august"]);
        }
    }

    // "except holidays": the calendar of that name.
    private void ParseCalendar()
    {
        var token = Take();
        if (_schedule.Calendar is { } other && other != token.Raw)
        {
            throw new PhraseException($"the phrase names two calendars ('{other}', '{token.Raw}'): a task has one", [$"every day at 9am except {other}"]);
        }

        _schedule.Calendar = token.Raw;
    }

    private static bool IsDayOrMonth(PhraseToken token) => IsDayWord(token) || MonthOf(token) > 0;

    private const string CalendarMarker = "@calendar";

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex CalendarWord();

    private void ParseStarting(PhraseToken word)
    {
        TakeIf("on");
        TakeIf("at");
        TakeIf("from");
        var token = Peek() ?? throw new PhraseException($"'{word.Raw}' needs a date or time", ["starting tomorrow", "starting 2026-01-05", "starting at 9am"]);
        if (_schedule.StartDate is not null || _schedule.StartTime is not null)
        {
            throw new PhraseException($"the phrase has two starts ('{Near(token)}')", []);
        }

        if (token.Is("now"))
        {
            _position++;
            _schedule.StartDate = null;
            return;
        }

        if (token.Kind is PhraseTokenKind.Time || (token.Kind is PhraseTokenKind.Number && word.Is("starting") && Peek(1)?.Is("times") != true))
        {
            var time = TakeTime(word.Raw);
            if (TakeIf("on") || Peek() is { Kind: PhraseTokenKind.Date } || Peek()?.Is("tomorrow") == true || Peek()?.Is("today") == true || Peek()?.Is("next") == true)
            {
                var date = TakeDate(word);
                _schedule.StartDate = date.ToDateTime(time);
            }
            else
            {
                _schedule.StartTime = time;
            }

            return;
        }

        var day = TakeDate(word);
        var at = TakeIf("at") || Peek() is { Kind: PhraseTokenKind.Time };
        if (at)
        {
            NoteMidnightBound(word, Peek(), day, "starts", "starting");
        }

        _schedule.StartDate = day.ToDateTime(at ? TakeTime("starting … at") : TimeOnly.MinValue);
    }

    // "until 2026-12-31 at midnight": the start of that day (00:00), as "starting 2026-12-31 at midnight" is; some mean its end.
    private void NoteMidnightBound(PhraseToken word, PhraseToken? time, DateOnly date, string verb, string keyword)
    {
        if (time?.Text == "midnight")
        {
            _schedule.Readings.Add(
                $"'{word.Raw} … at {time.Raw}' {verb} at {Iso(date)} 00:00, the start of that day, not its end: write '{keyword} {Iso(date.AddDays(1))}' for " +
                $"{Iso(date.AddDays(1))} 00:00{(keyword == "until" ? $", or '{keyword} {Iso(date)}' to include the whole day" : "")}.");
        }
    }

    private void ParseUntil(PhraseToken word)
    {
        if (_schedule.For is not null || _schedule.Until is not null || _schedule.UntilTime is not null)
        {
            throw new PhraseException($"the phrase gives two ends ('{Near(word)}')", ["every day at 9am until 2026-12-31", "every day at 9am for 3 weeks"]);
        }

        TakeIf("on");
        TakeIf("at");
        var token = Peek() ?? throw new PhraseException($"'{word.Raw}' needs a date or time", ["until 2026-12-31", "until 5pm"]);
        if (token.Kind is PhraseTokenKind.Time or PhraseTokenKind.Number)
        {
            var time = TakeTime(word.Raw);
            if (TakeIf("on") || Peek() is { Kind: PhraseTokenKind.Date } || Peek()?.Is("tomorrow") == true || Peek()?.Is("next") == true || Peek()?.Is("today") == true)
            {
                _schedule.Until = TakeDate(word).ToDateTime(time);
            }
            else
            {
                _schedule.UntilTime = time;
            }

            return;
        }

        var date = TakeDate(word);
        if (TakeIf("at") || Peek() is { Kind: PhraseTokenKind.Time })
        {
            NoteMidnightBound(word, Peek(), date, "ends", "until");
            _schedule.Until = date.ToDateTime(TakeTime("until … at"));
        }
        else
        {
            _schedule.Until = date.ToDateTime(TimeOnly.MinValue);
            _schedule.UntilIsDate = true;
        }
    }

    // A date: ISO, "tomorrow", "today", "next friday", "jan 5" / "january 5th" (the next one).
    private DateOnly TakeDate(PhraseToken word)
    {
        var token = Peek();
        switch (token)
        {
            case { Kind: PhraseTokenKind.Date }:
                _position++;
                return token.Date;
            case { Kind: PhraseTokenKind.Word, Text: "tomorrow" or "today" }:
                _position++;
                return token.Text == "tomorrow" ? Tomorrow(token) : _today;
            case { Kind: PhraseTokenKind.Word, Text: "next" } when Peek(1) is { } day && IsSingleWeekday(day):
                _position += 2;
                return NextWeekday(token, day);
            default:
                throw new PhraseException(
                    $"'{word.Raw}{(token is null ? "" : " " + token.Raw)}' needs a date: yyyy-MM-dd, 'today', 'tomorrow' or 'next <day>'",
                    [$"{word.Text} 2026-01-05", $"{word.Text} tomorrow", $"{word.Text} next monday"]);
        }
    }

    private void ParseFor(PhraseToken word)
    {
        if (Peek() is { Kind: PhraseTokenKind.Number } n && Peek(1)?.Is("times") == true)
        {
            ParseTimesCount(n);
            return;
        }

        // "for 3 weeks", "for a month", "for 90 minutes": the task ends that long after its start.
        if ((Peek() is { Kind: PhraseTokenKind.Number } || Peek()?.Is("a") == true) && Peek(1) is { } unit && IsUnitWord(unit))
        {
            var amount = Peek()!.Kind == PhraseTokenKind.Number ? Positive(Peek()!) : 1;
            _position += 2;
            if (_schedule.For is not null || _schedule.Until is not null || _schedule.UntilTime is not null)
            {
                throw new PhraseException($"the phrase gives two ends ('{Near(word)}')", ["every day at 9am for 3 weeks", "every day at 9am until 2026-12-31"]);
            }

            _schedule.For = (unit.Is("fortnight") ? 2 * amount : amount, UnitOf(unit));
            return;
        }

        throw new PhraseException($"'{Near(word)}' is not understood", ["for 10 times", "for 3 weeks"]);
    }

    private void ParseTimesCount(PhraseToken n)
    {
        _position += 2; // N times
        if (Peek() is { } per && (per.Is("a") || per.Is("every")))
        {
            throw new PhraseException(
                $"'{n.Raw} times {per.Raw} …' is ambiguous: at which times?", ["every day at 9am, 1pm and 5pm", "every monday, wednesday and friday at 9am", "every 8 hours"]);
        }

        _schedule.Count = Positive(n);
    }

    private void ParseIn(PhraseToken word)
    {
        var token = Peek() ?? throw new PhraseException("'in' needs an amount or a month", ["in 90 minutes", "in january"]);
        if (token.Kind == PhraseTokenKind.Number || token.Is("a") || token.Is("half"))
        {
            var amount = token.Kind == PhraseTokenKind.Number ? Positive(token) : 1;
            _position++;
            if (token.Is("half") || (token.Is("a") && Peek()?.Is("half") == true))
            {
                TakeIf("half");
                TakeIf("a");
                if (!TakeIf("hour"))
                {
                    throw new PhraseException($"'{Near(token)}' is not understood", ["in half an hour", "in 30 minutes"]);
                }

                SetOnceAfter(token, 30, PhraseUnit.Minute);
                return;
            }

            var unit = Peek();
            if (unit is null || !IsUnitWord(unit))
            {
                throw new PhraseException($"'in {token.Raw}' needs a unit", [$"in {token.Raw} minutes", $"in {token.Raw} hours", $"in {token.Raw} days"]);
            }

            _position++;
            SetOnceAfter(token, unit.Is("fortnight") ? 2 * amount : amount, UnitOf(unit));
        }
        else if (MonthOf(token) > 0)
        {
            ParseMonthList(_schedule.Months);
        }
        else if (token.Is("the") && Peek(1)?.Is("morning") == true)
        {
            throw new PhraseException("'in the morning' is not a time of day: nothing is guessed", ["every day at 9am", "tomorrow at 8am"]);
        }
        else
        {
            throw new PhraseException($"'in {token.Raw}' is not understood: 'in' takes an amount of time or months", ["in 90 minutes", "every day in december"]);
        }
    }

    private void SetOnceAfter(PhraseToken token, int amount, PhraseUnit unit)
    {
        if (_schedule.OnceAfter is not null || _schedule.OnceDate is not null)
        {
            throw new PhraseException($"the phrase gives two one-shot times ('{Near(token)}')", ["in 90 minutes"]);
        }

        _schedule.OnceAfter = (amount, unit);
    }

    private void ParseOf(PhraseToken of)
    {
        // "of every month", "of each month", "of the month", "of january".
        if (TakeIf("every") || TakeIf("the"))
        {
            if (Peek() is { Kind: PhraseTokenKind.Number } n && Peek(1)?.Is("month") == true)
            {
                _position += 2;
                SetUnit(n, PhraseUnit.Month, Positive(n));
                return;
            }

            if (TakeIf("other") && TakeIf("month"))
            {
                SetUnit(of, PhraseUnit.Month, 2);
                return;
            }

            if (TakeIf("month"))
            {
                SetUnit(of, PhraseUnit.Month, 1);
                return;
            }

            if (TakeIf("year"))
            {
                return;
            }
        }
        else if (Peek() is { } month && MonthOf(month) > 0)
        {
            ParseMonthList(_schedule.Months);
            return;
        }

        throw new PhraseException($"'{Near(of)}' is not understood", ["the first monday of every month", "the 15th of every month"]);
    }

    // ordinal (("," | "and") ordinal)* then a weekday (nth weekdays), "day"/"weekday" or nothing (days of the month).
    private void ParseOrdinalClause(PhraseToken start)
    {
        var ordinals = new List<PhraseToken>();
        while (true)
        {
            var token = Peek();
            if (token is { Kind: PhraseTokenKind.Ordinal })
            {
                ordinals.Add(token);
                _position++;
            }
            else if (token is { Kind: PhraseTokenKind.Word, Text: "second" })
            {
                ordinals.Add(token with { Kind = PhraseTokenKind.Ordinal, Value = 2 });
                _position++;
            }
            else
            {
                break;
            }

            var skip = ListSeparator(at => Peek(at) is { Kind: PhraseTokenKind.Ordinal } or { Kind: PhraseTokenKind.Word, Text: "second" });
            if (skip > 0)
            {
                _position += skip;
                continue;
            }

            break;
        }

        if (ordinals.Count == 0)
        {
            throw new PhraseException($"'{Near(start)}' needs an ordinal such as 'first', '2nd' or 'last'", ["the first monday of every month", "on the 15th"]);
        }

        var next = Peek();
        if (next is not null && IsSingleWeekday(next))
        {
            _position++;
            var day = ParseWeekday(next.Text);
            foreach (var ordinal in ordinals)
            {
                if (ordinal.Value is < -1 or 0 or > 5)
                {
                    throw new PhraseException($"'{ordinal.Raw} {next.Raw}' does not exist: a month has at most 5 of each weekday", [$"the last {next.Text} of every month"]);
                }

                if (!_schedule.NthDays.Contains((ordinal.Value, day)))
                {
                    _schedule.NthDays.Add((ordinal.Value, day));
                }
            }

            return;
        }

        if (next?.Is("weekday") == true || next?.Is("weekend") == true)
        {
            throw new PhraseException(
                $"'{Near(next)}' is not supported", ["the first monday of every month", "on the 1st of every month"]);
        }

        TakeIf("day");
        foreach (var ordinal in ordinals)
        {
            AddMonthDay(ordinal, ordinal.Value);
        }
    }

    private void AddMonthDay(PhraseToken token, int day)
    {
        if (day is not (-1 or (>= 1 and <= 31)))
        {
            throw new PhraseException($"'{token.Raw}' is not a day of the month (1st to 31st, or 'last')", ["on the 15th of every month", "on the last day of every month"]);
        }

        _schedule.MonthDays.Add(day);
    }

    // "jan 1", "january 1st and july 4th" (a cross product of months and days only), "january" alone.
    private void ParseMonthDates()
    {
        var pairs = new List<(int Month, int Day)>();
        while (Peek() is { } month && MonthOf(month) is > 0 and var m)
        {
            _position++;
            if (Peek() is { Kind: PhraseTokenKind.Number or PhraseTokenKind.Ordinal } day)
            {
                _position++;
                if (day.Value is < 1 or > 31 || day.Value > DateTime.DaysInMonth(2024, m))
                {
                    throw new PhraseException($"'{month.Raw} {day.Raw}' is not a date", ["every year on january 1st"]);
                }

                pairs.Add((m, day.Value));
            }
            else
            {
                _schedule.Months.Add(m);
            }

            var skip = ListSeparator(at => Peek(at) is { } following && MonthOf(following) > 0);
            if (skip > 0)
            {
                _position += skip;
                continue;
            }

            break;
        }

        if (pairs.Count == 0)
        {
            return;
        }

        var months = pairs.Select(p => p.Month).ToHashSet();
        var days = pairs.Select(p => p.Day).ToHashSet();
        if (months.Count * days.Count != pairs.Distinct().Count())
        {
            throw new PhraseException(
                "the dates do not share a day or a month, which one schedule cannot express", ["every year on january 1st", "every year on july 4th"]);
        }

        _schedule.Months.UnionWith(months);
        _schedule.MonthDays.UnionWith(days);
        if (_schedule.Unit is null)
        {
            _schedule.Unit = PhraseUnit.Year;
        }
    }

    private void ParseMonthList(SortedSet<int> into)
    {
        while (Peek() is { } month && MonthOf(month) is > 0 and var m)
        {
            _position++;
            into.Add(m);
            if (Peek() is { } range && range.Is("to") && Peek(1) is { } last && MonthOf(last) is > 0 and var l)
            {
                _position += 2;
                for (var i = m; i != l; i = (i % 12) + 1)
                {
                    into.Add(i);
                }

                into.Add(l);
            }

            var skip = ListSeparator(at => Peek(at) is { } following && MonthOf(following) > 0);
            if (skip > 0)
            {
                _position += skip;
                continue;
            }

            break;
        }
    }

    // day (("," | "and") day)* with ranges "monday to friday", "mon-fri"; "day", "weekday(s)", "weekend(s)".
    private void ParseDayList(SortedSet<DayOfWeek> into)
    {
        while (true)
        {
            var token = Take();
            if (token.Is("day"))
            {
                into.UnionWith(Enum.GetValues<DayOfWeek>());
            }
            else if (token.Is("weekday"))
            {
                into.UnionWith([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]);
            }
            else if (token.Is("weekend"))
            {
                TakeIf("day");
                into.UnionWith([DayOfWeek.Saturday, DayOfWeek.Sunday]);
            }
            else if (IsSingleWeekday(token))
            {
                var day = ParseWeekday(token.Text);
                if (Peek()?.Is("to") == true && Peek(1) is { } last && IsSingleWeekday(last))
                {
                    _position += 2;
                    var end = ParseWeekday(last.Text);
                    for (var d = day; d != end; d = (DayOfWeek)(((int)d + 1) % 7))
                    {
                        into.Add(d);
                    }

                    into.Add(end);
                }
                else
                {
                    into.Add(day);
                }
            }
            else
            {
                throw new PhraseException($"'{token.Raw}' is not a day", ["every monday", "on weekdays"]);
            }

            var skip = ListSeparator(at => Peek(at) is { } following && IsDayWord(following) && !following.Is("day"));
            if (skip > 0)
            {
                _position += skip;
                continue;
            }

            return;
        }
    }

    // Days without "every": plural ("mondays"), "weekdays" or a list or range recur; a single "monday" is ambiguous unless "every" or a
    // frequency comes elsewhere in the phrase ("weekly on monday").
    private void ParseBareDays(PhraseToken token)
    {
        var scratch = new SortedSet<DayOfWeek>();
        ParseDayList(scratch);
        if (scratch.Count == 1 && token.Value == 0 && IsSingleWeekday(token))
        {
            _bareWeekday ??= token;
        }

        _schedule.Days.UnionWith(scratch);
    }

    private void ParseOnceDate()
    {
        var token = Take();
        SetOnce(token, token.Date);
    }

    // "next friday": the first Friday after today (a week ahead when today is a Friday). When that Friday is in the start's week (Monday
    // to Sunday), others read "next friday" as the Friday of the week after: the reading taken is stated, with how to say the other.
    private DateOnly NextWeekday(PhraseToken next, PhraseToken weekday)
    {
        var day = ParseWeekday(weekday.Text);
        var ahead = ((int)day - (int)_today.DayOfWeek + 7) % 7;
        var date = _today.AddDays(ahead == 0 ? 7 : ahead);
        if (IsoDay(day) > IsoDay(_today.DayOfWeek))
        {
            var other = date.AddDays(7);
            _schedule.Readings.Add(
                $"'{next.Raw} {weekday.Raw}' is read as {day} {Iso(date)}, the first {day} after {Iso(_today)} (the start), not {day} {Iso(other)} " +
                $"of the week after: write '{Iso(other)}' for that one.");
        }

        return date;
    }

    // "tomorrow" is the day after the start's date. Said in the small hours (before 4am), some mean the day that begins after the night.
    private DateOnly Tomorrow(PhraseToken tomorrow)
    {
        var date = _today.AddDays(1);
        if (_start.Hour < 4)
        {
            _schedule.Readings.Add(
                $"'{tomorrow.Raw}' is read as {Iso(date)}, the day after the start's date ({Iso(_today)} {_start.ToString("HH:mm", CultureInfo.InvariantCulture)}), not the day that begins after this " +
                $"night: write 'today' for {Iso(_today)}.");
        }

        return date;
    }

    private static int IsoDay(DayOfWeek day) => day == DayOfWeek.Sunday ? 7 : (int)day;

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private void ParseNext(PhraseToken next)
    {
        var token = Peek();
        if (token is not null && IsSingleWeekday(token))
        {
            _position++;
            SetOnce(next, NextWeekday(next, token));
            return;
        }

        throw new PhraseException(
            $"'next {token?.Raw}' is not supported: 'next' takes a day of the week", ["next monday at 9am", "tomorrow at 9am", "in 7 days"]);
    }

    private void SetOnce(PhraseToken token, DateOnly date)
    {
        if (_schedule.OnceDate is not null || _schedule.OnceAfter is not null)
        {
            throw new PhraseException($"the phrase gives two dates ('{Near(token)}')", ["tomorrow at 8am"]);
        }

        _schedule.OnceDate = date;
    }

    private static int Positive(PhraseToken token)
    {
        if (token.Value is < 1 or > 100_000)
        {
            throw new PhraseException($"'{token.Raw}' is out of range (use 1 to 100000)", ["every 1 minute", "every 5 minutes"]);
        }

        return token.Value;
    }

    private static PhraseUnit UnitOf(PhraseToken unit) => unit.Text switch
    {
        "second" => PhraseUnit.Second,
        "minute" => PhraseUnit.Minute,
        "hour" => PhraseUnit.Hour,
        "day" => PhraseUnit.Day,
        "week" or "fortnight" => PhraseUnit.Week,
        "month" => PhraseUnit.Month,
        _ => PhraseUnit.Year,
    };

    private static bool IsUnitWord(PhraseToken token) =>
        token.Kind == PhraseTokenKind.Word && token.Text is "second" or "minute" or "hour" or "day" or "week" or "fortnight" or "month" or "year";

    private static bool IsDayWord(PhraseToken token) =>
        token.Kind == PhraseTokenKind.Word && (token.Text is "day" or "weekday" or "weekend" || Array.IndexOf(WeekdayWords, token.Text) >= 0);

    private static bool IsSingleWeekday(PhraseToken token) => token.Kind == PhraseTokenKind.Word && Array.IndexOf(WeekdayWords, token.Text) >= 0;

    private static DayOfWeek ParseWeekday(string word) => (DayOfWeek)Array.IndexOf(WeekdayWords, word);

    private static int MonthOf(PhraseToken token) => token.Kind == PhraseTokenKind.Word ? Array.IndexOf(MonthWords, token.Text) + 1 : 0;

    /// <summary>The English name of <paramref name="day"/>, lower case.</summary>
    public static string DayName(DayOfWeek day) => WeekdayWords[(int)day];

    /// <summary>The English name of month <paramref name="month"/> (1 to 12), lower case.</summary>
    public static string MonthName(int month) => MonthWords[month - 1];
}
