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
    /// or idempotency key) stores nothing and returns the earlier one's reply with <see cref="TaskScheduled.AlreadyScheduled"/> set.
    /// </summary>
    /// <exception cref="TaskValidationException">The command is invalid; nothing was stored.</exception>
    public async Task<TaskScheduled> ScheduleAsync(ScheduleTask command, CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        var definition = TaskDefinitionFactory.Create(command, now);
        var result = await _store.AddDefinitionAsync(definition, cancellationToken).ConfigureAwait(false);
        if (!result.AlreadyExisted && result.Definition.NextFireTime is { } next && next <= now + _options.ExecutionWindow)
        {
            _signals.WakeScheduler();
        }

        return new TaskScheduled
        {
            TaskId = result.Definition.Id,
            NextFireTime = result.AlreadyExisted ? result.Definition.NextFireTime : definition.NextFireTime,
            IdempotencyKey = result.Definition.IdempotencyKey,
            AlreadyScheduled = result.AlreadyExisted,
        };
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
