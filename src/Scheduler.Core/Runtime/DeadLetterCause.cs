namespace Scheduler.Core.Runtime;

/// <summary>Why an instance was dead-lettered (the tag <c>scheduler.cause</c> of <c>scheduler.instances.dead_lettered</c>).</summary>
internal enum DeadLetterCause
{
    Expired,
    Failed,
    DispatchRefused,
}
