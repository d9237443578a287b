using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

public sealed partial class SchedulingService
{
    /// <summary>
    /// A page of the recurring tasks view: the tasks whose trigger is a cron expression, an RRULE or a phrase (not <see cref="TriggerKind.Once"/>),
    /// oldest first, each with its trigger explained in English, its next fire time (as <see cref="GetDetailAsync"/> gives it) and its last
    /// outcome. Keyset paged: a page token resumes after the previous page's last task.
    /// </summary>
    /// <param name="state">Only tasks in this state (e.g. <see cref="TaskState.Paused"/>); <see langword="null"/> for all.</param>
    /// <param name="metadataKey">Only tasks whose metadata has this key (with <paramref name="metadataValue"/>, this entry).</param>
    /// <param name="metadataValue">With <paramref name="metadataKey"/>: the value the entry must have.</param>
    /// <param name="pageSize">Most tasks per page: 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="pageToken">The <see cref="RecurringTaskList.NextPageToken"/> of the previous page; <see langword="null"/> for the first.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="TaskValidationException">The state, the metadata filter, the page size or the page token is invalid; the message names
    /// the value and the fix.</exception>
    public async Task<RecurringTaskList> ListRecurringAsync(TaskState? state = null, string? metadataKey = null, string? metadataValue = null,
        int pageSize = 100, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        var (_, size) = Page(null, pageSize);
        if (state is { } known && !Enum.IsDefined(known))
        {
            throw new TaskValidationException($"State {(int)known} is unknown. Use Active, Paused, Cancelled or Finished, or leave it out for every state.");
        }

        if (metadataValue is not null && metadataKey is null)
        {
            throw new TaskValidationException($"MetadataValue '{metadataValue}' is given without MetadataKey. Give the key whose value must match.");
        }

        var after = InstancePageToken.ReadKey(pageToken) is var (createdAt, id) ? new DefinitionCursor(createdAt, id) : null;
        var page = await _definitions.ListDefinitionsAsync(new DefinitionQuery
        {
            State = state,
            MetadataKey = metadataKey,
            MetadataValue = metadataValue,
            RecurringOnly = true,
            After = after,
            Take = size + 1,
        }, cancellationToken).ConfigureAwait(false);
        var shown = page.Take(size).ToList();
        var views = await ViewsAsync(shown, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var outcomes = shown.Count == 0 ? NoOutcomes : await _admin.GetLastOutcomesAsync(shown.Select(d => d.Id).ToList(), cancellationToken).ConfigureAwait(false);
        var tasks = shown.Select((d, i) => new RecurringTask(views[i], Explain(d), outcomes.TryGetValue(d.Id, out var last) ? last.ToInfo() : null)).ToList();
        return new RecurringTaskList(tasks, page.Count > size ? InstancePageToken.WriteKey(shown[^1].CreatedAt, shown[^1].Id) : null);
    }

    private static readonly IReadOnlyDictionary<Guid, TaskInstance> NoOutcomes = new Dictionary<Guid, TaskInstance>();

    // The trigger in English, as the triggers project describes it; one that cannot be read any more is explained by why.
    private static string Explain(TaskDefinition definition)
    {
        try
        {
            return Triggers.TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, definition.StartAt).Describe();
        }
        catch (Exception ex) when (Triggers.TriggerInstants.IsEvaluationFailure(ex))
        {
            return $"cannot be read any more: {ex.Message}";
        }
    }
}
