using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

public sealed partial class SchedulingService
{
    /// <summary>How far back the destinations view counts dead letters (<see cref="DestinationView.FailuresLast24Hours"/>).</summary>
    public static readonly TimeSpan DestinationFailureWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// The destinations view: every destination queue this node watches or the store holds task instances for
    /// (<see cref="IAdminStore.GetDestinationLoadsAsync"/>, one grouped query), ordered by name (ordinal), each with its consumers from
    /// <paramref name="watched"/> and its backlog due now, instances in flight, dead letters of the last 24 hours and last dispatch.
    /// </summary>
    /// <param name="watched">This node's destination watch (<c>DestinationWatch.Snapshot</c>); empty when it cannot tell.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One entry per queue; a queue known only to the watch has zero counts, one known only to the store no consumer figures.</returns>
    public async Task<IReadOnlyList<DestinationView>> ListDestinationsAsync(IReadOnlyList<DestinationStatus> watched,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watched);
        var now = _timeProvider.GetUtcNow();
        var loads = (await _admin.GetDestinationLoadsAsync(now, now - DestinationFailureWindow, cancellationToken).ConfigureAwait(false))
            .ToDictionary(l => l.Queue, StringComparer.Ordinal);
        var statuses = watched.ToDictionary(w => w.Queue, StringComparer.Ordinal);
        return [.. loads.Keys.Union(statuses.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(queue =>
        {
            var status = statuses.GetValueOrDefault(queue);
            var load = loads.GetValueOrDefault(queue);
            return new DestinationView(queue, status?.Consumers, status?.NoConsumerSince, status?.WithoutConsumer ?? false, status?.CheckedAt,
                load?.Backlog ?? 0, load?.InFlight ?? 0, load?.Failures ?? 0, load?.LastDispatchAt);
        })];
    }
}
