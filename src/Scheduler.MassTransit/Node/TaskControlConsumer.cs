using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Consumes the task control commands and queries (<see cref="PauseTask"/>, <see cref="ResumeTask"/>, <see cref="UpdateTask"/>,
/// <see cref="TriggerTaskNow"/>, <see cref="GetTask"/>, <see cref="ListTasks"/>, <see cref="GetTaskInstances"/>, <see cref="RequeueDeadLetters"/>, <see cref="DeleteTask"/>,
/// <see cref="DeleteTaskInstance"/>, <see cref="RetryTaskInstanceNow"/>) through
/// <see cref="SchedulingService"/> and answers each: the result, <see cref="TaskNotFound"/>, or <see cref="TaskRejected"/> with the reason.
/// </summary>
public sealed class TaskControlConsumer(SchedulingService scheduling, IOptions<SchedulerOptions> options, TimeProvider timeProvider) :
    IConsumer<PauseTask>, IConsumer<ResumeTask>, IConsumer<UpdateTask>, IConsumer<TriggerTaskNow>,
    IConsumer<GetTask>, IConsumer<ListTasks>, IConsumer<GetTaskInstances>, IConsumer<RequeueDeadLetters>,
    IConsumer<DeleteTask>, IConsumer<DeleteTaskInstance>, IConsumer<RetryTaskInstanceNow>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<PauseTask> context) => AnswerAsync(context, m => m.TaskId, (m, ct) => scheduling.PauseAsync(m.TaskId, ct));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<ResumeTask> context) => AnswerAsync(context, m => m.TaskId, (m, ct) => scheduling.ResumeAsync(m.TaskId, ct));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<UpdateTask> context) => AnswerAsync(context, m => m.TaskId, scheduling.UpdateAsync);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<TriggerTaskNow> context) => AnswerAsync(context, m => m.TaskId,
        (m, ct) => scheduling.TriggerNowAsync(m.TaskId, m.InstanceId ?? context.MessageId ?? NewId.NextGuid(), ct));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<GetTask> context) => AnswerAsync(context, m => m.TaskId, (m, ct) => scheduling.GetAsync(m.TaskId, ct));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<ListTasks> context) =>
        AnswerAsync(context, _ => null, async (m, ct) => (TaskList?)await scheduling.ListAsync(m, ct).ConfigureAwait(false));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<GetTaskInstances> context) => AnswerAsync(context, m => m.TaskId, scheduling.GetInstancesAsync);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<RequeueDeadLetters> context) => AnswerAsync(context, m => m.Filter?.TaskId, async (m, ct) =>
        (DeadLettersRequeued?)await scheduling.RequeueAsync(m, ct).ConfigureAwait(false));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<DeleteTask> context) => AnswerAsync(context, m => m.TaskId, async (m, ct) =>
        (TaskDeleted?)await scheduling.DeleteAsync(m.TaskId, ct).ConfigureAwait(false));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<DeleteTaskInstance> context) => AnswerAsync(context, _ => null, async (m, ct) =>
        (TaskInstanceDeleted?)await scheduling.DeleteInstanceAsync(m.InstanceId, ct).ConfigureAwait(false));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<RetryTaskInstanceNow> context) => AnswerAsync(context, _ => null, async (m, ct) =>
        (TaskInstanceRetried?)await scheduling.RetryInstanceNowAsync(m.InstanceId, ct).ConfigureAwait(false));

    private async Task AnswerAsync<TMessage, TReply>(ConsumeContext<TMessage> context, Func<TMessage, Guid?> taskIdOf,
        Func<TMessage, CancellationToken, Task<TReply?>> handle)
        where TMessage : class
        where TReply : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var taskId = taskIdOf(context.Message);
        if (taskId == Guid.Empty)
        {
            await context.RespondWithinAsync(new TaskRejected
            {
                TaskId = taskId, Reason = "TaskId is missing (all zeros). Give the id of the task, as TaskScheduled returned it.",
            }, options.Value, timeProvider).ConfigureAwait(false);
            return;
        }

        TReply? reply;
        try
        {
            reply = await handle(context.Message, context.CancellationToken).ConfigureAwait(false);
        }
        catch (TaskValidationException ex)
        {
            await context.RespondWithinAsync(new TaskRejected { TaskId = taskId, Reason = ex.Message }, options.Value, timeProvider).ConfigureAwait(false);
            return;
        }

        if (reply is null)
        {
            await context.RespondWithinAsync(new TaskNotFound { TaskId = taskId ?? Guid.Empty }, options.Value, timeProvider).ConfigureAwait(false);
        }
        else
        {
            await context.RespondWithinAsync(reply, options.Value, timeProvider).ConfigureAwait(false);
        }
    }
}
