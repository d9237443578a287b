using NodaTime;
using Scheduler.Contracts;
using Scheduler.Triggers.Phrases;

namespace Scheduler.Triggers;

/// <summary>
/// A recurring English phrase such as <c>every other tuesday at 9:34am</c>, read by Scheduler's phrase grammar (a tokenizer and parser of
/// composable parts, documented with examples in docs/triggers.md) and normalized to a cron expression (evaluated by
/// <see cref="CronTrigger"/>) or an RRULE whose DTSTART is its first occurrence (evaluated by <see cref="RRuleTrigger"/>). A task stores
/// the normalized form, not the phrase, so a later grammar never moves its fire times.
/// One-shot phrases ("tomorrow at 8am", "in 2 hours", "at 2026-01-05 14:30") are not text triggers: <see cref="Parse"/>'s callers get an
/// <see cref="ExecuteOnceTrigger"/> at the absolute instant, from <see cref="TriggerFactory.Create"/>.
/// </summary>
/// <remarks>DST handling is that of the normalized trigger (the same policy for every kind; see <see cref="WallClock"/>).</remarks>
public sealed class TextTrigger : ITrigger
{
    private TextTrigger(string phrase, ITrigger normalized)
    {
        Expression = phrase;
        Normalized = normalized;
    }

    /// <inheritdoc />
    public TriggerKind Kind => TriggerKind.Text;

    /// <summary>The phrase in canonical form (lower case, single spaces). With the same zone and anchor it rebuilds this trigger.</summary>
    public string Expression { get; }

    /// <summary>The trigger the phrase means: a <see cref="CronTrigger"/> or an <see cref="RRuleTrigger"/> whose expression
    /// (cron, or DTSTART and RRULE lines) rebuilds it without the anchor.</summary>
    public ITrigger Normalized { get; }

    /// <inheritdoc />
    public DateTimeZone TimeZone => Normalized.TimeZone;

    /// <inheritdoc />
    public DateTimeOffset? GetNextFireTime(DateTimeOffset after) => Normalized.GetNextFireTime(after);

    /// <inheritdoc />
    /// <remarks>The description of <see cref="Normalized"/>, in the phrase grammar: it names the start of an RRULE ("starting 2025-01-07"),
    /// so it reads back to the same schedule whatever the anchor.</remarks>
    public string Describe() => Normalized.Describe();

    /// <summary>A phrase in the canonical form of <see cref="Expression"/>: lower case, single spaces, no trailing full stop, e.g.
    /// <c>"Every Day  at 9AM."</c> → <c>"every day at 9am"</c>. Whether the phrase parses is not checked.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="phrase"/> is <see langword="null"/>.</exception>
    public static string Canonical(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        return string.Join(' ', phrase.Trim().TrimEnd('.').ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Reads an English phrase in <paramref name="timeZone"/> for a task that starts at <paramref name="anchor"/>: a
    /// <see cref="TextTrigger"/> for a recurring phrase, an <see cref="ExecuteOnceTrigger"/> for a one-shot phrase.
    /// </summary>
    /// <param name="phrase">The phrase (case-insensitive).</param>
    /// <param name="timeZone">The zone of the times of day in the phrase.</param>
    /// <param name="anchor">The task's start: "in 2 hours" and "tomorrow" count from it, "every other X" counts from the first X at or after it,
    /// and intervals that do not divide the hour or day ("every 7 minutes") count from it (to the minute).</param>
    /// <exception cref="TriggerFormatException">The phrase is not understood or ambiguous; the message says which part and lists the supported forms.</exception>
    public static ITrigger Parse(string phrase, DateTimeZone timeZone, DateTimeOffset anchor) => Read(phrase, timeZone, anchor).Trigger;

    /// <summary><see cref="Parse"/>, with the readings taken of words people read in more than one way (<see cref="ParsedTrigger.Readings"/>).</summary>
    /// <exception cref="TriggerFormatException">The phrase is not understood or ambiguous; the message says which part and lists the supported forms.</exception>
    public static ParsedTrigger Read(string phrase, DateTimeZone timeZone, DateTimeOffset anchor)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        ArgumentNullException.ThrowIfNull(timeZone);
        var meaning = PhraseGrammar.Parse(phrase, timeZone, anchor);
        ITrigger trigger = meaning.Kind switch
        {
            PhraseMeaningKind.Once => new ExecuteOnceTrigger(meaning.Instant, timeZone),
            PhraseMeaningKind.Cron => new TextTrigger(Canonical(phrase), CronTrigger.Parse(meaning.Cron!, timeZone)),
            _ => new TextTrigger(Canonical(phrase), RRuleTrigger.Parse(meaning.RRule!, timeZone, anchor)),
        };
        return new ParsedTrigger(trigger)
        {
            Readings = meaning.Readings, EndAt = meaning.EndAt, MaxOccurrences = meaning.MaxOccurrences, Calendar = meaning.Calendar,
        };
    }
}
