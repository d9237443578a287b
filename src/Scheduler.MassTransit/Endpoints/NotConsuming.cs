using MassTransit;

namespace Scheduler.MassTransit.Endpoints;

/// <summary>An endpoint that is not consuming: its address, state, since when, why, and the endpoint (to restart it).</summary>
internal sealed record NotConsuming(Uri Address, EndpointState State, DateTimeOffset Since, string? Reason, IReceiveEndpoint Endpoint)
{
    /// <summary>One line for logs and health checks, e.g. <c>faults-worker (faulted for 12 s: Broker unreachable)</c>.</summary>
    public string Describe(DateTimeOffset now) =>
        $"{Address.AbsolutePath.TrimStart('/')} ({State.ToString().ToLowerInvariant()} for {(now - Since).TotalSeconds:F0} s{(Reason is null ? "" : ": " + Reason)})";
}
