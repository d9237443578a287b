using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The scheduler loop: every poll interval (or when woken) it turns definitions due within the execution window into task instances and
/// advances their next fire time, in one store transaction per batch. Runs on every node; the store keeps nodes from doing the same work twice.
/// </summary>
internal sealed partial class SchedulerLoop : BackgroundService
{
    private readonly IMaterializerStore _store;
    private readonly TriggerCache _triggers;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SchedulerMetrics _metrics;
    private readonly ILogger<SchedulerLoop> _logger;

    // Calendars read for a zone, by (name, version, zone): a calendar changes rarely, and every change has a new version.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, long Version, string Zone), Triggers.Calendars.CalendarExclusions> _calendars = new();

    /// <summary>Creates the loop.</summary>
    public SchedulerLoop(IMaterializerStore store, TriggerCache triggers, LoopSignals signals, IOptions<SchedulerOptions> options,
        TimeProvider timeProvider, SchedulerMetrics metrics, ILogger<SchedulerLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        _store = store;
        _triggers = triggers;
        _signals = signals;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        Heartbeat = new LoopHeartbeat("scheduler", _options.PollInterval, timeProvider);
    }

    /// <summary>When this loop last completed a tick (<see cref="RunOnceAsync"/>), for the readiness check.</summary>
    public LoopHeartbeat Heartbeat { get; }

    /// <summary>Runs one tick: materializes every due definition (in batches) and returns how many instances were created.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var now = _timeProvider.GetUtcNow();
            var span = SchedulerTracing.StartLoopBatch("scheduler.materialize", _options.NodeId);
            MaterializeResult result;
            try
            {
                result = await _store.MaterializeDueDefinitionsAsync(new MaterializeRequest
                {
                    Now = now,
                    Horizon = now + _options.ExecutionWindow,
                    MaxDefinitions = _options.MaterializeBatchSize,
                    Plan = (definition, calendar) => PlanOrEnd(definition, calendar, now),
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                SchedulerTracing.Fail(span, ex);
                throw;
            }

            span?.SetTag("scheduler.definitions", result.Definitions);
            span?.SetTag("scheduler.instances", result.Instances);
            SchedulerTracing.EndLoopBatch(span, result.Definitions > 0);
            total += result.Instances;
            _metrics.Materialized.Add(result.Instances, _metrics.Node);
            if (result.Instances > 0)
            {
                _signals.WakeRunner();
            }

            if (result.Definitions < _options.MaterializeBatchSize)
            {
                Heartbeat.Beat();
                return total;
            }
        }
    }

    // One definition whose trigger cannot be read or evaluated must not fail the batch's transaction on every tick, starving the others:
    // triggers are pure, so it would fail again. It ends (no next fire time) after the instances planned before the failure, with an error.
    private MaterializePlan PlanOrEnd(Definitions.TaskDefinition definition, Calendars.TaskCalendar? calendar, DateTimeOffset now)
    {
        try
        {
            var trigger = _triggers.Get(definition);
            return OccurrencePlanner.Plan(definition, trigger, now, now + _options.ExecutionWindow, _options.MisfireThreshold,
                _options.MaxOccurrencesPerTick, ex => LogDefinitionEnded(definition.Id, definition.Trigger, ex), Exclusions(calendar, trigger.TimeZone));
        }
        catch (Exception ex) when (Triggers.TriggerInstants.IsEvaluationFailure(ex))
        {
            LogDefinitionEnded(definition.Id, definition.Trigger, ex);
            return new MaterializePlan([], null);
        }
    }

    // The calendar read for the task's zone; one that cannot be read any more (it could when it was stored) excludes nothing, with an error.
    private Triggers.Calendars.CalendarExclusions? Exclusions(Calendars.TaskCalendar? calendar, NodaTime.DateTimeZone zone)
    {
        if (calendar is null)
        {
            return null;
        }

        if (_calendars.Count > 10_000)
        {
            _calendars.Clear();
        }

        try
        {
            return _calendars.GetOrAdd((calendar.Name, calendar.Version, zone.Id), _ => Calendars.TaskCalendar.Compile(calendar.Spec, zone));
        }
        catch (Definitions.TaskValidationException ex)
        {
            LogCalendarUnreadable(calendar.Name, ex);
            return null;
        }
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _signals.Scheduler.PollAsync(async cancellationToken =>
        {
            var created = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            if (created > 0)
            {
                LogMaterialized(created);
            }
        }, _options.PollInterval, _timeProvider, LogTickFailed, stoppingToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduler loop created {Count} task instances")]
    private partial void LogMaterialized(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task definition {TaskId} ended: its trigger '{Trigger}' cannot be read or evaluated any more")]
    private partial void LogDefinitionEnded(Guid taskId, string trigger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Calendar {Calendar} cannot be read any more; its tasks are planned without it")]
    private partial void LogCalendarUnreadable(string calendar, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduler loop tick failed; retrying at the next poll")]
    private partial void LogTickFailed(Exception exception);
}
