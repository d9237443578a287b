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
