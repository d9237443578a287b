using System.Linq.Expressions;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>What the store holds for one destination queue (<see cref="IAdminStore.GetDestinationLoadsAsync"/>): the task instances of the
/// task definitions whose <see cref="TaskDefinition.DestinationQueue"/> it is.</summary>
/// <param name="Queue">The destination queue's name.</param>
/// <param name="Backlog">Instances waiting: Scheduled or Claimed, due at or before the time asked about.</param>
/// <param name="InFlight">Instances Dispatched: an attempt handed to the queue and not yet reported finished.</param>
/// <param name="Failures">Dead letters: instances Failed that finished at or after the time asked about (e.g. 24 hours before now).</param>
/// <param name="LastDispatchAt">The latest dispatch (UTC) of any of its instances still stored; <see langword="null"/> when none was dispatched.</param>
public sealed record DestinationLoad(string Queue, int Backlog, int InFlight, int Failures, DateTimeOffset? LastDispatchAt)
{
    /// <summary>
    /// The destination loads as one grouped query over <paramref name="instances"/> joined to <paramref name="definitions"/> (GROUP BY the
    /// definition's destination queue; broadcast definitions, without a queue, are left out), in no particular order: the in-memory store runs it on
    /// its collections, the EF Core store translates it to SQL.
    /// </summary>
    /// <param name="instances">The task instances.</param>
    /// <param name="definitions">The task definitions.</param>
    /// <param name="now">Instances due at or before this instant (UTC) and still waiting count in <see cref="Backlog"/>.</param>
    /// <param name="failedSince">Dead letters that finished at or after this instant (UTC) count in <see cref="Failures"/>.</param>
    internal static IQueryable<DestinationLoad> Query(IQueryable<TaskInstance> instances, IQueryable<TaskDefinition> definitions,
        DateTimeOffset now, DateTimeOffset failedSince) =>
        instances
            .Join(definitions.Where(d => d.DestinationQueue != null), i => i.DefinitionId, d => d.Id,
                (i, d) => new { d.DestinationQueue, i.Status, i.DueAt, i.FinishedAt, i.DispatchedAt })
            .GroupBy(x => x.DestinationQueue)
            .Select(g => new DestinationLoad(
                g.Key!,
                g.Count(x => (x.Status == TaskInstanceState.Scheduled || x.Status == TaskInstanceState.Claimed) && x.DueAt <= now),
                g.Count(x => x.Status == TaskInstanceState.Dispatched),
                g.Count(x => x.Status == TaskInstanceState.Failed && x.FinishedAt >= failedSince),
                g.Max(x => x.DispatchedAt)));
}
