using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Client;

/// <summary>
/// <see cref="ISchedulerClient"/> over MassTransit's request client: each call sends its command to the node queue that consumes it
/// (<see cref="SchedulerEndpoints"/> of <see cref="SchedulerClientOptions.ClusterName"/>) and waits for the reply, turning <see cref="TaskNotFound"/> and <see cref="TaskRejected"/> into exceptions.
/// </summary>
/// <remarks>Request clients are created from the bus (<see cref="IClientFactory"/>), so the client is a singleton and works outside a
/// consume scope. Registered by <see cref="SchedulerRegistrationExtensions.AddSchedulerClient"/>.</remarks>
public sealed class MassTransitSchedulerClient : ISchedulerClient
{
    private readonly IClientFactory _clients;
    private readonly RequestTimeout _timeout;
    private readonly Uri _schedule;
    private readonly Uri _cancel;
    private readonly Uri _control;

    /// <summary>Creates the client.</summary>
    /// <param name="clients">The bus's client factory.</param>
    /// <param name="options">The request timeout.</param>
    public MassTransitSchedulerClient(IClientFactory clients, SchedulerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _timeout = RequestTimeout.After(ms: (int)options.Timeout.TotalMilliseconds);
        var endpoints = new SchedulerEndpoints(options.ClusterName);
        _schedule = SchedulerEndpoints.Address(endpoints.ScheduleTask, options.QuorumQueues);
        _cancel = SchedulerEndpoints.Address(endpoints.CancelTask, options.QuorumQueues);
        _control = SchedulerEndpoints.Address(endpoints.TaskControl, options.QuorumQueues);
    }

    /// <inheritdoc />
    public async Task<TaskScheduled> ScheduleAsync(ScheduleTask command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var response = await _clients.CreateRequestClient<ScheduleTask>(_schedule, _timeout)
            .GetResponse<TaskScheduled, TaskRejected>(command, cancellationToken).ConfigureAwait(false);
        if (response.Is(out Response<TaskScheduled>? scheduled))
        {
            return scheduled.Message;
        }

        throw response.Is(out Response<TaskRejected>? rejected) ? new TaskRejectedException(rejected.Message) : Unexpected(response);
    }

