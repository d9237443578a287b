using MassTransit;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// The task instance saga: decides what a worker's report — start, completion, failure — does to a task instance, and the retry. Keyed by
/// <see cref="TaskDue.InstanceId"/>; the instance row is created by the scheduler loop and claimed and dispatched by the runner loop, so the
/// saga never creates instances and discards events for unknown ones.
/// </summary>
/// <remarks>
/// <para>The saga decides and the store applies: each decision is an <see cref="InstanceOutcome"/> that the store writes as one transition
/// fenced by <see cref="TaskInstanceLifecycle.Accepts"/>, the same predicate that guards the events here. If the row changed between the read and
/// the write (a runner claimed the next attempt, the instance completed), the fence is closed: the report is stale and changes nothing — the
/// same decision on fresh state would be to ignore it, so it is not processed again.</para>
/// <para>A failure of the current attempt schedules the next one after the retry policy's backoff (state Scheduled, due at now + delay), or,
/// after the last attempt, marks the instance Failed; once the store applied that, the repository publishes <see cref="TaskDeadLettered"/>.
/// A start or a heartbeat of the current attempt keeps it alive (its ExpireAfter counts from the start and moves forward with heartbeats). A failure or start of an older attempt is
/// ignored (the newer attempt decides). A completion of any attempt completes the instance, also after a retry was scheduled or the instance
/// was dead-lettered: the work was done. <c>completed_at</c> is when this node recorded it; the worker's time is kept as reported.</para>
/// </remarks>
public sealed partial class TaskInstanceStateMachine : MassTransitStateMachine<TaskInstanceSaga>
{
    /// <summary>Creates the state machine.</summary>
    /// <param name="timeProvider">The node's clock: <c>completed_at</c> and retry times.</param>
    /// <param name="logger">Logs the outcomes of attempts that arrive after the instance was completed or cancelled (they change nothing).</param>
    public TaskInstanceStateMachine(TimeProvider timeProvider, ILogger<TaskInstanceStateMachine> logger)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
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
        Event(() => HeartbeatReported, e =>
        {
            e.CorrelateById(m => m.Message.InstanceId);
            e.OnMissingInstance(m => m.Discard());
        });

        // Which report each state accepts is TaskInstanceLifecycle's (AcceptingStates; the store's SQL fence reads the same), and so is the
        // retry: the state lists below are made from it, never written here.
        var attemptStates = StatesOf(TaskInstanceLifecycle.AcceptingStates(OutcomeKind.Started));
        var completionStates = StatesOf(TaskInstanceLifecycle.AcceptingStates(OutcomeKind.Completed));
        During(attemptStates,
            When(HeartbeatReported, ctx => TaskInstanceLifecycle.Accepts(ctx.Saga.Instance, OutcomeKind.Heartbeat, ctx.Message.Attempt))
                .Then(ctx => ctx.Saga.Outcome = new InstanceOutcome(ctx.Message.InstanceId, ctx.Message.Attempt, OutcomeKind.Heartbeat,
                    timeProvider.GetUtcNow()) { StartedAt = ctx.Message.StartedAt }),
            When(StartReported, ctx => TaskInstanceLifecycle.Accepts(ctx.Saga.Instance, OutcomeKind.Started, ctx.Message.Attempt))
                .Then(ctx => ctx.Saga.Outcome = new InstanceOutcome(ctx.Message.InstanceId, ctx.Message.Attempt, OutcomeKind.Started,
                    timeProvider.GetUtcNow()) { StartedAt = ctx.Message.StartedAt, Worker = ctx.Message.Worker }),
            When(FailureReported, ctx => TaskInstanceLifecycle.Accepts(ctx.Saga.Instance, OutcomeKind.RetryScheduled, ctx.Message.Attempt))
                .Then(ctx =>
                {
                    var now = timeProvider.GetUtcNow();
                    var retryAt = TaskInstanceLifecycle.RetryAt(ctx.Saga.Instance, ctx.Message.Attempt, now);
                    ctx.Saga.Outcome = new InstanceOutcome(ctx.Message.InstanceId, ctx.Message.Attempt,
                        retryAt is null ? OutcomeKind.DeadLettered : OutcomeKind.RetryScheduled, now)
                    {
                        StartedAt = ctx.Message.StartedAt,
                        RetryAt = retryAt,
                        Error = Error(ctx.Message),
                        Worker = ctx.Message.Worker,
                    };
                })
                .IfElse(ctx => ctx.Saga.Outcome!.Kind == OutcomeKind.RetryScheduled,
                    retry => retry.TransitionTo(Scheduled),
                    deadLetter => deadLetter.TransitionTo(Failed)));

