using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Schedules and cancels tasks in process; the bus consumers of <see cref="ScheduleTask"/> and <see cref="CancelTask"/> call it too,
/// so both paths validate and store alike. Logs each stored, rejected, cancelled, paused, resumed, updated and triggered task at Information
/// (a repeated command at Debug) and counts stored tasks (<c>scheduler.tasks.scheduled</c>).
/// </summary>
public sealed partial class SchedulingService
{
    private readonly IDefinitionStore _definitions;
    private readonly IAdminStore _admin;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SchedulerMetrics _metrics;
    private readonly ILogger<SchedulingService> _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="definitions">Where task definitions and calendars are stored and changed.</param>
    /// <param name="admin">Where task instances, dead letters and the cluster view are read.</param>
    /// <param name="signals">Wakes the scheduler and runner loops when a change makes work due.</param>
    /// <param name="options">The node's settings.</param>
    /// <param name="timeProvider">The scheduler's clock.</param>
    /// <param name="metrics">Counts stored tasks.</param>
    /// <param name="logger">Logs each command's result.</param>
    internal SchedulingService(IDefinitionStore definitions, IAdminStore admin, LoopSignals signals, IOptions<SchedulerOptions> options, TimeProvider timeProvider,
        SchedulerMetrics metrics, ILogger<SchedulingService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        _logger = logger;
        _definitions = definitions;
        _admin = admin;
        _signals = signals;
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Validates <paramref name="command"/> and stores the task definition it describes. A command that repeats an earlier one (same task id
    /// or idempotency key, same content) stores nothing and returns the earlier one's reply with <see cref="TaskScheduled.AlreadyScheduled"/>
    /// set; one that reuses the id or key with other content is refused (<see cref="TaskDefinitionFactory.FindConflict"/>).
    /// </summary>
    /// <remarks><see cref="ScheduleManyAsync(IReadOnlyList{ScheduleTask}, CancellationToken)"/> with one command.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    /// <exception cref="TaskValidationException">The command is invalid, or conflicts with the task stored under its id or key; nothing was stored.</exception>
    public async Task<TaskScheduled> ScheduleAsync(ScheduleTask command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = (await ScheduleManyAsync([command], cancellationToken).ConfigureAwait(false))[0];
        return result.Scheduled ?? throw new TaskValidationException(result.Rejected!.Reason);
    }

    /// <summary>
    /// Validates each command and stores the task definitions of the valid ones together (one <see cref="IDefinitionStore.AddDefinitionsAsync"/>
    /// call, so one transaction), then wakes the scheduler loop once if any new task fires within the execution window.
    /// </summary>
    /// <remarks>An invalid command (a <see langword="null"/> one, one without trigger, one <see cref="TaskDefinitionFactory.Create"/> refuses, or one
    /// without recipient: <see cref="TaskDefinitionFactory.RequireRecipient"/> after <see cref="SchedulerOptions.DefaultDestinationQueue"/> is applied)
    /// is answered with <see cref="TaskScheduleResult.Rejected"/>, naming the offending value, and stores nothing; it does not keep the others
    /// from being stored. A command that repeats an earlier one (same task id or idempotency key, stored before or earlier in
    /// <paramref name="commands"/>) with the same content stores nothing and is answered with the earlier one's task and
    /// <see cref="TaskScheduled.AlreadyScheduled"/> set; with other content it is rejected with a reason naming the field that differs.</remarks>
    /// <param name="commands">The commands; a command without <see cref="ScheduleTask.TaskId"/> gets a new id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One result per command, in the order of <paramref name="commands"/>.</returns>
    public Task<IReadOnlyList<TaskScheduleResult>> ScheduleManyAsync(IReadOnlyList<ScheduleTask> commands,
        CancellationToken cancellationToken = default) => ScheduleManyInTracesAsync(commands, [], cancellationToken);

    /// <summary>
    /// <see cref="ScheduleManyAsync(IReadOnlyList{ScheduleTask}, CancellationToken)"/> for commands that arrived in different traces (e.g. a
    /// batch of messages): each command's span <c>scheduler.schedule</c> (<see cref="SchedulerTracing"/>) is a child of its own
    /// <paramref name="traceParents"/> entry, and its W3C traceparent is kept with the task so the task's dispatches join that trace.
    /// </summary>
    /// <param name="commands">The commands; a command without <see cref="ScheduleTask.TaskId"/> gets a new id.</param>
    /// <param name="traceParents">The trace context each command arrived in, by position; missing or <see langword="default"/> entries mean the
    /// current activity's.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One result per command, in the order of <paramref name="commands"/>.</returns>
    public async Task<IReadOnlyList<TaskScheduleResult>> ScheduleManyInTracesAsync(IReadOnlyList<ScheduleTask> commands,
        IReadOnlyList<ActivityContext> traceParents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(traceParents);
        var results = new TaskScheduleResult[commands.Count];
        var ambient = Activity.Current;
        var spans = new Activity?[commands.Count]; // one per command, ended with its result
        try
        {
            await ScheduleAndStoreAsync(commands, traceParents, spans, results, cancellationToken).ConfigureAwait(false);
            return results;
        }
        finally
        {
            for (var i = 0; i < spans.Length; i++)
            {
                if (spans[i] is { } span)
                {
                    if (results[i]?.Rejected is { } rejected)
                    {
                        span.SetStatus(ActivityStatusCode.Error, rejected.Reason);
                    }
                    else if (results[i]?.Scheduled is { } scheduled)
                    {
                        span.SetTag("scheduler.task_id", scheduled.TaskId.ToString());
                        span.SetTag("scheduler.already_scheduled", scheduled.AlreadyScheduled);
                    }

                    span.Dispose();
                }
            }

            Activity.Current = ambient;
        }
    }

    /// <summary>Validates and stores <paramref name="commands"/>, filling <paramref name="results"/>; starts each command's span in
    /// <paramref name="spans"/> (the caller ends them).</summary>
    private async Task ScheduleAndStoreAsync(IReadOnlyList<ScheduleTask> commands, IReadOnlyList<ActivityContext> traceParents, Activity?[] spans,
        TaskScheduleResult[] results, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var calendars = await CalendarsForAsync(commands.Any(NamesCalendar), cancellationToken).ConfigureAwait(false);
        var definitions = new List<TaskDefinition>(commands.Count);
        var readings = new List<List<string>>(commands.Count);
        var positions = new List<int>(commands.Count);
        var ambient = Activity.Current;
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var parent = i < traceParents.Count ? traceParents[i] : default;
            spans[i] = SchedulerTracing.StartSchedule(parent, command?.TaskId);
            Activity.Current = ambient; // the next command's span is not a child of this one
            try
            {
                if (command?.Trigger is null)
                {
                    throw new TaskValidationException("Trigger is missing. Give when the task fires, e.g. '*/5 * * * *' or 'every day at 9am'.");
                }

                var effective = TaskDefinitionFactory.WithDefaultDestination(command, _options.DefaultDestinationQueue);
                var read = new List<string>();
                var definition = TaskDefinitionFactory.Create(effective, now, readings: read, calendars: calendars);
                TaskDefinitionFactory.RequireRecipient(effective);
                definition.TraceParent = SchedulerTracing.TraceParentOf(spans[i], parent);
                definitions.Add(definition);
                readings.Add(read);
                positions.Add(i);
            }
            catch (TaskValidationException ex)
            {
                LogRejected(command?.TaskId, ex.Message);
                results[i] = new TaskScheduleResult
                {
                    Rejected = new TaskRejected { TaskId = command?.TaskId, IdempotencyKey = command?.IdempotencyKey, Reason = ex.Message },
                };
            }
        }

        if (definitions.Count == 0)
        {
            return;
        }

        var stored = await _definitions.AddDefinitionsAsync(definitions, cancellationToken).ConfigureAwait(false);
        // A new task has planned nothing yet (its next fire time is its first); a repeated one may have (one read for the batch).
        var repeated = stored.Where(s => s.AlreadyExisted).Select(s => s.Definition.Id).ToList();
        var pending = repeated.Count == 0 ? NoneNext : await _admin.GetNextPendingFireTimesAsync(repeated, now, cancellationToken).ConfigureAwait(false);
        var wake = false;
        for (var j = 0; j < stored.Count; j++)
        {
            var (definition, alreadyExisted) = stored[j];
            var command = commands[positions[j]];
            if (alreadyExisted && TaskDefinitionFactory.FindConflict(definition, definitions[j], command) is { } conflict)
            {
                LogRejected(command.TaskId, conflict);
                results[positions[j]] = new TaskScheduleResult
                {
                    Rejected = new TaskRejected { TaskId = command.TaskId, IdempotencyKey = command.IdempotencyKey, Reason = conflict },
                };
                continue;
            }

            if (alreadyExisted)
            {
                LogRepeated(definition.Id);
            }
            else
            {
                LogScheduled(definition.Id, definition.Trigger, definition.TimeZoneId, definition.NextFireTime);
                _metrics.Scheduled.Add(1, _metrics.Node);
            }

            wake |= !alreadyExisted && definition.NextFireTime is { } next && next <= now + _options.ExecutionWindow;
            results[positions[j]] = new TaskScheduleResult
            {
                Scheduled = new TaskScheduled
                {
                    TaskId = definition.Id,
                    NextFireTime = TaskViews.NextFireTime(definition, pending.TryGetValue(definition.Id, out var planned) ? planned : null),
                    IdempotencyKey = definition.IdempotencyKey,
                    AlreadyScheduled = alreadyExisted,
                    EndAt = definition.EndAt,
                    MaxOccurrences = definition.MaxOccurrences,
                    LastFireTime = definition.LastFireTime,
                    Calendar = definition.Calendar,
                    Readings = readings[j].Count > 0 ? readings[j] : null,
                },
            };
        }

        if (wake)
        {
            _signals.WakeScheduler();
        }
    }

    /// <summary>Cancels the task definition <paramref name="taskId"/>: it fires no more; its instances not yet dispatched are cancelled.</summary>
    /// <remarks>Runs in step with this node's runner (<see cref="LoopSignals.ChangeTaskAsync{T}"/>): once this returns, every instance of the
    /// task this node sent was recorded as dispatched before the cancel, and this node sends no other. Other nodes' runners learn of it within
    /// their poll interval (default 1 s), so an instance due within that interval on another node may still be dispatched.</remarks>
    public async Task<TaskCancelled> CancelAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var found = await _signals.ChangeTaskAsync(taskId, ct => _definitions.CancelDefinitionAsync(taskId, _timeProvider.GetUtcNow(), ct), cancellationToken)
            .ConfigureAwait(false);
        LogChanged(taskId, "cancel", found ? "done" : "no such task");
        return new TaskCancelled { TaskId = taskId, Found = found };
    }

