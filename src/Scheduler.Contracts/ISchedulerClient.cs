namespace Scheduler.Contracts;

/// <summary>
/// The scheduler's commands and queries as typed calls: each sends the command to a scheduler node over the bus and waits for its reply.
/// Registered by <c>AddSchedulerClient</c> (Scheduler.MassTransit) inside <c>AddMassTransit</c>; safe to use from any thread and from singletons.
/// </summary>
/// <remarks>Every call can also throw the transport's timeout exception (MassTransit's <c>RequestTimeoutException</c>) when no node answers
/// within the client's timeout (default 30 seconds), and <see cref="OperationCanceledException"/> when <c>cancellationToken</c> is cancelled.
/// A command that timed out may still have been carried out; every command is idempotent, so sending it again is safe.</remarks>
public interface ISchedulerClient
{
    /// <summary>Schedules a task (<see cref="ScheduleTask"/>).</summary>
    /// <returns>The node's <see cref="TaskScheduled"/>.</returns>
    /// <exception cref="TaskRejectedException">The command is invalid, or reuses a task id or idempotency key with other content; nothing was stored.</exception>
    Task<TaskScheduled> ScheduleAsync(ScheduleTask command, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task (<see cref="CancelTask"/>).</summary>
    /// <returns><see langword="false"/> when there is no such task, or it was cancelled already.</returns>
    Task<bool> CancelAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Pauses a task (<see cref="PauseTask"/>).</summary>
    /// <exception cref="TaskNotFoundException">There is no such task.</exception>
    /// <exception cref="TaskRejectedException">The task is cancelled.</exception>
    Task<TaskChanged> PauseAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused task (<see cref="ResumeTask"/>).</summary>
    /// <exception cref="TaskNotFoundException">There is no such task.</exception>
    /// <exception cref="TaskRejectedException">The task is cancelled.</exception>
    Task<TaskChanged> ResumeAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Changes a task (<see cref="UpdateTask"/>).</summary>
    /// <exception cref="TaskNotFoundException">There is no such task.</exception>
    /// <exception cref="TaskRejectedException">A value is invalid, or the task is cancelled; nothing changed.</exception>
    Task<TaskChanged> UpdateAsync(UpdateTask update, CancellationToken cancellationToken = default);

    /// <summary>Runs a task once now (<see cref="TriggerTaskNow"/>).</summary>
    /// <returns>The reply; <see cref="TaskChanged.InstanceId"/> is the new instance.</returns>
    /// <exception cref="TaskNotFoundException">There is no such task.</exception>
    /// <exception cref="TaskRejectedException">The task is cancelled.</exception>
    Task<TaskChanged> TriggerNowAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>One task (<see cref="GetTask"/>), or <see langword="null"/> when there is no such task.</summary>
    Task<TaskInfo?> GetAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>A page of tasks (<see cref="ListTasks"/>).</summary>
    /// <exception cref="TaskRejectedException">A filter, the page size or the page token is invalid.</exception>
    Task<TaskList> ListAsync(ListTasks query, CancellationToken cancellationToken = default);

    /// <summary>A page of a task's instances (<see cref="GetTaskInstances"/>).</summary>
    /// <exception cref="TaskNotFoundException">There is no such task.</exception>
    /// <exception cref="TaskRejectedException">The state filter, the page size or the page token is invalid.</exception>
    Task<TaskInstanceList> GetInstancesAsync(GetTaskInstances query, CancellationToken cancellationToken = default);

    /// <summary>Requeues dead letters (<see cref="RequeueDeadLetters"/>): each Failed instance among <paramref name="instanceIds"/> is due now,
    /// with a fresh attempt budget (its retry policy's attempts again).</summary>
    /// <returns>The instances requeued; the others were not dead letters, and nothing changed for them.</returns>
    /// <exception cref="TaskRejectedException">No id, or more than 1,000, were given.</exception>
    Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default);

    /// <summary>Requeues the oldest dead letters matching <paramref name="filter"/>, at most its <see cref="DeadLetterFilter.Limit"/>
    /// (<see cref="RequeueDeadLetters.Filter"/>), each due now with a fresh attempt budget. Call again while
    /// <see cref="DeadLettersRequeued.More"/> is true to requeue every match.</summary>
    /// <returns>The instances requeued, and whether more matched.</returns>
    /// <exception cref="TaskRejectedException">The limit is outside 1 to 1,000, or <see cref="DeadLetterFilter.Since"/> is not before
    /// <see cref="DeadLetterFilter.Until"/>.</exception>
    Task<DeadLettersRequeued> RequeueMatchingDeadLettersAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Deletes a task definition and all its instances (<see cref="DeleteTask"/>).</summary>
    /// <returns><see langword="false"/> when there was no such task (deleted already).</returns>
    /// <exception cref="TaskRejectedException">An instance of it is Claimed or Dispatched: cancel it first and wait until its dispatched
    /// instances finish; nothing changed.</exception>
    Task<bool> DeleteAsync(Guid taskId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a finished task instance: Completed, Failed, Cancelled or Skipped (<see cref="DeleteTaskInstance"/>).</summary>
    /// <returns><see langword="false"/> when there was no such instance (deleted already).</returns>
    /// <exception cref="TaskRejectedException">The instance is not finished (the reason names its state); nothing changed.</exception>
    Task<bool> DeleteInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default);

    /// <summary>Makes a task instance waiting for its retry backoff due now, its attempt count and budget kept (<see cref="RetryTaskInstanceNow"/>).</summary>
    /// <returns>The reply: <see cref="TaskInstanceRetried.Found"/> is <see langword="false"/> when there is no such instance,
    /// <see cref="TaskInstanceRetried.Changed"/> when it was due already.</returns>
    /// <exception cref="TaskRejectedException">The instance is not waiting for a retry (a dead letter is requeued instead); nothing changed.</exception>
    Task<TaskInstanceRetried> RetryInstanceNowAsync(Guid instanceId, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a calendar (<see cref="SetCalendar"/>); the tasks that name it are planned again with it.</summary>
    /// <exception cref="TaskRejectedException">The name or a part of the calendar is invalid (<see cref="CalendarRejected"/>); nothing changed.</exception>
    Task<CalendarChanged> SetCalendarAsync(SetCalendar command, CancellationToken cancellationToken = default);

    /// <summary>Deletes a calendar (<see cref="DeleteCalendar"/>).</summary>
    /// <returns><see langword="false"/> when there was no such calendar.</returns>
    /// <exception cref="TaskRejectedException">A task that is not cancelled names it; nothing changed.</exception>
    Task<bool> DeleteCalendarAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>One calendar (<see cref="GetCalendar"/>), or <see langword="null"/> when there is no such calendar.</summary>
    Task<CalendarInfo?> GetCalendarAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every calendar (<see cref="ListCalendars"/>).</summary>
    Task<CalendarList> ListCalendarsAsync(CancellationToken cancellationToken = default);
}
