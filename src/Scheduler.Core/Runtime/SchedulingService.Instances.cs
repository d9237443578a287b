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
        var (page, next) = await ReadInstancePageAsync(FilteredPage(filter, pageSize, pageToken), cancellationToken).ConfigureAwait(false);
        var infos = await WithAttemptsAsync(page, cancellationToken).ConfigureAwait(false);
        return new InstanceList(page.Select((i, n) => new TaskInstanceEntry(i.DefinitionId, infos[n])).ToList(), next);
    }

    /// <summary>
    /// Deletes the finished instances (Completed, Failed, Cancelled or Skipped) among one page of the instances matching
    /// <paramref name="filter"/>, latest fire time first, each as <see cref="DeleteInstanceAsync"/> does (fenced by its state in the store).
    /// </summary>
    /// <param name="filter">Which instances; <see cref="InstanceFilter.State"/>, if given, must be a finished state.</param>
    /// <param name="limit">The most matching instances looked at in this call: 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="pageToken">The <see cref="InstanceBatch.NextPageToken"/> of the previous call with the same filter; <see langword="null"/>
    /// to begin.</param>
    /// <param name="cancellationToken">Cancels the operation; instances deleted before it stay deleted.</param>
    /// <exception cref="TaskValidationException">The filter (as <see cref="FindInstancesAsync"/>), a state not finished, the limit or the
    /// token is invalid; nothing changed.</exception>
    public Task<InstanceBatch> DeleteInstancesAsync(InstanceFilter filter, int limit = 100, string? pageToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.State is { } state && !TaskInstanceLifecycle.FinalStates.Contains(state))
        {
            throw new TaskValidationException(
                $"State {state} is not a finished state: only finished instances are deleted. Filter by Completed, Failed, Cancelled or Skipped, or leave the state out.");
        }

        return ActOnPageAsync(filter, limit, pageToken, async (id, ct) => (await DeleteInstanceAsync(id, ct).ConfigureAwait(false)).Found,
            cancellationToken);
    }

    /// <summary>
    /// Makes due now the instances waiting for their retry backoff among one page of the Scheduled instances matching
    /// <paramref name="filter"/>, latest fire time first, each as <see cref="RetryInstanceNowAsync"/> does (attempts kept).
    /// </summary>
    /// <param name="filter">Which instances; <see cref="InstanceFilter.State"/> is Scheduled when left out, and may be nothing else.</param>
    /// <param name="limit">The most matching instances looked at in this call: 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="pageToken">The <see cref="InstanceBatch.NextPageToken"/> of the previous call with the same filter; <see langword="null"/>
    /// to begin.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="TaskValidationException">The filter (as <see cref="FindInstancesAsync"/>), a state other than Scheduled, the limit or
    /// the token is invalid; nothing changed.</exception>
    public Task<InstanceBatch> RetryInstancesNowAsync(InstanceFilter filter, int limit = 100, string? pageToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.State is { } state && state != TaskInstanceState.Scheduled)
        {
            throw new TaskValidationException(
                $"State {state} cannot be retried now: only Scheduled instances waiting for their retry backoff can. Leave the state out (a dead letter is requeued instead).");
        }

        return ActOnPageAsync(filter with { State = TaskInstanceState.Scheduled }, limit, pageToken,
            async (id, ct) => (await RetryInstanceNowAsync(id, ct).ConfigureAwait(false)).Changed, cancellationToken);
    }

    // One page of the instances matching `filter`, each given to `act` (true: it changed); one it refuses (TaskValidationException: not in a
    // state the action applies to, or changed since the page was read) is left alone.
    private async Task<InstanceBatch> ActOnPageAsync(InstanceFilter filter, int limit, string? pageToken, Func<Guid, CancellationToken, Task<bool>> act,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw new TaskValidationException($"Limit {limit} is out of range. Give 1 to {MaxPageSize} (the most instances acted on per call).");
        }

        var (page, next) = await ReadInstancePageAsync(FilteredPage(filter, limit, pageToken), cancellationToken).ConfigureAwait(false);
        var affected = new List<Guid>();
        foreach (var instance in page)
        {
            try
            {
                if (await act(instance.Id, cancellationToken).ConfigureAwait(false))
                {
                    affected.Add(instance.Id);
                }
            }
            catch (TaskValidationException)
            {
                // left alone: counted below
            }
        }

        return new InstanceBatch(affected, page.Count - affected.Count, next);
    }

    /// <summary>The store query of one page of the instances matching <paramref name="filter"/>, validated.</summary>
    private static InstanceQuery FilteredPage(InstanceFilter filter, int pageSize, string? pageToken)
    {
        if (filter.MetadataValue is not null && filter.MetadataKey is null)
        {
            throw new TaskValidationException(
                $"Metadata value '{filter.MetadataValue}' was given without a metadata key. Give the key too (key=value), or leave the value out.");
        }

        RequireRange(filter.FiredSince, filter.FiredUntil, "fired");
        RequireRange(filter.FinishedSince, filter.FinishedUntil, "finished");
        return InstancePage(filter.TaskId, filter.State, pageSize, pageToken) with
        {
            DestinationQueue = filter.DestinationQueue,
            MetadataKey = filter.MetadataKey,
            MetadataValue = filter.MetadataValue,
            FiredSince = filter.FiredSince,
            FiredUntil = filter.FiredUntil,
            FinishedSince = filter.FinishedSince,
            FinishedUntil = filter.FinishedUntil,
        };
    }

    private static void RequireRange(DateTimeOffset? since, DateTimeOffset? until, string what)
    {
        if (since is { } from && until is { } to && from >= to)
        {
            throw new TaskValidationException(
                $"The {what} range is empty: {what}Since {from:O} is not before {what}Until {to:O}. Give a since earlier than the until, or leave one out.");
        }
    }
}