    /// <summary>Deletes task definition <paramref name="taskId"/> and all its instances (<see cref="DeleteTask"/>,
    /// <see cref="IAdminStore.DeleteDefinitionAsync"/>), cancelled or not, once none of its instances is in flight.</summary>
    /// <remarks>Runs in step with this node's runner (<see cref="LoopSignals.ChangeTaskAsync{T}"/>), as a cancel does.</remarks>
    /// <returns>The reply; <see cref="TaskDeleted.Found"/> is <see langword="false"/> when there is no such task (deleted already).</returns>
    /// <exception cref="TaskValidationException">An instance of it is Claimed or Dispatched; nothing changed.</exception>
    public async Task<TaskDeleted> DeleteAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var deleted = await _signals.ChangeTaskAsync(taskId, ct => _admin.DeleteDefinitionAsync(taskId, ct), cancellationToken).ConfigureAwait(false);
        LogChanged(taskId, "delete", deleted is { } count ? $"done, with {count} instances" : "no such task");
        return new TaskDeleted { TaskId = taskId, Found = deleted is not null, InstancesDeleted = deleted ?? 0 };
    }

    /// <summary>Deletes the finished task instance <paramref name="instanceId"/> (<see cref="DeleteTaskInstance"/>,
    /// <see cref="IAdminStore.DeleteInstanceAsync"/>).</summary>
    /// <returns>The reply; <see cref="TaskInstanceDeleted.Found"/> is <see langword="false"/> when there is no such instance.</returns>
    /// <exception cref="TaskValidationException">The id is all zeros, or the instance is not Completed, Failed, Cancelled or Skipped; nothing changed.</exception>
    public async Task<TaskInstanceDeleted> DeleteInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default)
    {
        RequireInstanceId(instanceId);
        var deleted = await _admin.DeleteInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
        LogInstanceChanged(instanceId, "delete", deleted is null ? "no such instance" : $"done (it was {deleted.Status})");
        return new TaskInstanceDeleted { InstanceId = instanceId, Found = deleted is not null, TaskId = deleted?.DefinitionId };
    }

    /// <summary>Makes task instance <paramref name="instanceId"/>, waiting for its retry backoff, due now (<see cref="RetryTaskInstanceNow"/>,
    /// <see cref="IAdminStore.RetryInstanceNowAsync"/>), its attempt count and budget kept; wakes the runner.</summary>
    /// <returns>The reply; <see cref="TaskInstanceRetried.Found"/> is <see langword="false"/> when there is no such instance.</returns>
    /// <exception cref="TaskValidationException">The id is all zeros, or the instance is not waiting for a retry (a dead letter is requeued
    /// instead); nothing changed.</exception>
    public async Task<TaskInstanceRetried> RetryInstanceNowAsync(Guid instanceId, CancellationToken cancellationToken = default)
    {
        RequireInstanceId(instanceId);
        var (instance, changed) = await _admin.RetryInstanceNowAsync(instanceId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            _signals.WakeRunner();
        }

        LogInstanceChanged(instanceId, "retry now", instance is null ? "no such instance" : changed ? "due now" : "due already");
        return new TaskInstanceRetried
        {
            InstanceId = instanceId, Found = instance is not null, Changed = changed, TaskId = instance?.DefinitionId, Instance = instance?.ToInfo(),
        };
    }

    private static void RequireInstanceId(Guid instanceId)
    {
        if (instanceId == Guid.Empty)
        {
            throw new TaskValidationException("InstanceId is missing (all zeros). Give the id of the task instance, as GetTaskInstances lists it.");
        }
    }

    /// <summary>Pauses task <paramref name="taskId"/> (<see cref="PauseTask"/>): it plans no occurrence until resumed, and its occurrences not
    /// yet begun are taken back (<see cref="TakeBack.Rewind"/>), to be planned again on resume.</summary>
    /// <returns>The task after the command, or <see langword="null"/> when there is no such task.</returns>
    /// <exception cref="TaskValidationException">The task is cancelled; nothing changed.</exception>
    public Task<TaskChanged?> PauseAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        ChangeAsync(taskId, "pause", (stored, now) =>
        {
            RequireNotCancelled(stored, "paused");
            if (stored.PausedAt is not null)
            {
                return null;
            }

            var paused = stored.Clone();
            paused.PausedAt = now;
            return new DefinitionEdit(paused, TakeBack.Rewind);
        }, cancellationToken);

    /// <summary>Resumes task <paramref name="taskId"/> (<see cref="ResumeTask"/>): the scheduler loop plans it again from the fire time it was
    /// paused at, applying its misfire policy to the fire times missed meanwhile.</summary>
    /// <returns>The task after the command, or <see langword="null"/> when there is no such task.</returns>
    /// <exception cref="TaskValidationException">The task is cancelled; nothing changed.</exception>
    public async Task<TaskChanged?> ResumeAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var result = await ChangeAsync(taskId, "resume", (stored, _) =>
        {
            RequireNotCancelled(stored, "resumed");
            if (stored.PausedAt is null)
            {
                return null;
            }

            var resumed = stored.Clone();
            resumed.PausedAt = null;
            return new DefinitionEdit(resumed, TakeBack.None);
        }, cancellationToken).ConfigureAwait(false);
        if (result is { Changed: true })
        {
            _signals.WakeScheduler();
        }

        return result;
    }

    /// <summary>
    /// Makes the cancelled task <paramref name="command"/>.TaskId active again with the command's trigger and values, validated as
    /// <see cref="ScheduleAsync"/> validates them, planned from the command's start (default: now); for callers whose task ids are names that
    /// outlive a cancel (MassTransit's recurring schedules: Quartz lets a cancelled schedule's id be scheduled again). Its ended instances stay
    /// as its history; a fire time among them (an occurrence cancelled within the execution window) is not planned again. Its creation time
    /// becomes now.
    /// </summary>
    /// <returns>The task after the command, or <see langword="null"/> when there is no such task.</returns>
    /// <exception cref="ArgumentException"><paramref name="command"/> has no <see cref="ScheduleTask.TaskId"/>.</exception>
    /// <exception cref="TaskValidationException">A value is invalid, or the task is not cancelled (update it instead); nothing changed.</exception>
    public async Task<TaskChanged?> ScheduleAgainAsync(ScheduleTask command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var taskId = command.TaskId ?? throw new ArgumentException("ScheduleTask.TaskId names the cancelled task to schedule again.", nameof(command));
        var effective = TaskDefinitionFactory.WithDefaultDestination(command, _options.DefaultDestinationQueue);
        var calendars = await CalendarsForAsync(NamesCalendar(command), cancellationToken).ConfigureAwait(false);
        var result = await ChangeAsync(taskId, "schedule again", (stored, now) =>
        {
            if (stored.CancelledAt is null)
            {
                throw new TaskValidationException($"Task {taskId} is not cancelled, so it cannot be scheduled again. Change it with UpdateTask instead.");
            }

            var again = TaskDefinitionFactory.Create(effective, now, calendars: calendars);
            TaskDefinitionFactory.RequireRecipient(effective);
            again.TraceParent = stored.TraceParent;
            return new DefinitionEdit(again, TakeBack.Replan);
        }, cancellationToken).ConfigureAwait(false);
        if (result is { Changed: true })
        {
            _signals.WakeScheduler();
        }

        return result;
    }

    /// <summary>Changes task <paramref name="update"/>.TaskId (<see cref="UpdateTask"/>): the values given replace the stored ones, validated as
    /// <see cref="ScheduleTask"/>'s are. A new trigger, zone or start plans the task from the new trigger's first fire time at or after the
    /// start (default: now), taking back the occurrences not yet begun (<see cref="TakeBack.Replan"/>); a new ExpireAfter, retry policy or jitter
    /// plans the occurrences not yet begun again with it (<see cref="TakeBack.Rewind"/>); other values apply from the next dispatch.</summary>
    /// <returns>The task after the command, or <see langword="null"/> when there is no such task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
    /// <exception cref="TaskValidationException">A value is invalid, or the task is cancelled; nothing changed.</exception>
    public async Task<TaskChanged?> UpdateAsync(UpdateTask update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        List<string> readings = [];
        var calendars = await CalendarsForAsync(named: true, cancellationToken).ConfigureAwait(false); // the task's own, or the new one
        var result = await ChangeAsync(update.TaskId, "update", (stored, now) =>
        {
            RequireNotCancelled(stored, "updated");
            readings = []; // the edit runs again when the store retries its transaction
            return TaskDefinitionFactory.Update(stored, update, now, readings, calendars);
        }, cancellationToken).ConfigureAwait(false);
        if (result is { Changed: true })
        {
            _signals.WakeScheduler();
        }

        return result is not null && readings.Count > 0 ? result with { Readings = readings } : result;
    }

    /// <summary>Adds one instance of task <paramref name="taskId"/> due now (<see cref="TriggerTaskNow"/>), with id <paramref name="instanceId"/>
    /// (a repeat with the same id adds nothing).</summary>
    /// <returns>The task and the instance, or <see langword="null"/> when there is no such task.</returns>
    /// <exception cref="TaskValidationException">The task is cancelled; nothing was added.</exception>
    public async Task<TaskChanged?> TriggerNowAsync(Guid taskId, Guid instanceId, CancellationToken cancellationToken = default)
    {
        var definition = await _definitions.GetDefinitionAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (definition is null)
        {
            return null;
        }

        RequireNotCancelled(definition, "triggered");
        // The fire time is now, down to the millisecond, plus one microsecond (what every store keeps of an instant): never a fire time of the
        // task's trigger (whole seconds, or an instant in whole milliseconds), so the extra run never takes a scheduled occurrence's place.
        // Two triggers within one millisecond would share it: the later one moves on by a microsecond.
        var now = _timeProvider.GetUtcNow();
        for (var fireTime = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond) + 10, TimeSpan.Zero); ; fireTime = fireTime.AddTicks(10))
        {
            var (current, added) = await _definitions.AddInstanceAsync(new TaskInstance
            {
                Id = instanceId,
                DefinitionId = taskId,
                FireTime = fireTime,
                Status = TaskInstanceState.Scheduled,
                DueAt = now,
                ExpireAfter = definition.ExpireAfter,
                Retry = definition.Retry,
            }, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

            RequireNotCancelled(current, "triggered");
            if (added)
            {
                LogTriggered(taskId, instanceId);
                _signals.WakeRunner();
            }
            else if (await _admin.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is null)
            {
                continue; // the fire time was taken by another instance
            }

            // The view shows the next fire time after the run just added (which fires now).
            return new TaskChanged { TaskId = taskId, Changed = added, Task = await ViewAsync(current, Later(fireTime, now), cancellationToken).ConfigureAwait(false), InstanceId = instanceId };
        }
    }

    /// <summary>Task <paramref name="taskId"/>, or <see langword="null"/>; its <see cref="TaskInfo.NextFireTime"/> is the next fire time that
    /// will fire (<see cref="TaskViews.NextFireTime"/>).</summary>
    public Task<TaskInfo?> GetAsync(Guid taskId, CancellationToken cancellationToken = default) => GetDetailAsync(taskId, 0, cancellationToken);

    /// <summary>Task <paramref name="taskId"/> as its detail view shows it: with its next <paramref name="upcoming"/> fire times that will fire
    /// (<see cref="TaskInfo.UpcomingFireTimes"/>, <see cref="TaskViews.UpcomingFireTimes"/>), or <see langword="null"/> when there is no such task.</summary>
    /// <param name="taskId">The task.</param>
    /// <param name="upcoming">How many upcoming fire times: 0 (none: <see cref="TaskInfo.UpcomingFireTimes"/> is <see langword="null"/>) to
    /// <see cref="MaxUpcomingFireTimes"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="TaskValidationException"><paramref name="upcoming"/> is out of range.</exception>
    public async Task<TaskInfo?> GetDetailAsync(Guid taskId, int upcoming, CancellationToken cancellationToken = default)
    {
        if (upcoming is < 0 or > MaxUpcomingFireTimes)
        {
            throw new TaskValidationException($"Upcoming {upcoming} is out of range: ask for 0 to {MaxUpcomingFireTimes} upcoming fire times, e.g. upcoming=5.");
        }

        var definition = await _definitions.GetDefinitionAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (definition is null)
        {
            return null;
        }

        var now = _timeProvider.GetUtcNow();
        if (upcoming == 0)
        {
            return await ViewAsync(definition, now, cancellationToken).ConfigureAwait(false);
        }

        var live = definition.CancelledAt is null && definition.PausedAt is null;
        var pending = live ? await _admin.GetPendingFireTimesAsync(taskId, now, upcoming, cancellationToken).ConfigureAwait(false) : [];
        var next = TaskViews.NextFireTime(definition, pending.Count > 0 ? pending[0] : null);
        if (!live)
        {
            return definition.ToInfo(next, []);
        }

        Triggers.ITrigger trigger;
        try
        {
            trigger = Triggers.TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, definition.StartAt);
        }
        catch (Exception ex) when (Triggers.TriggerInstants.IsEvaluationFailure(ex))
        {
            return definition.ToInfo(next, pending); // a stored trigger that cannot be read plans nothing more (SchedulerLoop): what is planned is left
        }

        var calendar = definition.Calendar is { } name && await _definitions.GetCalendarAsync(name, cancellationToken).ConfigureAwait(false) is { } named
            ? Exclusions(named, trigger.TimeZone)
            : null;
        return definition.ToInfo(next, TaskViews.UpcomingFireTimes(definition, trigger, pending, upcoming, calendar));
    }

    /// <summary>The most upcoming fire times <see cref="GetDetailAsync"/> gives: 50.</summary>
    public const int MaxUpcomingFireTimes = 50;

    /// <summary>A page of tasks (<see cref="ListTasks"/>), oldest first.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    /// <exception cref="TaskValidationException">A filter, the page size or the page token is invalid.</exception>
    public async Task<TaskList> ListAsync(ListTasks query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (skip, size) = Page(query.PageToken, query.PageSize);
        if (query.State is { } state && !Enum.IsDefined(state))
        {
            throw new TaskValidationException($"State {(int)state} is unknown. Use Active, Paused, Cancelled or Finished, or leave it out for every state.");
        }

        if (query.MetadataValue is not null && query.MetadataKey is null)
        {
            throw new TaskValidationException($"MetadataValue '{query.MetadataValue}' is given without MetadataKey. Give the key whose value must match.");
        }

        var page = await _definitions.ListDefinitionsAsync(new DefinitionQuery
        {
            State = query.State,
            MetadataKey = query.MetadataKey,
            MetadataValue = query.MetadataValue,
            Skip = skip,
            Take = size + 1,
        }, cancellationToken).ConfigureAwait(false);
        return new TaskList
        {
            Tasks = await ViewsAsync(page.Take(size).ToList(), _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false),
            NextPageToken = page.Count > size ? NextPage(skip, size) : null,
        };
    }

    /// <summary>A page of a task's instances (<see cref="GetTaskInstances"/>), latest fire time first; <see langword="null"/> when there is no
    /// such task.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    /// <exception cref="TaskValidationException">The state filter, the page size or the page token is invalid.</exception>
    public async Task<TaskInstanceList?> GetInstancesAsync(GetTaskInstances query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = InstancePage(query.TaskId, query.State, query.PageSize, query.PageToken);
        if (await _definitions.GetDefinitionAsync(query.TaskId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var (page, next) = await ReadInstancePageAsync(request, cancellationToken).ConfigureAwait(false);
        return new TaskInstanceList { TaskId = query.TaskId, Instances = await WithAttemptsAsync(page, cancellationToken).ConfigureAwait(false), NextPageToken = next };
    }

    /// <summary>A page of the instances of every task (<see cref="IAdminStore.ListInstancesAsync"/>), latest fire time first, optionally in
    /// one state: what is running now (<see cref="TaskInstanceState.Dispatched"/>), what failed, what was skipped, across tasks.</summary>
    /// <param name="state">Only instances in this state; <see langword="null"/> for all.</param>
    /// <param name="pageSize">Most per page: 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="pageToken">The <see cref="InstanceList.NextPageToken"/> of the previous page; <see langword="null"/> for the first. Pages
    /// resume after the previous page's last instance (keyset), so none is repeated or skipped while instances are added.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="TaskValidationException">The state, the page size or the page token is invalid.</exception>
    public Task<InstanceList> ListInstancesAsync(TaskInstanceState? state = null, int pageSize = 100, string? pageToken = null,
        CancellationToken cancellationToken = default) =>
        FindInstancesAsync(new InstanceFilter { State = state }, pageSize, pageToken, cancellationToken);

    /// <summary>The store query of one page of instances (one more than <paramref name="pageSize"/>, to tell whether another page follows).</summary>
    private static InstanceQuery InstancePage(Guid? definitionId, TaskInstanceState? state, int pageSize, string? pageToken)
    {
        if (state is { } known && !Enum.IsDefined(known))
        {
            throw new TaskValidationException(
                $"State {(int)known} is unknown. Use Scheduled, Claimed, Dispatched, Completed, Failed, Cancelled or Skipped, or leave it out for every state.");
        }

        var (_, size) = Page(null, pageSize);
        return new InstanceQuery { DefinitionId = definitionId, Status = state, After = InstancePageToken.Read(pageToken), Take = size + 1 };
    }

    private async Task<(IReadOnlyList<TaskInstance> Page, string? NextPageToken)> ReadInstancePageAsync(InstanceQuery query, CancellationToken cancellationToken)
    {
        var rows = await _admin.ListInstancesAsync(query, cancellationToken).ConfigureAwait(false);
        var size = query.Take - 1;
        var page = rows.Take(size).ToList();
        return (page, rows.Count > size ? InstancePageToken.Write(page[^1]) : null);
    }

    /// <summary>
    /// The cluster as the task instances table shows it now (<see cref="IAdminStore.GetClusterViewAsync"/>): the backlog due now, the nodes
    /// holding claims, and the activity of the last <paramref name="period"/> in buckets of <paramref name="bucketSize"/>.
    /// </summary>
    /// <param name="period">How far back the activity goes: from <paramref name="bucketSize"/> to 1 day, e.g. 1 hour.</param>
    /// <param name="bucketSize">The width of one bucket: whole seconds, from 1 s to 1 hour, at most 1,440 buckets in
    /// <paramref name="period"/>; e.g. 1 minute.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="TaskValidationException">The period or bucket size is out of range.</exception>
    public Task<ClusterView> GetClusterViewAsync(TimeSpan period, TimeSpan bucketSize, CancellationToken cancellationToken = default)
    {
        if (bucketSize < TimeSpan.FromSeconds(1) || bucketSize > TimeSpan.FromHours(1) || bucketSize.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new TaskValidationException($"Bucket size {bucketSize} is out of range. Give whole seconds from 1 s to 1 hour, e.g. 60 s.");
        }

        if (period < bucketSize || period > TimeSpan.FromDays(1) || period.Ticks / bucketSize.Ticks > 1440)
        {
            throw new TaskValidationException(
                $"Period {period} is out of range for buckets of {bucketSize}. Give from one bucket to 1 day, at most 1,440 buckets, e.g. 1 hour of 60 s buckets.");
        }

        var now = _timeProvider.GetUtcNow();
        return _admin.GetClusterViewAsync(new ClusterViewRequest
        {
            Now = now, ActivitySince = now - period, BucketSize = bucketSize, NodeLivenessTimeout = _options.NodeLivenessTimeout,
        }, cancellationToken);
    }

    /// <summary>A page of the dead letters (<see cref="IAdminStore.ListDeadLettersAsync"/>): Failed instances of every task, newest failure first.</summary>
    /// <param name="pageSize">Most per page: 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="pageToken">The <see cref="DeadLetterList.NextPageToken"/> of the previous page; <see langword="null"/> for the first.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="TaskValidationException">The page size or token is invalid.</exception>
    public async Task<DeadLetterList> ListDeadLettersAsync(int pageSize = 100, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        var (skip, size) = Page(pageToken, pageSize);
        var page = await _admin.ListDeadLettersAsync(new DeadLetterQuery { Skip = skip, Take = size + 1 }, cancellationToken).ConfigureAwait(false);
        return new DeadLetterList(page.Take(size).Select(i => new DeadLetter(i.DefinitionId, i.ToInfo())).ToList(),
            page.Count > size ? NextPage(skip, size) : null);
    }

    /// <summary>
    /// Requeues dead letters (<see cref="IAdminStore.RequeueDeadLettersAsync"/>): each of <paramref name="instanceIds"/> that is Failed becomes
    /// Scheduled, due now, with a fresh attempt budget (<see cref="TaskInstanceLifecycle.Requeue"/>), and the runner is woken to dispatch it.
    /// </summary>
    /// <param name="instanceIds">The task instances to requeue (ids of <see cref="DeadLetter"/>s); at most <see cref="MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ids requeued; one left out was missing or not a dead letter, and nothing changed for it.</returns>
    /// <exception cref="TaskValidationException">No id, or more than <see cref="MaxPageSize"/> ids.</exception>
    public async Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        if (instanceIds.Count == 0)
        {
            throw new TaskValidationException(
                "InstanceIds is empty. Give the ids of the dead letters to requeue, as ListDeadLetters (GET api/dead-letters) shows them.");
        }

        if (instanceIds.Count > MaxPageSize)
        {
            throw new TaskValidationException(
                $"{instanceIds.Count} instance ids is more than one requeue takes ({MaxPageSize}). Requeue them in batches of at most {MaxPageSize}.");
        }

        var requeued = await _admin.RequeueDeadLettersAsync(instanceIds, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (requeued.Count > 0)
        {
            _signals.WakeRunner();
        }

        LogRequeued(requeued.Count, instanceIds.Count);
        return requeued;
    }

    /// <summary>
    /// <see cref="RequeueDeadLetters"/>: requeues the dead letters its <see cref="RequeueDeadLetters.InstanceIds"/> name
    /// (<see cref="RequeueDeadLettersAsync(IReadOnlyCollection{Guid}, CancellationToken)"/>) or the oldest ones its
    /// <see cref="RequeueDeadLetters.Filter"/> selects, at most its limit (<see cref="IAdminStore.RequeueMatchingDeadLettersAsync"/>); each is
    /// due now with a fresh attempt budget (<see cref="TaskInstanceLifecycle.Requeue"/>), and the runner is woken to dispatch them.
    /// </summary>
    /// <returns>The ids requeued and, for a filter, whether more matched than its limit.</returns>
    /// <exception cref="TaskValidationException">Both or neither of InstanceIds and Filter are given; no id or more than <see cref="MaxPageSize"/>;
    /// the filter's limit is outside 1 to <see cref="MaxPageSize"/>, its Since is not before its Until, or its DestinationQueue is blank.</exception>
    public async Task<DeadLettersRequeued> RequeueAsync(RequeueDeadLetters command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        const string example = "InstanceIds (e.g. {\"instanceIds\": [\"<instanceId>\"]}) or Filter (e.g. {\"filter\": {\"taskId\": \"<taskId>\", \"limit\": 100}})";
        if (command is { InstanceIds: not null, Filter: not null })
        {
            throw new TaskValidationException($"Both InstanceIds and Filter are given. Give one: {example}.");
        }

        if (command.Filter is not { } filter)
        {
            var ids = command.InstanceIds ?? throw new TaskValidationException(
                $"Neither instanceIds nor filter is given. Give {example}; an empty filter, {{\"filter\": {{}}}}, matches every dead letter.");
            return new DeadLettersRequeued { Requeued = await RequeueDeadLettersAsync(ids, cancellationToken).ConfigureAwait(false) };
        }

        if (filter.Limit is < 1 or > MaxPageSize)
        {
            throw new TaskValidationException(
                $"Filter.Limit {filter.Limit} is out of range. Give 1 to {MaxPageSize} (default 100), and send again while More is true to requeue the rest.");
        }

        if (filter is { Since: { } since, Until: { } until } && since >= until)
        {
            throw new TaskValidationException($"Filter.Since {since:O} is not before Filter.Until {until:O}. Give a Since earlier than Until, or leave one out.");
        }

        if (filter.DestinationQueue is { } queue && string.IsNullOrWhiteSpace(queue))
        {
            throw new TaskValidationException("Filter.DestinationQueue is blank. Name the queue (as the task's DestinationQueue), or leave it out to match any.");
        }

        var result = await _admin.RequeueMatchingDeadLettersAsync(new DeadLetterRequeueRequest { Now = _timeProvider.GetUtcNow(), Filter = filter },
            cancellationToken).ConfigureAwait(false);
        if (result.Requeued.Count > 0)
        {
            _signals.WakeRunner();
        }

        LogRequeuedMatching(result.Requeued.Count, filter, result.More);
        return new DeadLettersRequeued { Requeued = result.Requeued, More = result.More };
    }

    /// <summary>
    /// Creates or replaces the calendar <paramref name="command"/>.Name (<see cref="SetCalendar"/>) and, in the same store transaction,
    /// replans every task that names it (<see cref="TaskDefinitionFactory.Recalendar"/>: the occurrences not yet begun are taken back and
    /// planned again with it, as an update does).
    /// </summary>
    /// <exception cref="TaskValidationException">The name or a part of the calendar is invalid; nothing changed.</exception>
    public async Task<CalendarChanged> SetCalendarAsync(SetCalendar command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        Calendars.TaskCalendar.ValidateName(command.Name);
        var spec = new Triggers.Calendars.CalendarSpec
        {
            Description = command.Description, TimeZone = command.TimeZone, Dates = Entries(command.Dates, "Dates"), Cron = Entries(command.Cron, "Cron"),
            RRules = Entries(command.RRules, "RRules"), ICalendar = command.ICalendar,
        };
        if (spec.ICalendar is { Length: > MaxICalendarLength })
        {
            throw new TaskValidationException($"ICalendar is {spec.ICalendar.Length:N0} characters long; at most {MaxICalendarLength:N0} (1 MiB) are allowed. Give the events to exclude only.");
        }

        Calendars.TaskCalendar.Compile(spec, NodaTime.DateTimeZone.Utc); // every part readable (a zone of its own, or any task's)
        var now = _timeProvider.GetUtcNow();
        var result = await _definitions.ChangeCalendarAsync(new CalendarChangeRequest
        {
            Name = command.Name,
            Spec = spec,
            Now = now,
            Edit = (definition, calendar) => TaskDefinitionFactory.Recalendar(definition, calendar!, now),
        }, cancellationToken).ConfigureAwait(false);
        await _signals.NotifyTasksChangedAsync(result.EditedDefinitions, cancellationToken).ConfigureAwait(false);
        _signals.WakeScheduler();
        LogCalendar(command.Name, result.Changed ? "set" : "unchanged", result.EditedDefinitions.Count);
        return new CalendarChanged { Calendar = result.Calendar!.ToInfo(), Changed = result.Changed, TasksReplanned = result.EditedDefinitions.Count };
    }

    /// <summary>Deletes the calendar <paramref name="name"/> (<see cref="DeleteCalendar"/>).</summary>
    /// <exception cref="TaskValidationException">A task that is not cancelled names it; nothing changed.</exception>
    public async Task<CalendarDeleted> DeleteCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        var result = await _definitions.ChangeCalendarAsync(new CalendarChangeRequest
        {
            Name = name,
            Now = _timeProvider.GetUtcNow(),
            Edit = (definition, _) => throw new TaskValidationException(
                $"Calendar '{name}' is named by task {definition.Id} (perhaps among others), so it cannot be deleted. Remove it from those tasks first (UpdateTask with Calendar = \"\") or cancel them."),
        }, cancellationToken).ConfigureAwait(false);
        LogCalendar(name, result.Changed ? "deleted" : "not found", 0);
        return new CalendarDeleted { Name = name, Found = result.Changed };
    }

    /// <summary>The calendar <paramref name="name"/>, or <see langword="null"/>.</summary>
    public async Task<CalendarInfo?> GetCalendarAsync(string name, CancellationToken cancellationToken = default) =>
        (await _definitions.GetCalendarAsync(name, cancellationToken).ConfigureAwait(false))?.ToInfo();

    /// <summary>Every calendar, by name.</summary>
    public async Task<CalendarList> ListCalendarsAsync(CancellationToken cancellationToken = default) =>
        new() { Calendars = [.. (await _definitions.ListCalendarsAsync(cancellationToken).ConfigureAwait(false)).Select(c => c.ToInfo())] };

    /// <summary>The longest <see cref="SetCalendar.ICalendar"/>, in characters: 1 MiB.</summary>
    public const int MaxICalendarLength = 1024 * 1024;

    private static List<string> Entries(IReadOnlyList<string>? entries, string name)
    {
        if (entries is { Count: > 1000 })
        {
            throw new TaskValidationException($"{name} has {entries.Count} entries; at most 1,000 are allowed. Use ranges, a cron expression, an RRULE or an iCalendar file.");
        }

        return [.. (entries ?? []).Select(e => e?.Trim() ?? "")];
    }

    // Calendars are few and read whole: only for commands that name one (or whose phrase may: "except …").
    private async Task<Func<string, Calendars.TaskCalendar?>?> CalendarsForAsync(bool named, CancellationToken cancellationToken)
    {
        if (!named)
        {
            return null;
        }

        var calendars = (await _definitions.ListCalendarsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.Name, StringComparer.Ordinal);
        return name => calendars.GetValueOrDefault(name);
    }

    private static bool NamesCalendar(ScheduleTask? command) =>
        command is not null && (command.Calendar is { Length: > 0 } || (command.Trigger is { } trigger
            && ExceptWords.Any(w => trigger.Contains(w, StringComparison.OrdinalIgnoreCase))));

    private static readonly string[] ExceptWords = ["except", "excluding", "but", "not", "without", "skipping"];

    /// <summary>The largest page a query may ask for.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Applies <paramref name="edit"/> to task <paramref name="taskId"/> in one store transaction, in step with this node's runner
    /// (<see cref="LoopSignals.ChangeTaskAsync{T}"/>): what this node sent of the task is recorded before the change, and nothing the change
    /// takes back is sent by this node after it.</summary>
    private async Task<TaskChanged?> ChangeAsync(Guid taskId, string command, Func<TaskDefinition, DateTimeOffset, DefinitionEdit?> edit,
        CancellationToken cancellationToken)
    {
        var (definition, changed) = await _signals.ChangeTaskAsync(taskId, ct =>
        {
            var now = _timeProvider.GetUtcNow();
            return _definitions.ChangeDefinitionAsync(new DefinitionChangeRequest { Id = taskId, Now = now, Edit = stored => edit(stored, now) }, ct);
        }, cancellationToken).ConfigureAwait(false);
        var view = definition is null ? null : await ViewAsync(definition, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogChanged(taskId, command, view is null ? "no such task"
                : changed ? $"now {view.State}, next fire time {view.NextFireTime?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
                : $"nothing to change (it is {view.State})");
        }

        return view is null ? null : new TaskChanged { TaskId = taskId, Changed = changed, Task = view };
    }

    private static readonly IReadOnlyDictionary<Guid, DateTimeOffset> NoneNext = new Dictionary<Guid, DateTimeOffset>();

    /// <summary>The contract views of <paramref name="definitions"/>, with their next fire times after <paramref name="after"/>
    /// (<see cref="TaskViews.NextFireTime"/>): one store read for them all.</summary>
    private async Task<IReadOnlyList<TaskInfo>> ViewsAsync(IReadOnlyList<TaskDefinition> definitions, DateTimeOffset after, CancellationToken cancellationToken)
    {
        var live = definitions.Where(d => d.CancelledAt is null && d.PausedAt is null).Select(d => d.Id).ToList();
        var pending = live.Count == 0 ? NoneNext : await _admin.GetNextPendingFireTimesAsync(live, after, cancellationToken).ConfigureAwait(false);
        return definitions.Select(d => d.ToInfo(TaskViews.NextFireTime(d, pending.TryGetValue(d.Id, out var next) ? next : null))).ToList();
    }

    private async Task<TaskInfo> ViewAsync(TaskDefinition definition, DateTimeOffset after, CancellationToken cancellationToken) =>
        (await ViewsAsync([definition], after, cancellationToken).ConfigureAwait(false))[0];

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // The task's calendar read for its zone; one that cannot be read any more (it could when it was stored) excludes nothing, as the
    // scheduler loop reads it.
    private static Triggers.Calendars.CalendarExclusions? Exclusions(Calendars.TaskCalendar calendar, NodaTime.DateTimeZone zone)
    {
        try
        {
            return Calendars.TaskCalendar.Compile(calendar.Spec, zone);
        }
        catch (TaskValidationException)
        {
            return null;
        }
    }

    private static void RequireNotCancelled(TaskDefinition definition, string verb)
    {
        if (definition.CancelledAt is { } cancelledAt)
        {
            throw new TaskValidationException(
                $"Task {definition.Id} was cancelled at {cancelledAt:O} and cannot be {verb}. Schedule a new task (ScheduleTask) instead.");
        }
    }

    private static (int Skip, int Size) Page(string? token, int size)
    {
        if (size is < 1 or > MaxPageSize)
        {
            throw new TaskValidationException($"PageSize {size} is out of range. Give 1 to {MaxPageSize}.");
        }

        if (token is null)
        {
            return (0, size);
        }

        if (!int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var skip))
        {
            throw new TaskValidationException(
                $"PageToken '{token}' is not one this scheduler gave out. Pass the NextPageToken of the previous page, or none for the first page.");
        }

        return (skip, size);
    }

    private static string NextPage(int skip, int size) => (skip + size).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled task {TaskId}: trigger '{Trigger}' in {TimeZone}, next fire time {NextFireTime}")]
    private partial void LogScheduled(Guid taskId, string trigger, string timeZone, DateTimeOffset? nextFireTime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} was scheduled already; the repeated command stored nothing")]
    private partial void LogRepeated(Guid taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected task {TaskId}: {Reason}")]
    private partial void LogRejected(Guid? taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} triggered now: instance {InstanceId} is due")]
    private partial void LogTriggered(Guid taskId, Guid instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Calendar {Calendar} {Result}; {Tasks} tasks that name it planned again")]
    private partial void LogCalendar(string calendar, string result, int tasks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} {Command}: {Result}")]
    private partial void LogChanged(Guid taskId, string command, string result);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task instance {InstanceId}: {Command}: {Result}")]
    private partial void LogInstanceChanged(Guid instanceId, string command, string result);

    [LoggerMessage(Level = LogLevel.Information, Message = "Requeued {Requeued} of {Asked} dead letters asked for")]
    private partial void LogRequeued(int requeued, int asked);

    [LoggerMessage(Level = LogLevel.Information, Message = "Requeued {Requeued} dead letters matching {Filter}; more match: {More}")]
    private partial void LogRequeuedMatching(int requeued, DeadLetterFilter filter, bool more);
}
