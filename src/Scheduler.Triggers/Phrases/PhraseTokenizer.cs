using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.Triggers.Phrases;

/// <summary>
/// Splits an English schedule phrase into <see cref="PhraseToken"/>s: lower case, commas apart, synonyms and abbreviations mapped to one
/// canonical word (<see cref="Synonyms"/>), number words to numbers, <c>9 am</c>, <c>9.30pm</c>, <c>17:00</c>, <c>noon</c> and
/// <c>midnight</c> to times, <c>2nd</c>/<c>second</c> to ordinals, <c>2026-01-05</c> to dates, <c>mon-fri</c> and <c>9am-5pm</c> to ranges.
/// </summary>
internal static partial class PhraseTokenizer
{
    /// <summary>Canonical spelling of every word the grammar knows; a word missing here is reported as not understood.</summary>
    public static readonly IReadOnlyDictionary<string, string> Synonyms = BuildSynonyms();

    private static readonly Dictionary<string, int> NumberWords = new(StringComparer.Ordinal)
    {
        ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8, ["nine"] = 9,
        ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["fifteen"] = 15, ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40,
        ["sixty"] = 60, ["ninety"] = 90,
    };

    private static readonly Dictionary<string, int> OrdinalWords = new(StringComparer.Ordinal)
    {
        ["first"] = 1, ["third"] = 3, ["fourth"] = 4, ["fifth"] = 5, ["sixth"] = 6, ["seventh"] = 7, ["eighth"] = 8, ["ninth"] = 9,
        ["tenth"] = 10, ["last"] = -1,
    };

    /// <summary>Every word the grammar knows, canonical or not (for suggestions of the nearest word).</summary>
    public static IEnumerable<string> KnownWords => Synonyms.Keys.Concat(NumberWords.Keys).Concat(OrdinalWords.Keys).Concat(["noon", "midday", "midnight", "am", "pm"]);

    /// <summary>Tokenizes <paramref name="phrase"/>.</summary>
    /// <exception cref="PhraseException">A date or time is written in a known shape but impossible (<c>2026-02-30</c>, <c>13pm</c>, <c>25:00</c>).</exception>
    public static List<PhraseToken> Tokenize(string phrase)
    {
        var text = AmPm().Replace(phrase.Trim().ToLowerInvariant(), "${x}m").TrimEnd('.')
            .Replace("o'clock", " oclock", StringComparison.Ordinal).Replace("o’clock", " oclock", StringComparison.Ordinal)
            .Replace("&", " and ", StringComparison.Ordinal).Replace(",", " , ", StringComparison.Ordinal)
            .Replace(";", " , ", StringComparison.Ordinal);
        text = LetterHyphen().Replace(text, " - ");
        text = TimeRange().Replace(text, "${a} - ${b}");
        var tokens = new List<PhraseToken>();
        foreach (var piece in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            tokens.Add(Read(piece));
        }

        return Merge(tokens);
    }

