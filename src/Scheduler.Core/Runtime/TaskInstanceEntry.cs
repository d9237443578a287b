using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>One task instance of a list across tasks (<see cref="InstanceList"/>), with its task's id.</summary>
/// <param name="TaskId">The task (definition) it belongs to.</param>
/// <param name="Instance">The instance.</param>
public sealed record TaskInstanceEntry(Guid TaskId, TaskInstanceInfo Instance);
