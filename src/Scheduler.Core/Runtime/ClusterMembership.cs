using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Joins the node to its cluster while the host is starting (<see cref="IHostedLifecycleService.StartingAsync"/>, before any hosted service,
/// the bus included, starts): records <see cref="SchedulerOptions.ClusterName"/> in the
/// database if it is the first node there, refuses to start if the database belongs to another cluster name, then lets each
/// <see cref="IClusterMarker"/> check that the cluster's queues are not used by a node of another database.
/// </summary>
/// <exception cref="ClusterMismatchException">From <see cref="StartingAsync"/>: the database or the queues belong to another cluster.</exception>
internal sealed partial class ClusterMembership(INodeStore store, IEnumerable<IClusterMarker> markers, IOptions<SchedulerOptions> options,
    TimeProvider timeProvider, ILogger<ClusterMembership> logger) : IHostedLifecycleService
{
    private readonly string _clusterName = (options ?? throw new ArgumentNullException(nameof(options))).Value.ClusterName;

    /// <summary>The database's identity once the node joined (after <see cref="StartingAsync"/>).</summary>
    public ClusterIdentity? Identity { get; private set; }

    /// <inheritdoc />
    /// <remarks>Runs before the store's schema step (registered later); a store creates what it needs to record the owner itself.</remarks>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var clusterName = _clusterName;
        var identity = await store.JoinClusterAsync(clusterName, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (!string.Equals(identity.ClusterName, clusterName, StringComparison.Ordinal))
        {
            throw new ClusterMismatchException(
                $"The database belongs to cluster '{identity.ClusterName}', but this node is configured for cluster '{clusterName}' (Scheduler:ClusterName). " +
                $"Set Scheduler:ClusterName to '{identity.ClusterName}' to join that cluster, or give this node the database of cluster '{clusterName}' (Store:ConnectionString).");
        }

        try
        {
            foreach (var marker in markers)
            {
                // Each mark is a broker call: abandoned after the send timeout rather than holding the node's start.
                await BrokerCall.RunAsync(ct => marker.MarkAsync(identity, ct), options.Value.SendTimeout, "mark the cluster's queues",
                    "Scheduler:SendTimeout", timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ClusterMismatchException)
        {
            // Refused by the queues: a database this start recorded (no task yet) is left unrecorded, so it may still join any cluster.
            await store.LeaveClusterAsync(identity, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Identity = identity;
        LogJoined(identity.ClusterName, identity.DatabaseId);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined cluster '{ClusterName}' (database {DatabaseId})")]
    private partial void LogJoined(string clusterName, Guid databaseId);
}
