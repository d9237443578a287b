namespace Scheduler.Triggers.Phrases;

/// <summary>The kinds of <see cref="PhraseMeaning"/>.</summary>
internal enum PhraseMeaningKind
{
    Once,
    Cron,
    RRule,
}
