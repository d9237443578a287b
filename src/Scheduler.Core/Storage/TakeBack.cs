namespace Scheduler.Core.Storage;

/// <summary>What <see cref="IDefinitionStore.ChangeDefinitionAsync"/> does with the task's occurrences not yet begun.</summary>
public enum TakeBack
{
    /// <summary>They stay as planned.</summary>
    None = 0,

    /// <summary>They are deleted and the definition's next fire time moves back to the earliest of them, so they are planned again from the
    /// same trigger (pause: resuming plans them subject to the misfire policy; an update of ExpireAfter or retry: planned with the new values).</summary>
    Rewind = 1,

    /// <summary>They are deleted; the edited definition's next fire time stands (a new trigger: planned from its own fire times).</summary>
    Replan = 2,
}
