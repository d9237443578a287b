using Microsoft.Extensions.Logging;

namespace Scheduler.Host;

/// <summary>The node process's own log lines.</summary>
internal static partial class HostLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Scheduler node {NodeId} of cluster {ClusterName}: transport {Transport}, store {Store}, execution window {ExecutionWindow}, poll interval {PollInterval}, lease {LeaseDuration}, tz database {TzdbVersion}")]
    public static partial void NodeConfigured(ILogger logger, string nodeId, string clusterName, string transport, string store, TimeSpan executionWindow,
        TimeSpan pollInterval, TimeSpan leaseDuration, string tzdbVersion);
}
