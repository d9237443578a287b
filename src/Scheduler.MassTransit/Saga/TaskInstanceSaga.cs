using MassTransit;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// The task instance saga's state: a view of the stored <see cref="TaskInstance"/> row, so the saga and the runner loop share one record
/// (no second table, no second source of truth). <see cref="CurrentState"/> is the name of the instance's <see cref="TaskInstanceStatus"/>.
/// </summary>
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

    /// <summary>The name of the state: Scheduled, Dispatched, Completed, Failed or Cancelled.</summary>
    public string CurrentState { get; set; }

    /// <summary>The instance as loaded; the state machine's activities change it.</summary>
    public TaskInstance Instance { get; }

    /// <summary>The instance with <see cref="TaskInstance.Status"/> taken from <see cref="CurrentState"/>, ready to save.</summary>
    internal TaskInstance ToInstance()
    {
        Instance.Status = Enum.Parse<TaskInstanceStatus>(CurrentState);
        return Instance;
    }
}
