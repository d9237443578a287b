using System.Globalization;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// Dispatches due claims: applies the overlap policy to the batch, then for each claim (at most
/// <see cref="SchedulerOptions.MaxConcurrentDispatches"/> at once) decides whether it may be sent — its lease long enough, the node's run
/// live, the clock trusted, its destination valid and read — sends <see cref="TaskDue"/> while the claim can be kept (<see cref="ClaimDeadline"/>), and has the
/// outcome recorded.
/// </summary>
internal sealed partial class ClaimDispatch : IDisposable
{
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SchedulerMetrics _metrics;
    private readonly HeldClaims _held;
    private readonly LeaseRenewal _renewal;
    private readonly TaskDueSender _sender;
    private readonly DispatchRecorder _recorder;
    private readonly OverlapCheck _overlap;
    private readonly Func<NodeRun?> _node;
    private readonly Func<DestinationWatch?> _destinations;
    private readonly Func<bool> _clockOutOfBounds;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _dispatchSlots;

    /// <summary>Creates the dispatch. <paramref name="node"/> and <paramref name="destinations"/> read the runner's
    /// <see cref="RunnerLoop.Node"/> and <see cref="RunnerLoop.Destinations"/>; nothing is sent while <paramref name="clockOutOfBounds"/>; it
    /// logs in the category of <paramref name="logger"/> (the runner's).</summary>
    public ClaimDispatch(SchedulerOptions options, TimeProvider timeProvider, SchedulerMetrics metrics, HeldClaims held, LeaseRenewal renewal,
        TaskDueSender sender, DispatchRecorder recorder, OverlapCheck overlap, Func<NodeRun?> node, Func<DestinationWatch?> destinations,
        Func<bool> clockOutOfBounds, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _held = held;
        _renewal = renewal;
        _sender = sender;
        _recorder = recorder;
        _overlap = overlap;
        _node = node;
        _destinations = destinations;
        _clockOutOfBounds = clockOutOfBounds;
        _logger = logger;
        _dispatchSlots = new SemaphoreSlim(options.MaxConcurrentDispatches, options.MaxConcurrentDispatches);
    }

