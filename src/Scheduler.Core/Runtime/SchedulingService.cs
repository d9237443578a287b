using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Schedules and cancels tasks in process; the bus consumers of <see cref="ScheduleTask"/> and <see cref="CancelTask"/> call it too,
/// so both paths validate and store alike.
/// </summary>
public sealed class SchedulingService
{
    private readonly ITaskStore _store;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the service.</summary>
    public SchedulingService(ITaskStore store, LoopSignals signals, IOptions<SchedulerOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _signals = signals;
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Validates <paramref name="command"/> and stores the task definition it describes. A command that repeats an earlier one (same task id
    /// or idempotency key, same content) stores nothing and returns the earlier one's reply with <see cref="TaskScheduled.AlreadyScheduled"/>
    /// set; one that reuses the id or key with other content is refused (<see cref="TaskDefinitionFactory.FindConflict"/>).
    /// </summary>
    /// <remarks><see cref="ScheduleManyAsync"/> with one command.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    /// <exception cref="TaskValidationException">The command is invalid, or conflicts with the task stored under its id or key; nothing was stored.</exception>
    public async Task<TaskScheduled> ScheduleAsync(ScheduleTask command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = (await ScheduleManyAsync([command], cancellationToken).ConfigureAwait(false))[0];
        return result.Scheduled ?? throw new TaskValidationException(result.Rejected!.Reason);
    }

    /// <summary>
    /// Validates each command and stores the task definitions of the valid ones together (one <see cref="ITaskStore.AddDefinitionsAsync"/>
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
    public async Task<IReadOnlyList<TaskScheduleResult>> ScheduleManyAsync(IReadOnlyList<ScheduleTask> commands,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var now = _timeProvider.GetUtcNow();
        var results = new TaskScheduleResult[commands.Count];
        var definitions = new List<TaskDefinition>(commands.Count);
        var positions = new List<int>(commands.Count);
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            try
            {
                if (command?.Trigger is null)
                {
                    throw new TaskValidationException("Trigger is missing. Give when the task fires, e.g. '*/5 * * * *' or 'every day at 9am'.");
                }

                var effective = TaskDefinitionFactory.WithDefaultDestination(command, _options.DefaultDestinationQueue);
                var definition = TaskDefinitionFactory.Create(effective, now);
                TaskDefinitionFactory.RequireRecipient(effective);
                definitions.Add(definition);
                positions.Add(i);
            }
            catch (TaskValidationException ex)
            {
                results[i] = new TaskScheduleResult
                {
                    Rejected = new TaskRejected { TaskId = command?.TaskId, IdempotencyKey = command?.IdempotencyKey, Reason = ex.Message },
                };
            }
        }

        if (definitions.Count == 0)
        {
            return results;
        }

        var stored = await _store.AddDefinitionsAsync(definitions, cancellationToken).ConfigureAwait(false);
        var wake = false;
        for (var j = 0; j < stored.Count; j++)
        {
            var (definition, alreadyExisted) = stored[j];
            var command = commands[positions[j]];
            if (alreadyExisted && TaskDefinitionFactory.FindConflict(definition, definitions[j], command) is { } conflict)
            {
                results[positions[j]] = new TaskScheduleResult
                {
                    Rejected = new TaskRejected { TaskId = command.TaskId, IdempotencyKey = command.IdempotencyKey, Reason = conflict },
                };
                continue;
            }

            wake |= !alreadyExisted && definition.NextFireTime is { } next && next <= now + _options.ExecutionWindow;
            results[positions[j]] = new TaskScheduleResult
            {
                Scheduled = new TaskScheduled
                {
                    TaskId = definition.Id,
                    NextFireTime = definition.NextFireTime,
                    IdempotencyKey = definition.IdempotencyKey,
                    AlreadyScheduled = alreadyExisted,
                },
            };
        }

        if (wake)
        {
            _signals.WakeScheduler();
        }

        return results;
    }

    /// <summary>Cancels the task definition <paramref name="taskId"/>: it fires no more; its instances not yet dispatched are cancelled.</summary>
    /// <remarks>This node's runner drops the instances it holds at once; other nodes' runners within their poll interval (default 1 s), so an
    /// instance due within that interval on another node may still be dispatched.</remarks>
    public async Task<TaskCancelled> CancelAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var found = await _store.CancelDefinitionAsync(taskId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (found)
        {
            _signals.NotifyCancelled(taskId);
        }

        return new TaskCancelled { TaskId = taskId, Found = found };
    }
}
