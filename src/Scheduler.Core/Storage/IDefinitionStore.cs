using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>The task catalog: task definitions and calendars, as the scheduling service (intake and task control) reads and changes them.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface IDefinitionStore
{
    /// <summary>
    /// Stores new task definitions in one transaction, each unless one with the same <see cref="TaskDefinition.Id"/> or
    /// <see cref="TaskDefinition.IdempotencyKey"/> exists already, in the store or earlier in <paramref name="definitions"/>: then nothing is
    /// written for it and the existing one is returned with <see cref="AddDefinitionResult.AlreadyExisted"/> set.
    /// </summary>
    /// <remarks>Work that arrives together is stored together: the scheduling consumers pass a whole batch of commands in one call, so
    /// intake costs one transaction per batch, not per command. A definition that matches a stored one by id is answered with that one,
    /// else with the one holding its idempotency key; a definition that repeats an earlier one of the batch (same id, else same idempotency
    /// key) is answered with whatever that earlier one was answered with (<see cref="DefinitionBatch"/>).</remarks>
    /// <param name="definitions">The definitions; may be empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One result per definition, in the order of <paramref name="definitions"/>.</returns>
    Task<IReadOnlyList<AddDefinitionResult>> AddDefinitionsAsync(IReadOnlyList<TaskDefinition> definitions, CancellationToken cancellationToken = default);

    /// <summary>The definition with id <paramref name="id"/>, or <see langword="null"/>.</summary>
    Task<TaskDefinition?> GetDefinitionAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>A page of definitions in the order they were created (then by id), filtered by <see cref="DefinitionQuery"/>.</summary>
    Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops a definition from firing: clears its next fire time, sets <see cref="TaskDefinition.CancelledAt"/> and cancels its instances
    /// that are <see cref="Contracts.TaskInstanceState.Scheduled"/> or <see cref="Contracts.TaskInstanceState.Claimed"/> (a claim is cleared; runners learn of the cancellation through
    /// <see cref="IRunnerStore.GetDefinitionsChangedSinceAsync"/> and drop what they hold). Returns <see langword="false"/> when no such live definition exists.
    /// </summary>
    Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: reads the definition <see cref="DefinitionChangeRequest.Id"/>, asks <see cref="DefinitionChangeRequest.Edit"/> what
    /// to make of it and, when the edit changes it, takes back its occurrences not yet begun if the edit says so
    /// (<see cref="DefinitionEdit.TakeBack"/>: Scheduled or Claimed instances of which no attempt was handed out, <see cref="TaskInstance.HasBegun"/>,
    /// are deleted; a runner's claim on one is thereby lost) and writes the edited definition with <see cref="TaskDefinition.ChangedAt"/> set to
    /// <see cref="DefinitionChangeRequest.Now"/>: every column but the id, whatever the edit changed (paused or cancelled times included).
    /// Pause, resume, update and scheduling a cancelled task again are such edits.
    /// </summary>
    /// <returns>The definition as it is after the call and whether it changed; <see cref="DefinitionChangeResult.Definition"/> is
    /// <see langword="null"/> when no definition has that id.</returns>
    /// <exception cref="TaskValidationException">Thrown by <see cref="DefinitionChangeRequest.Edit"/>: nothing was written.</exception>
    Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="instance"/> (a Scheduled, not yet begun occurrence of a definition) unless an instance with its id, or with its
    /// definition and fire time, exists; a definition that is cancelled, or missing, gets nothing.
    /// </summary>
    /// <returns>The definition (<see langword="null"/> when missing) and whether the instance was added.</returns>
    Task<(TaskDefinition? Definition, bool Added)> AddInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default);

    /// <summary>The calendar named <paramref name="name"/>, or <see langword="null"/>.</summary>
    Task<Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every calendar, by name.</summary>
    Task<IReadOnlyList<Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: creates, replaces (<see cref="CalendarChangeRequest.Spec"/>) or deletes (no spec) the calendar
    /// <see cref="CalendarChangeRequest.Name"/>, and applies <see cref="CalendarChangeRequest.Edit"/> to every definition that names it and is not
    /// cancelled, each as <see cref="ChangeDefinitionAsync"/> applies an edit (taking back its occurrences not yet begun as the edit says, and
    /// setting <see cref="TaskDefinition.ChangedAt"/>, so runners drop their claims). Setting the spec stored already changes nothing.
    /// A new calendar gets version 1, a replaced one the next version; its <c>ChangedAt</c> is <see cref="CalendarChangeRequest.Now"/>.
    /// </summary>
    /// <returns>The calendar as it is after the call (<see langword="null"/> when deleted or absent), whether it changed and which
    /// definitions were edited.</returns>
    /// <exception cref="TaskValidationException">Thrown by <see cref="CalendarChangeRequest.Edit"/> (e.g. a deletion of a calendar still named):
    /// nothing was written.</exception>
    Task<CalendarChangeResult> ChangeCalendarAsync(CalendarChangeRequest request, CancellationToken cancellationToken = default);
}
