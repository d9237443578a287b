using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// The definitions of one <see cref="IDefinitionStore.AddDefinitionsAsync"/> call, split into candidates for insertion and repeats of an earlier
/// definition of the same batch (same id, else same idempotency key), which are answered with that earlier one's result. Store
/// implementations use it so that every store treats repeats within a batch alike.
/// </summary>
public sealed class DefinitionBatch
{
    private readonly int[] _firstOf;
    private readonly IReadOnlyList<TaskDefinition> _definitions;

    private DefinitionBatch(IReadOnlyList<TaskDefinition> definitions, int[] firstOf, List<TaskDefinition> candidates)
    {
        _definitions = definitions;
        _firstOf = firstOf;
        Candidates = candidates;
    }

    /// <summary>The definitions to insert, in batch order; their ids and idempotency keys are distinct.</summary>
    public IReadOnlyList<TaskDefinition> Candidates { get; }

    /// <summary>Splits <paramref name="definitions"/> into candidates and repeats.</summary>
    /// <param name="definitions">The batch, in the caller's order.</param>
    /// <returns>The split batch.</returns>
    /// <exception cref="ArgumentException">An element of <paramref name="definitions"/> is null.</exception>
    public static DefinitionBatch Of(IReadOnlyList<TaskDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var firstOf = new int[definitions.Count];
        var byId = new Dictionary<Guid, int>();
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var candidates = new List<TaskDefinition>(definitions.Count);
        for (var i = 0; i < definitions.Count; i++)
        {
            var definition = definitions[i] ?? throw new ArgumentException($"Definition {i} of the batch is null.", nameof(definitions));
            if (byId.TryGetValue(definition.Id, out var first)
                || (definition.IdempotencyKey is { } key && byKey.TryGetValue(key, out first)))
            {
                firstOf[i] = first;
                continue;
            }

            firstOf[i] = i;
            byId.Add(definition.Id, i);
            if (definition.IdempotencyKey is { } newKey)
            {
                byKey.Add(newKey, i);
            }

            candidates.Add(definition);
        }

        return new DefinitionBatch(definitions, firstOf, candidates);
    }

    /// <summary>One result per definition in batch order: <paramref name="resultOf"/> for each candidate, called in batch order; for a
    /// repeat, a copy of its candidate's result definition with <see cref="AddDefinitionResult.AlreadyExisted"/> set.</summary>
    /// <param name="resultOf">What became of a candidate: stored, or answered with the stored definition it collided with.</param>
    /// <returns>The results, in the order of the batch.</returns>
    public IReadOnlyList<AddDefinitionResult> Resolve(Func<TaskDefinition, AddDefinitionResult> resultOf)
    {
        ArgumentNullException.ThrowIfNull(resultOf);
        var results = new AddDefinitionResult[_definitions.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = _firstOf[i] == i
                ? resultOf(_definitions[i])
                : new AddDefinitionResult(results[_firstOf[i]].Definition.Clone(), AlreadyExisted: true);
        }

        return results;
    }
}
