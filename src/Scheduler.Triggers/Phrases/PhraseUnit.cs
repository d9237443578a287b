namespace Scheduler.Triggers.Phrases;

/// <summary>The units of a phrase's frequency.</summary>
internal enum PhraseUnit
{
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}
