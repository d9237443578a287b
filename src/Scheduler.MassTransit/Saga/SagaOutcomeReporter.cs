using Microsoft.Extensions.Logging;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>Counts the saga's outcomes once the store applied them (not when decided: a closed fence drops a stale one), and announces a dead
/// letter (<see cref="DeadLetterNotifier"/>: logged, counted, <see cref="Contracts.TaskDeadLettered"/> published).</summary>
internal sealed partial class SagaOutcomeReporter(SchedulerMetrics metrics, DeadLetterNotifier deadLetters, ILogger logger)
{
    public Task AppliedAsync(InstanceOutcome outcome, TaskInstance instance)
    {
        metrics.OutcomeApplied(outcome);
        return outcome.Kind == OutcomeKind.DeadLettered
            ? deadLetters.NotifyAsync(instance, outcome.Error ?? "", DeadLetterCause.Failed, outcome.RecordedAt)
            : Task.CompletedTask;
    }

    public void Stale(InstanceOutcome outcome) => LogStale(outcome.Kind, outcome.InstanceId, outcome.Attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a stale {Kind} report of task instance {InstanceId} attempt {Attempt}: the instance moved on meanwhile")]
    private partial void LogStale(OutcomeKind kind, Guid instanceId, int attempt);
}
