using MassTransit;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// The task instance saga's state: a view of the stored <see cref="TaskInstance"/> row, so the saga and the runner loop share one record
/// (no second table, no second source of truth). <see cref="CurrentState"/> is the name of the instance's <see cref="Contracts.TaskInstanceState"/>.
/// </summary>
/// <remarks>The state machine decides; it does not write the row. Its decision is <see cref="Outcome"/>, which the repository hands to
/// <see cref="IOutcomeStore.ApplyOutcomesAsync"/> as one fenced transition.</remarks>
public sealed class TaskInstanceSaga : SagaStateMachineInstance
{
    internal TaskInstanceSaga(TaskInstance instance)
    {
        Instance = instance;
        CorrelationId = instance.Id;
        CurrentState = instance.Status.ToString();
    }

    /// <summary>The task instance's id.</summary>
    public Guid CorrelationId { get; set; }

    /// <summary>The name of the state: Scheduled, Claimed, Dispatched, Completed, Failed or Cancelled.</summary>
    public string CurrentState { get; set; }

    /// <summary>The instance as loaded (read only: the store applies <see cref="Outcome"/>).</summary>
    public TaskInstance Instance { get; }

    /// <summary>What the state machine decided about the event, or <see langword="null"/> when it changes nothing.</summary>
    public InstanceOutcome? Outcome { get; internal set; }
}
