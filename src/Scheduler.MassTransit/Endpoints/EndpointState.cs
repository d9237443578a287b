namespace Scheduler.MassTransit.Endpoints;

/// <summary>What a receive endpoint is doing, as far as consuming goes.</summary>
internal enum EndpointState
{
    /// <summary>Consuming.</summary>
    Ready,

    /// <summary>Stopped, or its connection closed and it is reconnecting.</summary>
    Stopped,

    /// <summary>Its connection failed; MassTransit retries it (or gave up).</summary>
    Faulted,

    /// <summary>Ready, but held by handlers that a connection loss cancelled and that have not returned.</summary>
    Draining,
}
