using NodaTime;

namespace Scheduler.Triggers.Phrases;

/// <summary>
/// The English grammar of <see cref="TextTrigger"/>: <see cref="PhraseTokenizer"/> → <see cref="PhraseParser"/> →
/// <see cref="PhraseNormalizer"/>, and the rejection message, which names the offending words and suggests the nearest phrasings that
/// parse. docs/triggers.md documents the grammar with a table of examples.
/// </summary>
internal static class PhraseGrammar
{
    /// <summary>Phrases the grammar accepts, one per shape, from which the nearest are offered when a phrase is rejected.</summary>
    public static readonly IReadOnlyList<string> Examples =
    [
        "every 15 minutes", "every 2 hours", "hourly", "every 90 minutes", "every quarter hour", "every 30 seconds",
        "every day at 9am", "daily at 9am", "every day at 9am and 5pm", "every weekday at 9am", "every weekend at 10am",
        "every monday at 9am", "every monday and friday at 8:15am", "weekly on monday", "every other tuesday at 9:34am",
        "fortnightly on friday at 9am", "every 3 days at 7am", "every 2 weeks on monday at 9am",
        "the first monday of every month at noon", "the last friday of the month at 5pm", "every 2nd and 4th thursday at 10am",
        "on the 15th of every month at 9am", "every month on the last day at 6pm", "every year on january 1st at midnight",
        "every 2 hours between 9am and 5pm", "every 30 minutes between 9am and 5pm on weekdays", "every day at 9am except weekends",
        "every day at 9am starting 2026-01-05", "every day at 9am until 2026-12-31", "every day at 9am for 10 times",
        "tomorrow at 8am", "next friday at noon", "in 90 minutes", "on 2026-01-05 at 2:30pm",
    ];

    /// <summary>What <paramref name="phrase"/> means in <paramref name="zone"/> for a task that starts at <paramref name="anchor"/>.</summary>
    /// <exception cref="TriggerFormatException">The phrase is not understood or ambiguous: the message names the words and suggests phrasings
    /// that parse.</exception>
    public static PhraseMeaning Parse(string phrase, DateTimeZone zone, DateTimeOffset anchor)
    {
        try
        {
            return Meaning(phrase, zone, anchor);
        }
        catch (PhraseException ex)
        {
            throw new TriggerFormatException(Message(phrase, ex, zone, anchor), ex);
        }
    }

    /// <summary>The schedule <paramref name="phrase"/> says (before normalization).</summary>
    /// <exception cref="PhraseException">Not understood or ambiguous.</exception>
    internal static PhraseSchedule Schedule(string phrase, DateTimeZone zone, DateTimeOffset anchor) =>
        PhraseParser.Parse(phrase, WallClock.ToLocal(anchor, zone));

    private static PhraseMeaning Meaning(string phrase, DateTimeZone zone, DateTimeOffset anchor) =>
        PhraseNormalizer.Normalize(Schedule(phrase, zone, anchor), zone, anchor);

    private static bool Parses(string phrase, DateTimeZone zone, DateTimeOffset anchor)
    {
        try
        {
            Meaning(phrase, zone, anchor);
            return true;
        }
        catch (Exception ex) when (ex is PhraseException or TriggerFormatException || TriggerInstants.IsEvaluationFailure(ex))
        {
            return false;
        }
    }

    private static string Message(string phrase, PhraseException ex, DateTimeZone zone, DateTimeOffset anchor)
    {
        var suggestions = ex.Suggestions.Where(s => Parses(s, zone, anchor)).ToList();
        if (Corrected(phrase) is { } corrected && Parses(corrected, zone, anchor))
        {
            suggestions.Insert(0, corrected);
        }

        if (suggestions.Count < 2)
        {
            suggestions.AddRange(Nearest(phrase).Where(s => !suggestions.Contains(s)).Take(3 - suggestions.Count));
        }

        var list = suggestions.Distinct().Take(3).Select(s => $"'{s}'").ToList();
        var tries = list.Count == 1 ? list[0] : $"{string.Join(", ", list.Take(list.Count - 1))} or {list[^1]}";
        return $"Could not understand the trigger '{phrase}': {ex.Reason}{(ex.Reason.EndsWith('?') ? "" : ".")} Try {tries} (English phrases: see docs/triggers.md).";
    }

    // The phrase with each unknown word replaced by the nearest known one ("evry" → "every", "mintues" → "minutes").
    private static string? Corrected(string phrase)
    {
        var words = TextTrigger.Canonical(phrase).Split(' ');
        var changed = false;
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i].TrimEnd(',');
            if (word.Length < 3 || PhraseTokenizer.Synonyms.ContainsKey(word) || word.Any(char.IsAsciiDigit) || PhraseTokenizer.KnownWords.Contains(word))
            {
                continue;
            }

            var best = PhraseTokenizer.KnownWords.Select(k => (Word: k, Distance: Distance(word, k))).OrderBy(c => c.Distance).ThenBy(c => c.Word, StringComparer.Ordinal).First();
            if (best.Distance <= (word.Length <= 4 ? 1 : 2))
            {
                words[i] = words[i].Replace(word, best.Word, StringComparison.Ordinal);
                changed = true;
            }
        }

        return changed ? string.Join(' ', words) : null;
    }

    // Examples that share the most words with the phrase.
    private static IEnumerable<string> Nearest(string phrase)
    {
        var words = TextTrigger.Canonical(phrase).Split(' ', ',').Select(w => PhraseTokenizer.Synonyms.TryGetValue(w, out var c) ? c : w).ToHashSet(StringComparer.Ordinal);
        return Examples
            .Select((example, index) => (Example: example, Index: index, Score: example.Split(' ').Select(w => PhraseTokenizer.Synonyms.TryGetValue(w, out var c) ? c : w).Count(words.Contains)))
            .OrderByDescending(e => e.Score).ThenBy(e => e.Index).Select(e => e.Example);
    }

    // Levenshtein distance.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
