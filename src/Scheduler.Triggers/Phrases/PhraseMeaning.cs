namespace Scheduler.Triggers.Phrases;

/// <summary>What an English phrase means: an instant (one-shot phrases), a cron expression, or an RRULE with its DTSTART.</summary>
/// <param name="Kind">Which of the other properties holds the meaning.</param>
/// <param name="Instant">The UTC instant of a one-shot phrase.</param>
/// <param name="Cron">The cron expression (evaluated by Cronos) of a recurring phrase.</param>
/// <param name="RRule">The RRULE content lines, with DTSTART, of a recurring phrase (evaluated by Ical.Net).</param>
internal sealed record PhraseMeaning(PhraseMeaningKind Kind, DateTimeOffset Instant = default, string? Cron = null, string? RRule = null)
{
    /// <summary>How words that people read differently were read (<see cref="PhraseSchedule.Readings"/>).</summary>
    public IReadOnlyList<string> Readings { get; init; } = [];

    /// <summary>The end the phrase gives, the last instant a fire time may be (inclusive, UTC): <c>until …</c>, <c>for 3 weeks</c>.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The calendar the phrase names: <c>except holidays</c>.</summary>
    public string? Calendar { get; init; }

    /// <summary>The number of occurrences the phrase gives: <c>10 times</c>.</summary>
    public int? MaxOccurrences { get; init; }
}
