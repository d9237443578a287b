namespace Scheduler.Contracts;

/// <summary>How an attempt of a task instance ended (<see cref="TaskAttemptInfo.Outcome"/>).</summary>
public enum AttemptOutcome
{
    /// <summary>Its handler returned without an exception.</summary>
    Completed = 0,

    /// <summary>It failed (its handler threw, or the broker refused its dispatch) and the retry policy allowed another attempt.</summary>
    Failed = 1,

    /// <summary>It failed and was the last attempt the retry policy allows: the instance is a dead letter.</summary>
    DeadLettered = 2,

    /// <summary>No outcome arrived within ExpireAfter (nor its queue timeout while unstarted): a next attempt was claimed, or, when it was the
    /// last allowed, the instance was dead-lettered.</summary>
    Expired = 3,

    /// <summary>Its claim was given back before it was sent (a node stopping, a send that timed out): the attempt number is used again.</summary>
    Released = 4,

    /// <summary>Its claim ended because the task was cancelled.</summary>
    Cancelled = 5,

    /// <summary>Its claim ended because the task's overlap policy skipped the occurrence.</summary>
    Skipped = 6,
}
