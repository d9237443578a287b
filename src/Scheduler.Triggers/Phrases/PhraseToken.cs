namespace Scheduler.Triggers.Phrases;

/// <summary>The kinds of <see cref="PhraseToken"/>.</summary>
internal enum PhraseTokenKind
{
    /// <summary>A word, in its canonical spelling (<c>mins</c> → <c>minute</c>, <c>tues</c> → <c>tuesday</c>, <c>each</c> → <c>every</c>).</summary>
    Word,

    /// <summary>A whole number (<c>5</c>, <c>five</c>).</summary>
    Number,

    /// <summary>An ordinal (<c>2nd</c>, <c>second</c> before a day, <c>last</c> = -1).</summary>
    Ordinal,

    /// <summary>A time of day (<c>9am</c>, <c>9.30pm</c>, <c>17:00</c>, <c>noon</c>, <c>midnight</c>).</summary>
    Time,

    /// <summary>An ISO calendar date (<c>2026-01-05</c>).</summary>
    Date,

    /// <summary>A comma.</summary>
    Comma,
}

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
