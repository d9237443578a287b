using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IDefinitionStore.ChangeDefinitionAsync"/>.</summary>
public sealed record DefinitionChangeRequest
{
    /// <summary>The definition's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The app's current time (UTC), written as <see cref="TaskDefinition.ChangedAt"/>.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Pure function from the stored definition (a copy) to the edit, or <see langword="null"/> when it leaves the definition as it is;
    /// it may throw <see cref="Definitions.TaskValidationException"/>, and may be called again if the store retries the transaction.</summary>
    public required Func<TaskDefinition, DefinitionEdit?> Edit { get; init; }
}
