namespace Scheduler.Triggers.Phrases;

/// <summary>One token of an English schedule phrase.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">The canonical word (for <see cref="PhraseTokenKind.Word"/>), else the text as written.</param>
/// <param name="Raw">The text as written, for error messages.</param>
/// <param name="Value">The number or ordinal (last = -1); for weekday and unit words, 1 when written in the plural.</param>
/// <param name="Time">The time of day of a <see cref="PhraseTokenKind.Time"/>.</param>
/// <param name="Date">The date of a <see cref="PhraseTokenKind.Date"/>.</param>
internal sealed record PhraseToken(PhraseTokenKind Kind, string Text, string Raw, int Value = 0, TimeOnly Time = default, DateOnly Date = default)
{
    /// <summary>Whether this is the word <paramref name="word"/> (canonical spelling).</summary>
    public bool Is(string word) => Kind == PhraseTokenKind.Word && Text == word;

    /// <inheritdoc />
    public override string ToString() => Raw;
}