    /// <inheritdoc />
    public async Task<bool> CancelAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var response = await _clients.CreateRequestClient<CancelTask>(_cancel, _timeout)
            .GetResponse<TaskCancelled>(new CancelTask { TaskId = taskId }, cancellationToken).ConfigureAwait(false);
        return response.Message.Found;
    }

    /// <inheritdoc />
    public Task<TaskChanged> PauseAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        RequestAsync<PauseTask, TaskChanged>(new PauseTask { TaskId = taskId }, taskId, cancellationToken);

    /// <inheritdoc />
    public Task<TaskChanged> ResumeAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        RequestAsync<ResumeTask, TaskChanged>(new ResumeTask { TaskId = taskId }, taskId, cancellationToken);

    /// <inheritdoc />
    public Task<TaskChanged> UpdateAsync(UpdateTask update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return RequestAsync<UpdateTask, TaskChanged>(update, update.TaskId, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The instance id is chosen here, so a retry of this call after a timeout should go through <see cref="ISchedulerClient"/>'s
    /// command with the same <see cref="TriggerTaskNow.InstanceId"/> to stay idempotent; this method makes a new one per call.</remarks>
    public Task<TaskChanged> TriggerNowAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        RequestAsync<TriggerTaskNow, TaskChanged>(new TriggerTaskNow { TaskId = taskId, InstanceId = NewId.NextGuid() }, taskId, cancellationToken);

    /// <inheritdoc />
    public async Task<TaskInfo?> GetAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await RequestAsync<GetTask, TaskInfo>(new GetTask { TaskId = taskId }, taskId, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<TaskList> ListAsync(ListTasks query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return RequestAsync<ListTasks, TaskList>(query, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TaskInstanceList> GetInstancesAsync(GetTaskInstances query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return RequestAsync<GetTaskInstances, TaskInstanceList>(query, query.TaskId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        return (await RequestAsync<RequeueDeadLetters, DeadLettersRequeued>(new RequeueDeadLetters { InstanceIds = [.. instanceIds] }, null, cancellationToken)
            .ConfigureAwait(false)).Requeued;
    }

    /// <inheritdoc />
    public async Task<DeadLettersRequeued> RequeueMatchingDeadLettersAsync(DeadLetterFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return await RequestAsync<RequeueDeadLetters, DeadLettersRequeued>(new RequeueDeadLetters { Filter = filter }, null, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(Guid taskId, CancellationToken cancellationToken = default) =>
        (await RequestAsync<DeleteTask, TaskDeleted>(new DeleteTask { TaskId = taskId }, taskId, cancellationToken).ConfigureAwait(false)).Found;

    /// <inheritdoc />
    public async Task<bool> DeleteInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default) =>
        (await RequestAsync<DeleteTaskInstance, TaskInstanceDeleted>(new DeleteTaskInstance { InstanceId = instanceId }, null, cancellationToken)
            .ConfigureAwait(false)).Found;

    /// <inheritdoc />
    public Task<TaskInstanceRetried> RetryInstanceNowAsync(Guid instanceId, CancellationToken cancellationToken = default) =>
        RequestAsync<RetryTaskInstanceNow, TaskInstanceRetried>(new RetryTaskInstanceNow { InstanceId = instanceId }, null, cancellationToken);

    /// <inheritdoc />
    public async Task<CalendarChanged> SetCalendarAsync(SetCalendar command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await CalendarRequestAsync<SetCalendar, CalendarChanged>(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteCalendarAsync(string name, CancellationToken cancellationToken = default) =>
        (await CalendarRequestAsync<DeleteCalendar, CalendarDeleted>(new DeleteCalendar { Name = name }, cancellationToken).ConfigureAwait(false)).Found;

    /// <inheritdoc />
    public async Task<CalendarInfo?> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await _clients.CreateRequestClient<GetCalendar>(_control, _timeout)
            .GetResponse<CalendarInfo, CalendarNotFound>(new GetCalendar { Name = name }, cancellationToken).ConfigureAwait(false);
        return response.Is(out Response<CalendarInfo>? calendar) ? calendar.Message : null;
    }

    /// <inheritdoc />
    public async Task<CalendarList> ListCalendarsAsync(CancellationToken cancellationToken = default) =>
        (await _clients.CreateRequestClient<ListCalendars>(_control, _timeout).GetResponse<CalendarList>(new ListCalendars(), cancellationToken)
            .ConfigureAwait(false)).Message;

    private async Task<TReply> CalendarRequestAsync<TRequest, TReply>(TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TReply : class
    {
        var response = await _clients.CreateRequestClient<TRequest>(_control, _timeout)
            .GetResponse<TReply, CalendarRejected>(request, cancellationToken).ConfigureAwait(false);
        if (response.Is(out Response<TReply>? reply))
        {
            return reply.Message;
        }

        return response.Is(out Response<CalendarRejected>? rejected)
            ? throw new TaskRejectedException(rejected.Message.Reason)
            : throw new InvalidOperationException($"The scheduler answered {typeof(TRequest).Name} with {response.Message.GetType().Name}.");
    }

    private async Task<TReply> RequestAsync<TRequest, TReply>(TRequest request, Guid? taskId, CancellationToken cancellationToken)
        where TRequest : class
        where TReply : class
    {
        var response = await _clients.CreateRequestClient<TRequest>(_control, _timeout)
            .GetResponse<TReply, TaskRejected, TaskNotFound>(request, cancellationToken).ConfigureAwait(false);
        if (response.Is(out Response<TReply>? reply))
        {
            return reply.Message;
        }

        if (response.Is(out Response<TaskNotFound>? _))
        {
            throw new TaskNotFoundException(taskId ?? Guid.Empty);
        }

        throw response.Is(out Response<TaskRejected>? rejected) ? new TaskRejectedException(rejected.Message) : Unexpected(response);
    }

    private static InvalidOperationException Unexpected(object response) =>
        new($"The scheduler node answered with an unexpected {response.GetType().Name}; are the node and this client of the same release?");
}
