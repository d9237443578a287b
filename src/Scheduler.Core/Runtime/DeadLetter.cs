using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>A dead letter: a task instance that failed for good (its last allowed attempt failed or expired), with its task's id.</summary>
/// <param name="TaskId">The task (definition) the instance belongs to.</param>
/// <param name="Instance">The instance: its attempts, times and <see cref="TaskInstanceInfo.LastError"/>.</param>
public sealed record DeadLetter(Guid TaskId, TaskInstanceInfo Instance);
