using System.Collections.Concurrent;
using MassTransit;

namespace Scheduler.MassTransit.Endpoints;

/// <summary>
/// Knows whether each receive endpoint of this process is consuming: it follows MassTransit's endpoint events (ready, stopping, completed,
/// faulted) and the deliveries in progress. An endpoint is not consuming while it is not ready (the broker is away, it is reconnecting, or
/// it gave up), and while deliveries that a connection loss cancelled are still running: MassTransit reconnects an endpoint only once its
/// handlers in flight have returned (MassTransit #2072), so a handler that ignores cancellation keeps it from consuming until it returns or
/// MassTransit's <c>StopTimeout</c> runs out.
/// </summary>
/// <remarks>Registered by <c>AddSchedulerNode</c> and <c>AddTaskReporting</c>; read by <see cref="ReceiveEndpointsHealthCheck"/> (readiness) and
/// <see cref="ReceiveEndpointWatchdog"/>.</remarks>
internal sealed class ReceiveEndpointWatch(TimeProvider timeProvider) : IReceiveEndpointObserver, IReceiveObserver
{
    /// <summary>How long deliveries may run on after a connection loss cancelled them before their endpoint counts as not consuming.</summary>
    public static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Uri, Endpoint> _endpoints = new();
    private readonly ConcurrentDictionary<ReceiveContext, Delivery> _inFlight = new(ReferenceEqualityComparer.Instance);

    /// <summary>The endpoints not consuming now, each with since when and why; empty when all consume.</summary>
    public IReadOnlyList<NotConsuming> NotConsuming()
    {
        var now = timeProvider.GetUtcNow();
        var draining = new Dictionary<Uri, (int Count, DateTimeOffset Since)>();
        foreach (var (context, delivery) in _inFlight)
        {
            if (!delivery.Cancelled.IsCancellationRequested)
            {
                continue;
            }

            // Only deliveries of the endpoint's current connection hold it: one received before it became ready again was abandoned by
            // MassTransit (after StopTimeout) and no longer keeps it from consuming; it is forgotten (MassTransit may never end it).
            if (_endpoints.TryGetValue(delivery.Address, out var current) && current.State == EndpointState.Ready && current.Since > delivery.ReceivedAt)
            {
                _inFlight.TryRemove(context, out _);
            }
            else
            {
                var since = delivery.CancelledSince ??= now;
                if (now - since >= DrainGrace)
                {
                    var address = delivery.Address;
                    draining[address] = draining.TryGetValue(address, out var seen)
                        ? (seen.Count + 1, since < seen.Since ? since : seen.Since)
                        : (1, since);
                }
            }
        }

        var result = new List<NotConsuming>();
        foreach (var (address, endpoint) in _endpoints)
        {
            if (endpoint.State != EndpointState.Ready)
            {
                result.Add(new NotConsuming(address, endpoint.State, endpoint.Since, endpoint.Reason, endpoint.Handle));
            }
            else if (draining.TryGetValue(address, out var stuck))
            {
                result.Add(new NotConsuming(address, EndpointState.Draining, stuck.Since,
                    $"{stuck.Count} handlers cancelled by a connection loss are still running; the endpoint reconnects when they return " +
                    "(or after MassTransitHostOptions.StopTimeout)", endpoint.Handle));
            }
        }

        return result;
    }

    /// <summary>Since when the broker has been reachable without a break, as far as this process can tell: since the earliest of its
    /// endpoints that are consuming now became ready; <see langword="null"/> while none consumes.</summary>
    public Task Ready(ReceiveEndpointReady ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        Set(ready, EndpointState.Ready, null);

        // Deliveries of the endpoint's previous connection that a connection loss cancelled are abandoned now: forget them.
        foreach (var (context, delivery) in _inFlight)
        {
            if (delivery.Address == ready.InputAddress && delivery.Cancelled.IsCancellationRequested)
            {
                _inFlight.TryRemove(context, out _);
            }
        }

        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping)
    {
        ArgumentNullException.ThrowIfNull(stopping);
        Set(stopping, EndpointState.Stopped, "stopping");
        return Task.CompletedTask;
    }

    public Task Completed(ReceiveEndpointCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        Set(completed, EndpointState.Stopped, "its connection closed; reconnecting");
        return Task.CompletedTask;
    }

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        ArgumentNullException.ThrowIfNull(faulted);
        Set(faulted, EndpointState.Faulted, faulted.Exception?.GetBaseException().Message);
        return Task.CompletedTask;
    }

    public Task PreReceive(ReceiveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CancellationToken cancelled;
        try
        {
            cancelled = context.CancellationToken;
        }
        catch (ObjectDisposedException)
        {
            // MassTransit disposed the context already (a delivery dropped with its channel): nothing is in flight to watch.
            return Task.CompletedTask;
        }

        _inFlight[context] = new Delivery(context.InputAddress, timeProvider.GetUtcNow(), cancelled);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        _inFlight.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        _inFlight.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    private void Set(ReceiveEndpointEvent change, EndpointState state, string? reason)
    {
        var now = timeProvider.GetUtcNow();
        _endpoints.AddOrUpdate(change.InputAddress, _ => new Endpoint(state, now, reason, change.ReceiveEndpoint),
            (_, current) => current.State == state ? current with { Reason = reason ?? current.Reason } : new Endpoint(state, now, reason, change.ReceiveEndpoint));
    }

    private sealed record Endpoint(EndpointState State, DateTimeOffset Since, string? Reason, IReceiveEndpoint Handle);

    /// <summary>A delivery in progress: what is read of its context when it arrives (the context itself is disposed once it is done, and one
    /// that MassTransit abandoned may never report it).</summary>
    private sealed class Delivery(Uri address, DateTimeOffset receivedAt, CancellationToken cancelled)
    {
        public Uri Address { get; } = address;

        public CancellationToken Cancelled { get; } = cancelled;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public DateTimeOffset? CancelledSince { get; set; }
    }
}