        During(completionStates,
            When(CompletionReported)
                .Then(ctx => ctx.Saga.Outcome = new InstanceOutcome(ctx.Message.InstanceId, ctx.Message.Attempt, OutcomeKind.Completed,
                    timeProvider.GetUtcNow())
                {
                    StartedAt = ctx.Message.StartedAt,
                    ReportedCompletedAt = ctx.Message.CompletedAt,
                    Worker = ctx.Message.Worker,
                })
                .TransitionTo(Completed));

        // Accepting a completion but no report of an attempt (Scheduled: a retry is waiting; Failed: dead-lettered).
        During(completionStates.Except(attemptStates).ToArray(),
            Ignore(StartReported),
            Ignore(HeartbeatReported),
            Ignore(FailureReported));

        // Final states, accepting nothing. A late outcome of a superseded attempt (e.g. attempt 2 finishing after attempt 1's late success
        // completed the instance) is recorded beside the outcome that stands, in the log, and never over it.
        During(StatesOf(Enum.GetValues<TaskInstanceState>().Except(completionStates.Select(StateOf))),
            Ignore(StartReported),
            Ignore(HeartbeatReported),
            When(CompletionReported).Then(ctx => LogLateCompletion(logger, ctx.Message.InstanceId, ctx.Message.Attempt, ctx.Saga.CurrentState)),
            When(FailureReported).Then(ctx =>
                LogLateFailure(logger, ctx.Message.InstanceId, ctx.Message.Attempt, ctx.Message.ExceptionType, ctx.Message.Reason, ctx.Saga.CurrentState)));
    }

    /// <summary>The saga's states named like <paramref name="states"/> (the saga's <c>CurrentState</c> is the stored state's name).</summary>
    private State[] StatesOf(IEnumerable<TaskInstanceState> states) => [.. states.Select(s => GetState(s.ToString()))];

    private static TaskInstanceState StateOf(State state) => Enum.Parse<TaskInstanceState>(state.Name);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Attempt {Attempt} of task instance {InstanceId} completed after the instance was {State}; the instance keeps its outcome")]
    private static partial void LogLateCompletion(ILogger logger, Guid instanceId, int attempt, string state);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Attempt {Attempt} of task instance {InstanceId} failed ({ExceptionType}: {Reason}) after the instance was {State}; the instance keeps its outcome")]
    private static partial void LogLateFailure(ILogger logger, Guid instanceId, int attempt, string exceptionType, string reason, string state);

    private static string Error(TaskFailed failure) => $"{failure.ExceptionType}: {failure.Reason}";

    /// <summary>Waiting for dispatch (first attempt or a retry).</summary>
    public State Scheduled { get; private set; } = null!;

    /// <summary>A runner holds a claim and will dispatch the reserved attempt at its due time.</summary>
    public State Claimed { get; private set; } = null!;

    /// <summary>An attempt is out with a worker.</summary>
    public State Dispatched { get; private set; } = null!;

    /// <summary>An attempt completed. Final.</summary>
    public State Completed { get; private set; } = null!;

    /// <summary>The last attempt failed or expired (dead-lettered). Final, except that a late completion still counts.</summary>
    public State Failed { get; private set; } = null!;

    /// <summary>The task was cancelled before this instance was dispatched. Final.</summary>
    public State Cancelled { get; private set; } = null!;

    /// <summary>Not run: an earlier occurrence of its task was still active when it came due (the task's overlap policy). Final.</summary>
    public State Skipped { get; private set; } = null!;

    /// <summary>A worker started an attempt (<see cref="TaskStarted"/>).</summary>
    public Event<TaskStarted> StartReported { get; private set; } = null!;

    /// <summary>A worker's handler completed an attempt (<see cref="TaskCompleted"/>).</summary>
    public Event<TaskCompleted> CompletionReported { get; private set; } = null!;

    /// <summary>A worker's handler is still running an attempt (<see cref="TaskHeartbeat"/>).</summary>
    public Event<TaskHeartbeat> HeartbeatReported { get; private set; } = null!;

    /// <summary>A worker's handler failed an attempt (<see cref="TaskFailed"/>).</summary>
    public Event<TaskFailed> FailureReported { get; private set; } = null!;
}
