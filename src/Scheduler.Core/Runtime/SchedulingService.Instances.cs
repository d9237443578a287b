using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>The instances across tasks, filtered, and one instance by id (the admin surfaces' search).</summary>
public sealed partial class SchedulingService
{
    /// <summary>A page of the instances of every task matching <paramref name="filter"/> (<see cref="IAdminStore.ListInstancesAsync"/>),
    /// latest fire time first.</summary>
    /// <param name="filter">Which instances: every property given must match.</param>
    /// <param name="pageSize">Most per page: 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="pageToken">The <see cref="InstanceList.NextPageToken"/> of the previous page (same filter); <see langword="null"/> for the
    /// first. Pages resume after the previous page's last instance (keyset), so none is repeated or skipped while instances are added.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentNullException"><paramref name="filter"/> is null.</exception>
    /// <exception cref="TaskValidationException">The state, a metadata value without key, an empty time range, the page size or the page
    /// token is invalid; the message names it and the fix.</exception>
    public async Task<InstanceList> FindInstancesAsync(InstanceFilter filter, int pageSize = 100, string? pageToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.MetadataValue is not null && filter.MetadataKey is null)
        {
            throw new TaskValidationException(
                $"Metadata value '{filter.MetadataValue}' was given without a metadata key. Give the key too (key=value), or leave the value out.");
        }

        RequireRange(filter.FiredSince, filter.FiredUntil, "fired");
        RequireRange(filter.FinishedSince, filter.FinishedUntil, "finished");
        var query = InstancePage(filter.TaskId, filter.State, pageSize, pageToken) with
        {
            DestinationQueue = filter.DestinationQueue,
            MetadataKey = filter.MetadataKey,
            MetadataValue = filter.MetadataValue,
            FiredSince = filter.FiredSince,
            FiredUntil = filter.FiredUntil,
            FinishedSince = filter.FinishedSince,
            FinishedUntil = filter.FinishedUntil,
        };
        var (page, next) = await ReadInstancePageAsync(query, cancellationToken).ConfigureAwait(false);
        return new InstanceList(page.Select(i => new TaskInstanceEntry(i.DefinitionId, i.ToInfo())).ToList(), next);
    }

    /// <summary>One task instance by id, with its task's id; <see langword="null"/> when there is none (never created, deleted, or removed by
    /// retention).</summary>
    public async Task<TaskInstanceEntry?> GetInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default) =>
        await _admin.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is { } instance
            ? new TaskInstanceEntry(instance.DefinitionId, instance.ToInfo())
            : null;

    private static void RequireRange(DateTimeOffset? since, DateTimeOffset? until, string what)
    {
        if (since is { } from && until is { } to && from >= to)
        {
            throw new TaskValidationException(
                $"The {what} range is empty: {what}Since {from:O} is not before {what}Until {to:O}. Give a since earlier than the until, or leave one out.");
        }
    }
}
