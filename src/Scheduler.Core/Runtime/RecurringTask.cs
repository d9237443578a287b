using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>A recurring task as the recurring tasks view shows it (<see cref="SchedulingService.ListRecurringAsync"/>).</summary>
/// <param name="Task">The task: its trigger expression and kind, time zone, state (Active, Paused, …) and <see cref="TaskInfo.NextFireTime"/>,
/// the next occurrence that will fire (as <c>GET tasks/{id}</c> gives it; <see langword="null"/> while paused).</param>
/// <param name="Explanation">The trigger in English (<see cref="Triggers.ITrigger.Describe"/>), e.g. "every weekday at 9am"; an expression
/// that can no longer be read (it could when it was stored) is explained by the reason.</param>
/// <param name="LastOutcome">Its occurrence that finished last with an outcome (Completed, Failed: a dead letter, or Skipped), with its
/// attempts, times and last error; <see langword="null"/> when none has finished yet, or retention deleted them.</param>
public sealed record RecurringTask(TaskInfo Task, string Explanation, TaskInstanceInfo? LastOutcome);
