using System.Buffers.Binary;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Scheduler.Contracts;
using Scheduler.Core;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Host;

/// <summary>
/// Marks a cluster's queues on RabbitMQ with the database they serve, so that a node of another database (a copy, a reset, another application
/// that kept the default cluster name) refuses to start instead of consuming the cluster's commands.
/// </summary>
/// <remarks>
/// The mark is an empty durable queue, <c>{cluster}-identity</c>, declared with <c>x-max-length</c> set to a number derived from the database id
/// (<see cref="Marker"/>): RabbitMQ refuses a second declaration with another value (406 PRECONDITION_FAILED), atomically, so of two nodes of
/// different databases only the first to declare it passes, and the mark outlives every node. Nothing is ever published to it. The database id
/// itself is stored as the argument <c>x-scheduler-database-id</c>, to be read in the management UI. Deleting that queue (after the database it
/// names is gone for good) lets a node of another database take the cluster's queues.
/// </remarks>
internal sealed partial class RabbitMqClusterMarker(RabbitMqSettings broker) : IClusterMarker
{
    /// <summary>The <c>x-max-length</c> value that stands for <paramref name="databaseId"/>: its first four bytes as a non-negative integer.</summary>
    public static int Marker(Guid databaseId) => (int)(BinaryPrimitives.ReadUInt32BigEndian(databaseId.ToByteArray(bigEndian: true)) & int.MaxValue);

    public async Task MarkAsync(ClusterIdentity identity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var queue = new SchedulerEndpoints(identity.ClusterName).Identity;
        var marker = Marker(identity.DatabaseId);
        var connection = await StartupChecks.ConnectAsync(broker, "scheduler-node-cluster-marker", cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                try
                {
                    await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                        arguments: new Dictionary<string, object?>
                        {
                            ["x-max-length"] = marker,
                            ["x-scheduler-database-id"] = identity.DatabaseId.ToString("D"),
                        },
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
                {
                    throw new ClusterMismatchException(
                        $"The queues of cluster '{identity.ClusterName}' on {StartupChecks.DescribeBroker(broker)} serve another database: the queue '{queue}' " +
                        $"marks them for database marker {Current(ex.ShutdownReason.ReplyText) ?? "(other)"}, and this node's database is {identity.DatabaseId} (marker {marker}). " +
                        $"Give this node that cluster's database (Store:ConnectionString), or a cluster name of its own (Scheduler:ClusterName). If that database is gone for good, " +
                        $"delete the queue '{queue}' (management UI, or rabbitmqctl delete_queue -p {StartupChecks.VirtualHost(broker.Uri)} {queue}) and start again.", ex);
                }

                await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
            }

            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The number RabbitMQ's refusal names as the current value ("… but current is '123'" or "… current is the value '123' …"), or
    /// <see langword="null"/>.</summary>
    private static string? Current(string? replyText) =>
        replyText is null ? null : CurrentValue().Match(replyText) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"current is (?:the value )?'?(\d+)")]
    private static partial Regex CurrentValue();
}
