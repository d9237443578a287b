using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scheduler.Core;
using Scheduler.Core.Runtime;
using Scheduler.MassTransit.Endpoints;
using Scheduler.MassTransit.Node;
using Scheduler.MassTransit.Saga;
using Scheduler.MassTransit.Worker;

namespace Scheduler.MassTransit;

/// <summary>Registers Scheduler's parts on a MassTransit bus; call these inside <c>AddMassTransit(x => ...)</c>.</summary>
public static class SchedulerRegistrationExtensions
{
    /// <summary>
    /// Makes this service a scheduler node: the consumers of <see cref="Contracts.ScheduleTask"/>, <see cref="Contracts.ScheduleTasks"/>,
    /// <see cref="Contracts.CancelTask"/>, the task control commands and queries (<see cref="TaskControlConsumer"/>) and the calendar ones
    /// (<see cref="CalendarConsumer"/>), MassTransit's message
    /// scheduler commands (<c>ScheduleSend</c> and the rest, on <see cref="Contracts.SchedulerEndpoints.MessageScheduler"/>, with their
    /// deliveries on <see cref="Contracts.SchedulerEndpoints.ScheduledMessages"/>), the
    /// task instance saga (persisted in the task store), the <see cref="Contracts.TaskDue"/> dispatcher and the scheduler, runner and cleanup
    /// loops. Choose a store on the returned builder, e.g. <c>.UseInMemoryStore()</c>.
    /// </summary>
    /// <remarks>
    /// The node's queues are named after <see cref="SchedulerOptions.ClusterName"/> (<see cref="Contracts.SchedulerEndpoints"/>); at start the node records
    /// its cluster name in its database, and refuses to start if the database belongs to another cluster
    /// (<see cref="Core.ClusterMismatchException"/>).
    /// Readiness (the health checks tagged <c>ready</c>) includes MassTransit's bus check <c>masstransit-bus</c> besides the node's own
    /// (<see cref="SchedulerHealthCheck"/>, <see cref="LoopsHealthCheck"/>, <see cref="StoreHealthCheck"/>).
    /// MassTransit's usage telemetry is turned off on this bus (no outbound connection the application did not configure); call
    /// <c>ConfigureUsageTelemetryOptions</c> after this to turn it on.
    /// Registered inside <c>AddMassTransit</c>, the loops stop before the bus does, so a stopping node finishes its dispatches in flight and
    /// releases its claims while the bus still runs.
    /// </remarks>
    /// <param name="configurator">The bus registration.</param>
    /// <param name="configure">Changes the <see cref="SchedulerOptions"/> (they also bind to the <c>Scheduler</c> configuration section).</param>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public static SchedulerBuilder AddSchedulerNode(this IBusRegistrationConfigurator configurator, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var builder = configurator.AddSchedulerCore(configure);
        AddConsumingServices(configurator);
        configurator.TryAddSingleton<ITaskDispatcher, MassTransitTaskDispatcher>();
        configurator.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationProbe, RabbitMqDestinationProbe>());
        configurator.TryAddSingleton<TaskInstanceSagaBatches>();
        configurator.AddReceiveEndpointObserver<ReportEndpointObserver>();
        // Queue names derived from Scheduler:ClusterName by the definitions (read at bus configuration, after the options are bound), whatever
        // endpoint name formatter the application uses: every node of a cluster, embedded or Scheduler.Host, consumes from the same queues.
        configurator.AddConsumer<ScheduleTaskConsumer, ScheduleTaskConsumerDefinition>();
        configurator.AddConsumer<ScheduleTasksConsumer, ScheduleTasksConsumerDefinition>();
        configurator.AddConsumer<CancelTaskConsumer, CancelTaskConsumerDefinition>();
        configurator.AddConsumer<TaskControlConsumer, TaskControlConsumerDefinition>();
        configurator.AddConsumer<CalendarConsumer, CalendarConsumerDefinition>();
        configurator.AddConsumer<MessageScheduling.MessageSchedulerConsumer, MessageScheduling.MessageSchedulerConsumerDefinition>();
        configurator.AddConsumer<MessageScheduling.ScheduledMessageDeliveryConsumer, MessageScheduling.ScheduledMessageDeliveryConsumerDefinition>();
        configurator.AddSagaStateMachine<TaskInstanceStateMachine, TaskInstanceSaga>(typeof(TaskInstanceSagaDefinition))
            .Repository(r => r.RegisterSagaRepository<TaskInstanceSaga, Core.Storage.IOutcomeStore,
                SagaConsumeContextFactory<Core.Storage.IOutcomeStore, TaskInstanceSaga>, TaskStoreSagaRepositoryContextFactory>());
        configurator.AddConsumer<TaskReportBatchConsumer, TaskReportBatchConsumerDefinition>();

        // No outbound connection the user did not configure: MassTransit's usage telemetry stays off (the application may turn it on after this call).
        configurator.ConfigureUsageTelemetryOptions(o => o.Enabled = false);

        // Readiness includes MassTransit's own bus check (masstransit-bus): it is tagged "ready" by default, but only while the application
        // names no tags of its own, so the tag is added explicitly (with MassTransit's other default, "masstransit").
        configurator.ConfigureHealthCheckOptions(o =>
        {
            o.Tags.Add(SchedulerHealthCheck.ReadyTag);
            o.Tags.Add("masstransit");
        });

        // The runner must not publish before the bus has started.
        configurator.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        return builder;
    }

    /// <summary>
    /// Makes this service report the outcome of its <c>IConsumer&lt;TaskDue&gt;</c> handlers: <see cref="Contracts.TaskCompleted"/> when a handler
    /// returns, <see cref="Contracts.TaskFailed"/> when it throws, and while it runs <see cref="Contracts.TaskStarted"/> and
    /// <see cref="Contracts.TaskHeartbeat"/> (<see cref="TaskReportingOptions.Heartbeats"/>), the reports of concurrent attempts together in one
    /// <see cref="Contracts.TaskReportBatch"/> (<see cref="TaskReportingOptions.BatchReports"/>). Applies to every endpoint configured by
    /// <c>ConfigureEndpoints</c>. Stale deliveries (received after their <see cref="Contracts.TaskDue.StartBy"/>, or an attempt this worker already
    /// finished) are acknowledged without running the handler.
    /// </summary>
    /// <remarks>
    /// Every report is bounded by <see cref="TaskReportingOptions.SendTimeout"/>. Readiness (health checks tagged <c>ready</c>) includes
    /// <c>scheduler-endpoints</c>, unhealthy while any receive endpoint of the service is not consuming; a watchdog restarts an endpoint that
    /// stopped consuming for good while the broker can be reached. <c>MassTransitHostOptions.StopTimeout</c> is set to
    /// <see cref="DefaultStopTimeout"/> unless the application set it. The options bind to the <c>TaskReporting</c> configuration section.
    /// </remarks>
    /// <param name="configurator">The bus registration.</param>
    /// <param name="configure">Changes the <see cref="TaskReportingOptions"/>.</param>
    public static IBusRegistrationConfigurator AddTaskReporting(this IBusRegistrationConfigurator configurator, Action<TaskReportingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        AddConsumingServices(configurator);
        if (configure is not null)
        {
            configurator.Configure(configure);
        }

        configurator.ConfigureUsageTelemetryOptions(o => o.Enabled = false); // no outbound connection the user did not configure
        configurator.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseConsumeFilter(typeof(TaskReportingFilter<>), context));
        return configurator;
    }

    /// <summary>
    /// What every process that consumes for Scheduler needs, registered once whether it runs a node, workers or both: the task reports and
    /// their options (section <c>TaskReporting</c>, validated at start), the watch of its receive endpoints with its readiness check
    /// (<c>scheduler-endpoints</c>) and watchdog, and a bound on how long MassTransit waits for handlers when an endpoint stops.
    /// </summary>
    private static void AddConsumingServices(IBusRegistrationConfigurator configurator)
    {
        if (configurator.Any(d => d.ServiceType == typeof(ReceiveEndpointWatch)))
        {
            return;
        }

        configurator.TryAddSingleton(TimeProvider.System);
        configurator.AddMetrics();
        configurator.AddSingleton<IConfigureOptions<TaskReportingOptions>>(sp => new ConfigureOptions<TaskReportingOptions>(
            options => sp.GetService<IConfiguration>()?.GetSection(TaskReportingOptions.SectionName).Bind(options)));
        configurator.AddOptions<TaskReportingOptions>().ValidateDataAnnotations().ValidateOnStart();
        configurator.TryAddSingleton<TaskReports>();

        configurator.AddSingleton<ReceiveEndpointWatch>();
        configurator.AddReceiveEndpointObserver(sp => sp.GetRequiredService<ReceiveEndpointWatch>());
        configurator.AddReceiveObserver(sp => sp.GetRequiredService<ReceiveEndpointWatch>());
        configurator.TryAddSingleton<BrokerProbe>();
        configurator.AddHostedService<ReceiveEndpointWatchdog>();
        configurator.AddHealthChecks().AddCheck<ReceiveEndpointsHealthCheck>(ReceiveEndpointsHealthCheck.Name, tags: [SchedulerHealthCheck.ReadyTag]);

        // MassTransit reconnects an endpoint whose connection dropped only once the handlers it was running return, and by default waits for
        // them forever (MassTransit #2072): a handler that ignores cancellation would keep the endpoint from ever consuming again. Bounded
        // unless the application chose its own bound.
        configurator.AddOptions<MassTransitHostOptions>().PostConfigure(o => o.StopTimeout ??= DefaultStopTimeout);
    }

    /// <summary>
    /// The <c>MassTransitHostOptions.StopTimeout</c> that <c>AddSchedulerNode</c> and <c>AddTaskReporting</c> set unless the application set one:
    /// 30 seconds. It bounds how long a receive endpoint waits for its handlers when it stops — when the application stops, and when its
    /// connection to the broker dropped and it must reconnect — so a handler that ignores cancellation holds it up for at most this long.
    /// </summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Registers <see cref="Contracts.ISchedulerClient"/> (<see cref="Client.MassTransitSchedulerClient"/>, a singleton): typed calls for every
    /// scheduler command and query, sent to the scheduler nodes' queues. Any service on the bus can use it; it needs no node of its own.
    /// </summary>
    /// <param name="configurator">The bus registration.</param>
    /// <param name="configure">Changes the <see cref="Client.SchedulerClientOptions"/> (the request timeout, the cluster name).</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive or is over a day.</exception>
    /// <exception cref="ArgumentException">The cluster name is invalid.</exception>
    public static IBusRegistrationConfigurator AddSchedulerClient(this IBusRegistrationConfigurator configurator, Action<Client.SchedulerClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var options = new Client.SchedulerClientOptions();
        configure?.Invoke(options);
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.Timeout,
                "SchedulerClientOptions.Timeout must be more than zero and at most one day, e.g. 00:00:30.");
        }

        _ = new Contracts.SchedulerEndpoints(options.ClusterName); // throws ArgumentException naming an invalid cluster name now, not at the first call
        configurator.TryAddSingleton(options);
        configurator.TryAddSingleton<Contracts.ISchedulerClient, Client.MassTransitSchedulerClient>();
        configurator.ConfigureUsageTelemetryOptions(o => o.Enabled = false); // no outbound connection the user did not configure
        return configurator;
    }

    /// <summary>
    /// Adds a consumer of <see cref="Contracts.TaskDue"/> on the queue <paramref name="queueName"/>. Instances of the service (all consuming
    /// that queue) compete, so each task instance goes to one of them.
    /// </summary>
    /// <param name="configurator">The bus registration.</param>
    /// <param name="queueName">The queue; tasks scheduled with this <see cref="Contracts.ScheduleTask.DestinationQueue"/> are sent to it.</param>
    /// <param name="ownTasksOnly">
    /// <see langword="true"/> (the default) to receive only the tasks sent to this queue: the queue is not bound to the published
    /// <see cref="Contracts.TaskDue"/> exchange, so another application's broadcast tasks never reach it. <see langword="false"/> to also
    /// receive every task scheduled with <see cref="Contracts.ScheduleTask.Broadcast"/> on this broker's virtual host.
    /// </param>
    /// <typeparam name="TConsumer">The consumer.</typeparam>
    public static IConsumerRegistrationConfigurator<TConsumer> AddTaskConsumer<TConsumer>(this IBusRegistrationConfigurator configurator, string queueName,
        bool ownTasksOnly = true)
        where TConsumer : class, IConsumer<Contracts.TaskDue>
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        var consumer = configurator.AddConsumer<TConsumer>();
        consumer.Endpoint(e =>
        {
            e.Name = queueName;
            e.ConfigureConsumeTopology = !ownTasksOnly;
        });
        return consumer;
    }
}
