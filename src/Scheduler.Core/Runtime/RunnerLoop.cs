using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The runner loop: claims task instances due within the execution window (an atomic lease in the store), holds them in memory and dispatches
/// each as <see cref="TaskDue"/> at its due time, never before. An attempt that did not complete by its ExpireAfter is claimed again and
/// dispatched with the next attempt number, or dead-lettered when the retry policy allows no more attempts.
/// </summary>
/// <remarks>
/// Claims are taken in batches and dispatches recorded in batches, so the store sees a few round trips per batch rather than per instance.
/// On stop the loop finishes the dispatches in flight, records them, and releases the claims it still holds so other nodes take them over.
/// </remarks>
public sealed partial class RunnerLoop : BackgroundService
{
    private readonly ITaskStore _store;
    private readonly ITaskDispatcher _dispatcher;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RunnerLoop> _logger;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ClaimedInstance, DateTimeOffset> _held = new();
    private readonly Signal _heldChanged = new();
    private readonly SemaphoreSlim _dispatchSlots;
    private readonly HashSet<Task> _inFlight = [];
    private readonly KeyValuePair<string, object?> _node;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, DateTimeOffset> _cancelled = new();
    private DateTimeOffset _cancellationsCheckedAt;

    /// <summary>Creates the loop.</summary>
    public RunnerLoop(ITaskStore store, ITaskDispatcher dispatcher, LoopSignals signals, IOptions<SchedulerOptions> options,
        TimeProvider timeProvider, ILogger<RunnerLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _dispatcher = dispatcher;
        _signals = signals;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _dispatchSlots = new SemaphoreSlim(_options.MaxConcurrentDispatches, _options.MaxConcurrentDispatches);
        _node = SchedulerMetrics.NodeTag(_options.NodeId);
        _cancellationsCheckedAt = timeProvider.GetUtcNow();
        signals.Cancelled += taskId => _cancelled[taskId] = _timeProvider.GetUtcNow();
    }

