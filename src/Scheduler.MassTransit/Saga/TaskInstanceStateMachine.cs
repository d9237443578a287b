using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// The task instance saga: records what workers report about a dispatched task instance — start, completion (<c>completed_at</c>) and
/// failure — and decides the retry. Keyed by <see cref="TaskDue.InstanceId"/>; the instance row is created by the scheduler loop and
/// dispatched by the runner loop, so the saga never creates instances and discards events for unknown ones.
/// </summary>
/// <remarks>
/// <para>A failure of the current attempt schedules the next one after the retry policy's backoff (state Scheduled, due at now + delay), or,
/// after the last attempt, marks the instance Failed and publishes <see cref="TaskDeadLettered"/>.</para>
/// <para>Stale reports are recognised by attempt number: a failure of an attempt older than the latest handed out is ignored (the newer
/// attempt decides); a completion of any attempt completes the instance, since the work was done. Final states ignore everything.</para>
/// </remarks>
public sealed class TaskInstanceStateMachine : MassTransitStateMachine<TaskInstanceSaga>
{
    /// <summary>Creates the state machine.</summary>
    public TaskInstanceStateMachine(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        InstanceState(x => x.CurrentState);
        Event(() => StartReported, e =>
        {
            e.CorrelateById(m => m.Message.InstanceId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => CompletionReported, e =>
        {
            e.CorrelateById(m => m.Message.InstanceId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => FailureReported, e =>
        {
            e.CorrelateById(m => m.Message.InstanceId);
            e.OnMissingInstance(m => m.Discard());
        });

        During(Scheduled, Dispatched,
            When(StartReported, ctx => ctx.Message.Attempt == ctx.Saga.Instance.Attempt)
                .Then(ctx => ctx.Saga.Instance.StartedAt = ctx.Message.StartedAt),
            When(CompletionReported)
                .Then(ctx =>
                {
                    var instance = ctx.Saga.Instance;
                    instance.StartedAt = ctx.Message.StartedAt;
                    instance.CompletedAt = ctx.Message.CompletedAt;
                    instance.FinishedAt = ctx.Message.CompletedAt;
                    instance.DueAt = null;
                    ReleaseClaim(instance);
                })
                .TransitionTo(Completed),
            When(FailureReported, ctx => ctx.Message.Attempt == ctx.Saga.Instance.Attempt)
                .Then(ctx =>
                {
                    var instance = ctx.Saga.Instance;
                    instance.StartedAt = ctx.Message.StartedAt;
                    instance.LastError = $"{ctx.Message.ExceptionType}: {ctx.Message.Reason}";
                })
                .IfElse(ctx => ctx.Message.Attempt < ctx.Saga.Instance.Retry.MaxAttempts,
                    retry => retry
                        .Then(ctx =>
                        {
                            var instance = ctx.Saga.Instance;
                            instance.DueAt = timeProvider.GetUtcNow() + Backoff.Delay(instance.Retry, ctx.Message.Attempt, Random.Shared.NextDouble);
                            ReleaseClaim(instance);
                        })
                        .TransitionTo(Scheduled),
                    deadLetter => deadLetter
                        .Then(ctx =>
                        {
                            var instance = ctx.Saga.Instance;
                            instance.FailedAt = timeProvider.GetUtcNow();
                            instance.FinishedAt = instance.FailedAt;
                            instance.DueAt = null;
                            ReleaseClaim(instance);
                        })
                        .TransitionTo(Failed)
                        .PublishAsync(ctx => ctx.Init<TaskDeadLettered>(new TaskDeadLettered
                        {
                            TaskId = ctx.Message.TaskId,
                            InstanceId = ctx.Message.InstanceId,
                            Attempt = ctx.Message.Attempt,
                            FireTime = ctx.Saga.Instance.FireTime,
                            Reason = ctx.Saga.Instance.LastError!,
                            FailedAt = ctx.Saga.Instance.FailedAt!.Value,
                        }))));

        During(Completed, Failed, Cancelled,
            Ignore(StartReported),
            Ignore(CompletionReported),
            Ignore(FailureReported));
    }

    // An outcome ends the attempt: a runner's claim on it (held while the dispatch was being recorded) no longer applies, so the runner's
    // late record of that dispatch, which requires its claim, leaves the outcome alone.
    private static void ReleaseClaim(TaskInstance instance)
    {
        instance.LeaseOwner = null;
        instance.LeaseExpiresAt = null;
    }

    /// <summary>Waiting for dispatch (first attempt or a retry).</summary>
    public State Scheduled { get; private set; } = null!;

    /// <summary>An attempt is out with a worker.</summary>
    public State Dispatched { get; private set; } = null!;

    /// <summary>An attempt completed. Final.</summary>
    public State Completed { get; private set; } = null!;

    /// <summary>The last attempt failed or expired (dead-lettered). Final.</summary>
    public State Failed { get; private set; } = null!;

    /// <summary>The task was cancelled before this instance was dispatched. Final.</summary>
    public State Cancelled { get; private set; } = null!;

    /// <summary>A worker started an attempt (<see cref="TaskStarted"/>).</summary>
    public Event<TaskStarted> StartReported { get; private set; } = null!;

    /// <summary>A worker's handler completed an attempt (<see cref="TaskCompleted"/>).</summary>
    public Event<TaskCompleted> CompletionReported { get; private set; } = null!;

    /// <summary>A worker's handler failed an attempt (<see cref="TaskFailed"/>).</summary>
    public Event<TaskFailed> FailureReported { get; private set; } = null!;
}