    /// <summary>Dispatches <paramref name="batch"/> and waits until the dispatches are recorded. Returns how many were dispatched.</summary>
    public async Task<int> DispatchBatchAsync(List<ClaimedInstance> batch, CancellationToken cancellationToken)
    {
        if (batch.Any(OverlapRule.Applies))
        {
            batch = await _overlap.ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        var results = await Task.WhenAll(batch.Select(claim => DispatchOneAsync(claim, cancellationToken))).ConfigureAwait(false);
        return results.Count(dispatched => dispatched);
    }

    /// <inheritdoc />
    public void Dispose() => _dispatchSlots.Dispose();

    private async Task<bool> DispatchOneAsync(ClaimedInstance claim, CancellationToken cancellationToken)
    {
        var instance = claim.Instance;
        DispatchOutcome? outcome = null;
        DispatchFailure? failure = null;
        var waits = false;
        var forgotten = false;
        System.Diagnostics.Activity? span = null;
        await _dispatchSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var dispatchedAt = _timeProvider.GetUtcNow();
        try
        {
            var leaseExpiresAt = await _renewal.LeaseForSendAsync(claim).ConfigureAwait(false);
            dispatchedAt = _timeProvider.GetUtcNow();
            if (leaseExpiresAt is not { } lease || !_held.BeginSend(claim))
            {
                return false; // lost at a renewal (taken over, or cancelled: logged there, and no longer ours to release), or deferred
            }

            var leaseMargin = _renewal.LeaseMargin;
            if (_node() is { Started: true } node && (!node.IsLive || node.LiveUntil - dispatchedAt < _options.NodeLivenessTimeout / 3))
            {
                // The node's run is no longer (or not long enough) known to be live: a new run of its node id may take this claim over.
                forgotten = true;
            }
            else if (_clockOutOfBounds())
            {
                // released below; logged by the clock's alignment loop
            }
            else if (lease - dispatchedAt < leaseMargin)
            {
                // Too close to the end of the lease (the node fell behind): another node may take the claim over at any moment.
                LogLeaseTooShort(instance.Id, instance.Attempt, lease);
            }
            else if (DestinationQueueName.Validate(claim.DestinationQueue) is { } invalid)
            {
                // Commands are validated, so only a row written to the database by hand or another tool gets here: refused rather than sent,
                // so the broker never closes a channel over it; each attempt is used up, so the instance ends dead-lettered with the reason.
                failure = Failure(instance, dispatchedAt, $"Attempt {instance.Attempt} was not dispatched: {invalid}");
            }
            else if (claim.DestinationQueue is { } queue && _destinations()?.IsWithoutConsumer(queue) == true)
            {
                waits = true; // nobody reads that queue: the task waits (given back below), using no attempt
            }
            else
            {
                var message = new TaskDue
                {
                    TaskId = instance.DefinitionId,
                    InstanceId = instance.Id,
                    Attempt = instance.Attempt,
                    MaxAttempts = instance.MaxAttempts,
                    FireTime = instance.FireTime,
                    DueAt = instance.DueAt ?? instance.FireTime,
                    StartBy = dispatchedAt + _options.QueueTimeout,
                    ExpiresAt = dispatchedAt + _options.QueueTimeout + instance.ExpireAfter,
                    ExpireAfter = instance.ExpireAfter,
                    Metadata = claim.Metadata,
                    Payload = claim.Payload,
                };

                // The send may take SendTimeout, and never more than the claim can be kept: it renews its lease as it goes (so do the
                // claim loop's renewals), and ends before half the margin is left of the lease, so before another node can claim, and not
                // past the node's liveness, after which a new run of its node id may take its claims over.
                using var deadline = new ClaimDeadline(KeptUntil(lease) ?? dispatchedAt, () => KeptUntil(_held.LeaseOf(claim)),
                    () => _renewal.RenewForSendAsync(claim), leaseMargin, _timeProvider);
                _held.Unrecorded.Sent(instance.Id);
                var target = _sender.Describe(message, claim.DestinationQueue);
                var operation = SchedulerTracing.OperationOf(claim.DestinationQueue);
                span = SchedulerTracing.StartDispatch(claim, _options.NodeId, target); // MassTransit's send span nests under it
                var sending = _timeProvider.GetTimestamp();
                try
                {
                    await _sender.SendAsync(message, claim.DestinationQueue, _options.SendTimeout, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (deadline.Expired)
                {
                    var timeout = new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                        $"The broker did not accept TaskDue of instance {instance.Id} attempt {instance.Attempt} before its claim's lease ran low (renewals did not extend it past {_held.LeaseOf(claim) ?? lease:O})."),
                        ex);
                    _metrics.RecordSend(target, operation, _timeProvider.GetElapsedTime(sending), timeout);
                    throw timeout;
                }
                catch (Exception ex) when (ex is not BrokenCircuitException) // an open circuit sent nothing to the broker
                {
                    _metrics.RecordSend(target, operation, _timeProvider.GetElapsedTime(sending), ex);
                    throw;
                }

                _metrics.RecordSend(target, operation, _timeProvider.GetElapsedTime(sending), error: null);
                var lateness = dispatchedAt - message.DueAt;
                _metrics.Lateness.Record(lateness.TotalSeconds, _metrics.Node);
                LogDispatched(instance.Id, instance.DefinitionId, instance.Attempt, claim.DestinationQueue ?? "(published)", lateness.TotalMilliseconds);
                outcome = new DispatchOutcome(instance.Id, instance.Attempt, dispatchedAt);
            }
        }
        catch (BrokenCircuitException ex)
        {
            SchedulerTracing.Fail(span, ex);
            _metrics.DispatchFailures.Add(1, _metrics.Node); // sends are failing: logged once when the circuit opened; the claim is released
        }
        catch (DispatchRejectedException ex)
        {
            SchedulerTracing.Fail(span, ex);
            LogDispatchRejected(ex, instance.Id, instance.Attempt);
            _metrics.DispatchFailures.Add(1, _metrics.Node);
            failure = Failure(instance, dispatchedAt, $"Attempt {instance.Attempt} was refused by the broker: {ex.Message}");
        }
        catch (Exception ex)
        {
            SchedulerTracing.Fail(span, ex);
            LogDispatchFailed(ex, instance.Id, instance.Attempt);
            _metrics.DispatchFailures.Add(1, _metrics.Node);
        }
        finally
        {
            span?.Dispose();
            _dispatchSlots.Release();
        }

        return await _recorder.SettleAsync(claim, outcome, failure, waits, forgotten).ConfigureAwait(false);
    }

    /// <summary>The last instant a claim with lease <paramref name="lease"/> may still be sent on: half the lease margin before the lease ends,
    /// and not after the node run's liveness. <see langword="null"/> when the claim is no longer held.</summary>
    private DateTimeOffset? KeptUntil(DateTimeOffset? lease)
    {
        if (lease is not { } held)
        {
            return null;
        }

        var until = held - (_renewal.LeaseMargin / 2);
        return _node() is { Started: true } live && live.LiveUntil < until ? live.LiveUntil : until;
    }

    /// <summary>The used-up attempt of a dispatch that failed for its own sake: the next one after the task's backoff, or none after the last.</summary>
    private static DispatchFailure Failure(TaskInstance instance, DateTimeOffset now, string error) =>
        new(instance.Id, instance.Attempt, now, error, TaskInstanceLifecycle.RetryAt(instance, instance.Attempt, now));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not dispatching task instance {InstanceId} attempt {Attempt}: its lease ends at {LeaseExpiresAt}, too soon to publish safely; releasing it")]
    private partial void LogLeaseTooShort(Guid instanceId, int attempt, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of task instance {InstanceId} attempt {Attempt} failed; releasing its claim")]
    private partial void LogDispatchFailed(Exception exception, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of task instance {InstanceId} attempt {Attempt} was refused; the attempt is used up")]
    private partial void LogDispatchRejected(Exception exception, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched task instance {InstanceId} of task {TaskId} attempt {Attempt} to {Destination}, {LatenessMs} ms after its due time")]
    private partial void LogDispatched(Guid instanceId, Guid taskId, int attempt, string destination, double latenessMs);
}