    /// <summary>How many claimed instances this node holds, waiting for their due time.</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Claims every instance due within the execution window (in batches), dead-letters expired ones that have no attempts left,
    /// and holds the rest for dispatch. Returns how many instances were claimed.</summary>
    public async Task<int> ClaimOnceAsync(CancellationToken cancellationToken = default)
    {
        await RefreshCancellationsAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        while (true)
        {
            var now = _timeProvider.GetUtcNow();
            var claims = await _store.ClaimDueInstancesAsync(new ClaimRequest
            {
                Owner = _options.NodeId,
                Now = now,
                Horizon = now + _options.ExecutionWindow,
                LeaseDuration = _options.LeaseDuration,
                MaxCount = _options.ClaimBatchSize,
            }, cancellationToken).ConfigureAwait(false);
            total += claims.Count;
            SchedulerMetrics.Claimed.Add(claims.Count, _node);
            var exhausted = new List<ClaimedInstance>();
            lock (_lock)
            {
                foreach (var claim in claims)
                {
                    // Only an attempt that was dispatched and expired uses up the retry policy here; an instance re-claimed after another
                    // node's claim ran out (a crash) is still dispatched, whatever its attempt number.
                    if (claim.Instance.Status == TaskInstanceStatus.Dispatched && claim.Instance.Attempt > claim.Instance.Retry.MaxAttempts)
                    {
                        exhausted.Add(claim);
                    }
                    else if (!_cancelled.ContainsKey(claim.Instance.DefinitionId))
                    {
                        _held.Enqueue(claim, claim.Instance.DueAt ?? now);
                    }
                }
            }

            if (claims.Count > exhausted.Count)
            {
                _heldChanged.Set();
            }

            if (exhausted.Count > 0)
            {
                await DeadLetterExpiredAsync(exhausted, now, cancellationToken).ConfigureAwait(false);
            }

            if (claims.Count < _options.ClaimBatchSize)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Learns which definitions were cancelled since the last look (on any node), so their held instances are dropped instead of dispatched.
    /// A cancellation is remembered for as long as an instance claimed before it could still be held: the execution window plus the lease.
    /// </summary>
    private async Task RefreshCancellationsAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (now - _cancellationsCheckedAt < _options.PollInterval)
        {
            return; // claims run on every wake-up too; other nodes' cancellations need looking up only once per poll interval
        }

        var since = _cancellationsCheckedAt - _options.PollInterval; // overlap, so a cancellation committed during the last look is not missed
        foreach (var taskId in await _store.GetDefinitionsCancelledSinceAsync(since, cancellationToken).ConfigureAwait(false))
        {
            _cancelled.TryAdd(taskId, now);
        }

        _cancellationsCheckedAt = now;
        var forgetBefore = now - _options.ExecutionWindow - _options.LeaseDuration;
        foreach (var (taskId, learnedAt) in _cancelled)
        {
            if (learnedAt < forgetBefore)
            {
                _cancelled.TryRemove(taskId, out _);
            }
        }
    }

    /// <summary>Dispatches every held instance whose due time has come and waits until the dispatches are recorded. Returns how many were dispatched.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var batch = TakeDue(_timeProvider.GetUtcNow(), out _);
        if (batch.Count > 0)
        {
            await DispatchBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        return batch.Count;
    }

    /// <summary>Releases every held claim, so other nodes can dispatch those instances. Returns how many were released.</summary>
    public async Task<int> ReleaseHeldAsync(CancellationToken cancellationToken = default)
    {
        List<Guid> ids;
        lock (_lock)
        {
            ids = _held.UnorderedItems.Select(item => item.Element.Instance.Id).ToList();
            _held.Clear();
        }

        return ids.Count == 0 ? 0 : await _store.ReleaseClaimsAsync(new ReleaseRequest { Owner = _options.NodeId, InstanceIds = ids }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dispatching = DispatchLoopAsync(stoppingToken);
        await _signals.Runner.PollAsync(ClaimOnceAsync, _options.PollInterval, _timeProvider, LogClaimFailed, stoppingToken).ConfigureAwait(false);
        await dispatching.ConfigureAwait(false);
        Task[] inFlight;
        lock (_lock)
        {
            inFlight = [.. _inFlight];
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        try
        {
            var released = await ReleaseHeldAsync(CancellationToken.None).ConfigureAwait(false);
            LogReleased(released);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex);
        }
    }

    private async Task DispatchLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _timeProvider.GetUtcNow();
            var batch = TakeDue(now, out var nextDue);
            if (batch.Count > 0)
            {
                // Dispatch outside the loop so instances due a moment later are not held up by this batch's broker round trip.
                var dispatch = DispatchBatchAsync(batch, CancellationToken.None);
                lock (_lock)
                {
                    _inFlight.Add(dispatch);
                }

                _ = dispatch.ContinueWith(t =>
                {
                    lock (_lock)
                    {
                        _inFlight.Remove(t);
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                continue;
            }

            var wait = nextDue is { } due ? due - now : _options.PollInterval;
            try
            {
                await _heldChanged.WaitAsync(wait, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<ClaimedInstance> TakeDue(DateTimeOffset now, out DateTimeOffset? nextDue)
    {
        var batch = new List<ClaimedInstance>();
        lock (_lock)
        {
            while (_held.TryPeek(out var claim, out var due) && due <= now)
            {
                _held.Dequeue();
                if (!_cancelled.ContainsKey(claim.Instance.DefinitionId))
                {
                    batch.Add(claim);
                }
            }

            nextDue = _held.TryPeek(out _, out var next) ? next : null;
        }

        return batch;
    }

    private async Task DispatchBatchAsync(List<ClaimedInstance> batch, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(batch.Select(claim => DispatchOneAsync(claim, cancellationToken))).ConfigureAwait(false);
        var dispatched = results.OfType<DispatchOutcome>().ToList();
        var failed = batch.Where((_, index) => results[index] is null).Select(claim => claim.Instance.Id).ToList();
        if (dispatched.Count > 0)
        {
            await RecordDispatchesAsync(dispatched, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (failed.Count > 0)
            {
                await _store.ReleaseClaimsAsync(new ReleaseRequest { Owner = _options.NodeId, InstanceIds = failed }, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The claims run out on their own; the instances are then dispatched again (at-least-once), so nothing is lost.
            LogRecordFailed(ex, failed.Count);
        }
    }

    /// <summary>
    /// Records dispatches in one batch or, when the batch fails (at SERIALIZABLE it conflicts with every saga that writes an outcome of one of its
    /// instances meanwhile, and its retries can keep losing), one instance at a time: such a transaction conflicts only with the writer of its
    /// own row, and its retry then finds the row final and skips it. A dispatch left unrecorded is dispatched again after its claim runs out.
    /// </summary>
    private async Task RecordDispatchesAsync(List<DispatchOutcome> dispatched, CancellationToken cancellationToken)
    {
        try
        {
            await _store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = _options.NodeId, Outcomes = dispatched }, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (dispatched.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            LogRecordBatchFailed(ex, dispatched.Count);
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, dispatched.Count);
            return;
        }

        var unrecorded = 0;
        Exception? last = null;
        foreach (var outcome in dispatched)
        {
            try
            {
                await _store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = _options.NodeId, Outcomes = [outcome] }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                unrecorded++;
                last = ex;
            }
        }

        if (last is not null)
        {
            LogRecordFailed(last, unrecorded);
        }
    }

    private async Task<DispatchOutcome?> DispatchOneAsync(ClaimedInstance claim, CancellationToken cancellationToken)
    {
        await _dispatchSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var instance = claim.Instance;
            var dispatchedAt = _timeProvider.GetUtcNow();
            var message = new TaskDue
            {
                TaskId = instance.DefinitionId,
                InstanceId = instance.Id,
                Attempt = instance.Attempt,
                MaxAttempts = instance.Retry.MaxAttempts,
                FireTime = instance.FireTime,
                DueAt = instance.DueAt ?? instance.FireTime,
                ExpiresAt = dispatchedAt + instance.ExpireAfter,
                Metadata = claim.Metadata,
                Payload = claim.Payload,
            };
            await _dispatcher.DispatchAsync(message, claim.DestinationQueue, cancellationToken).ConfigureAwait(false);
            SchedulerMetrics.Dispatched.Add(1, _node);
            SchedulerMetrics.Lateness.Record((dispatchedAt - message.DueAt).TotalMilliseconds, _node);
            return new DispatchOutcome(instance.Id, instance.Attempt, dispatchedAt);
        }
        catch (Exception ex)
        {
            LogDispatchFailed(ex, claim.Instance.Id, claim.Instance.Attempt);
            SchedulerMetrics.DispatchFailures.Add(1, _node);
            return null;
        }
        finally
        {
            _dispatchSlots.Release();
        }
    }

    private async Task DeadLetterExpiredAsync(List<ClaimedInstance> exhausted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var outcomes = exhausted.Select(claim => new DispatchOutcome(claim.Instance.Id, claim.Instance.Attempt, now,
            $"Attempt {claim.Instance.Attempt - 1} did not complete within ExpireAfter {claim.Instance.ExpireAfter} and the retry policy allows " +
            $"{claim.Instance.Retry.MaxAttempts} attempts.")).ToList();
        await _store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = _options.NodeId, Outcomes = outcomes }, cancellationToken)
            .ConfigureAwait(false);
        foreach (var (claim, outcome) in exhausted.Zip(outcomes))
        {
            LogDeadLettered(claim.Instance.Id, claim.Instance.Attempt - 1, outcome.DeadLetterReason!);
            SchedulerMetrics.DeadLettered.Add(1, _node);
            await _dispatcher.PublishDeadLetteredAsync(new TaskDeadLettered
            {
                TaskId = claim.Instance.DefinitionId,
                InstanceId = claim.Instance.Id,
                Attempt = claim.Instance.Attempt - 1,
                FireTime = claim.Instance.FireTime,
                Reason = outcome.DeadLetterReason!,
                FailedAt = now,
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _dispatchSlots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Runner loop could not claim task instances; retrying at the next poll")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of task instance {InstanceId} attempt {Attempt} failed; releasing its claim")]
    private partial void LogDispatchFailed(Exception exception, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} dispatches; their claims will run out and they will be dispatched again")]
    private partial void LogRecordFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record a batch of {Count} dispatches; recording them one at a time")]
    private partial void LogRecordBatchFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task instance {InstanceId} dead-lettered after attempt {Attempt}: {Reason}")]
    private partial void LogDeadLettered(Guid instanceId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runner loop stopped and released {Count} held claims")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Runner loop could not release its held claims; they run out after the lease")]
    private partial void LogReleaseFailed(Exception exception);
}