    private static PhraseToken Read(string piece)
    {
        if (piece == ",")
        {
            return new PhraseToken(PhraseTokenKind.Comma, ",", ",");
        }

        if (DateShape().IsMatch(piece))
        {
            if (!DateOnly.TryParseExact(piece, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new PhraseException($"'{piece}' is not a calendar date", ["on 2026-01-05 at 9am"]);
            }

            return new PhraseToken(PhraseTokenKind.Date, piece, piece, Date: date);
        }

        if (TimeShape().Match(piece) is { Success: true } time)
        {
            return new PhraseToken(PhraseTokenKind.Time, piece, piece, Time: ReadTime(piece, time.Groups["h"].Value, time.Groups["m"].Value, time.Groups["ampm"].Value));
        }

        if (int.TryParse(piece, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return new PhraseToken(PhraseTokenKind.Number, piece, piece, Value: number);
        }

        if (OrdinalShape().Match(piece) is { Success: true } ordinal)
        {
            return new PhraseToken(PhraseTokenKind.Ordinal, piece, piece, Value: int.TryParse(ordinal.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue);
        }

        if (piece is "noon" or "midday")
        {
            return new PhraseToken(PhraseTokenKind.Time, piece, piece, Time: new TimeOnly(12, 0));
        }

        if (piece == "midnight")
        {
            return new PhraseToken(PhraseTokenKind.Time, piece, piece, Time: new TimeOnly(0, 0));
        }

        if (NumberWords.TryGetValue(piece, out var word))
        {
            return new PhraseToken(PhraseTokenKind.Number, piece, piece, Value: word);
        }

        if (OrdinalWords.TryGetValue(piece, out var nth))
        {
            return new PhraseToken(PhraseTokenKind.Ordinal, piece, piece, Value: nth);
        }

        if (Synonyms.TryGetValue(piece, out var canonical))
        {
            var plural = piece.EndsWith("days", StringComparison.Ordinal) || piece is "weekends" or "mons" or "weds" or "fris" or "sats" or "suns" ? 1 : 0;
            return new PhraseToken(PhraseTokenKind.Word, canonical, piece, Value: plural);
        }

        return new PhraseToken(PhraseTokenKind.Word, piece, piece, Value: -1); // unknown: the parser names it
    }

    // "9 am", "8:15 am", "9 oclock".
    private static List<PhraseToken> Merge(List<PhraseToken> tokens)
    {
        var merged = new List<PhraseToken>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
            if (next is { Kind: PhraseTokenKind.Word } && (next.Raw is "am" or "pm") && token.Kind is PhraseTokenKind.Number or PhraseTokenKind.Time
                && (token.Kind == PhraseTokenKind.Number || !token.Raw.EndsWith('m')))
            {
                var raw = $"{token.Raw} {next.Raw}";
                var parts = TimeShape().Match(token.Raw.Replace(" ", "", StringComparison.Ordinal) + next.Raw);
                merged.Add(new PhraseToken(PhraseTokenKind.Time, raw, raw, Time: ReadTime(raw, parts.Groups["h"].Value, parts.Groups["m"].Value, next.Raw)));
                i++;
            }
            else if (next is not null && next.Raw == "oclock" && token.Kind == PhraseTokenKind.Number)
            {
                var raw = $"{token.Raw} o'clock";
                merged.Add(new PhraseToken(PhraseTokenKind.Time, raw, raw, Time: ReadTime(raw, token.Raw, "", "")));
                i++;
            }
            else
            {
                merged.Add(token);
            }
        }

        return merged;
    }

    private static TimeOnly ReadTime(string raw, string hourText, string minuteText, string ampm)
    {
        var hour = int.Parse(hourText, CultureInfo.InvariantCulture);
        var minute = minuteText.Length > 0 ? int.Parse(minuteText, CultureInfo.InvariantCulture) : 0;
        var meridiem = ampm.StartsWith('a') ? "am" : ampm.StartsWith('p') ? "pm" : "";
        if (minute > 59 || (meridiem.Length > 0 ? hour is < 1 or > 12 : hour > 23))
        {
            throw new PhraseException(
                $"'{raw}' is not a time of day (write 9am, 9:30am, 9.30pm, 17:00, noon or midnight)", ["every day at 9am", "every day at 17:30"]);
        }

        if (meridiem.Length > 0)
        {
            hour = (hour % 12) + (meridiem == "pm" ? 12 : 0);
        }

        return new TimeOnly(hour, minute);
    }

    private static Dictionary<string, string> BuildSynonyms()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string canonical, params string[] spellings)
        {
            map[canonical] = canonical;
            foreach (var spelling in spellings)
            {
                map[spelling] = canonical;
            }
        }

        Add("second", "seconds", "sec", "secs");
        Add("minute", "minutes", "min", "mins");
        Add("hour", "hours", "hr", "hrs");
        Add("day", "days");
        Add("week", "weeks", "wk", "wks");
        Add("fortnight", "fortnights");
        Add("month", "months");
        Add("year", "years", "yr", "yrs");
        Add("monday", "mondays", "mon", "mons");
        Add("tuesday", "tuesdays", "tue", "tues", "tu");
        Add("wednesday", "wednesdays", "wed", "weds");
        Add("thursday", "thursdays", "thu", "thur", "thurs");
        Add("friday", "fridays", "fri", "fris");
        Add("saturday", "saturdays", "sat", "sats");
        Add("sunday", "sundays", "sun", "suns");
        Add("weekday", "weekdays", "workday", "workdays", "business");
        Add("weekend", "weekends");
        Add("january", "jan");
        Add("february", "feb");
        Add("march", "mar");
        Add("april", "apr");
        Add("may");
        Add("june", "jun");
        Add("july", "jul");
        Add("august", "aug");
        Add("september", "sep", "sept");
        Add("october", "oct");
        Add("november", "nov");
        Add("december", "dec");
        Add("every", "each", "per");
        Add("hourly");
        Add("daily");
        Add("weekly");
        Add("fortnightly");
        Add("monthly");
        Add("quarterly");
        Add("yearly", "annually", "annual");
        Add("other");
        Add("quarter");
        Add("half");
        Add("at", "@");
        Add("on");
        Add("in");
        Add("of");
        Add("the");
        Add("and", "plus");
        Add("a", "an");
        Add("between");
        Add("from");
        Add("to", "-", "through", "thru");
        Add("except", "excluding", "but", "not", "without", "skipping");
        Add("starting", "start", "starts", "beginning", "begin", "begins", "after");
        Add("until", "till", "til", "ending", "ends", "end", "before");
        Add("for");
        Add("times", "time", "occurrences", "occurrence", "runs");
        Add("once");
        Add("twice", "thrice");
        Add("today");
        Add("tomorrow");
        Add("tonight");
        Add("next");
        Add("this");
        Add("now");
        Add("morning", "mornings", "afternoon", "afternoons", "evening", "evenings", "night", "nights");
        Add("biweekly", "bimonthly", "semimonthly", "biannually", "biannual");
        Add("oclock");
        Add("am");
        Add("pm");
        return map;
    }

    [GeneratedRegex(@"\b(?<x>[ap])\.m\b\.?", RegexOptions.CultureInvariant)]
    private static partial Regex AmPm();

    [GeneratedRegex(@"(?<=[a-z])-(?=[a-z])", RegexOptions.CultureInvariant)]
    private static partial Regex LetterHyphen();

    [GeneratedRegex(@"(?<![-0-9:.])(?<a>\b[0-9]{1,2}(?:[:.][0-9]{2})?(?:am|pm)?)-(?<b>[0-9]{1,2}(?:[:.][0-9]{2})?(?:am|pm)?\b)(?![-0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex TimeRange();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateShape();

    [GeneratedRegex(@"^(?<h>[0-9]{1,2})(?:(?:(?<sep>[:.])(?<m>[0-9]{2}))(?<ampm>am|pm|a|p)?|(?<ampm>am|pm|a|p))$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeShape();

    [GeneratedRegex(@"^(?<n>[0-9]+)(?:st|nd|rd|th)$", RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalShape();
}
