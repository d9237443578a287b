namespace Scheduler.Triggers.Phrases;

/// <summary>A phrase the grammar rejects: the reason (naming the offending words) and phrasings that would work.</summary>
/// <param name="reason">Why, e.g. "'blue', 'moon' are not understood"; no trailing full stop.</param>
/// <param name="suggestions">Phrases the grammar accepts that are nearest to what was written; may be empty (the caller adds examples).</param>
internal sealed class PhraseException(string reason, IReadOnlyList<string> suggestions) : Exception(reason)
{
    public string Reason { get; } = reason;

    public IReadOnlyList<string> Suggestions { get; } = suggestions;
}
