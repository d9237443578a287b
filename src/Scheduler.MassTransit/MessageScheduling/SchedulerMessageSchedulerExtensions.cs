using Scheduler.Contracts;

// In MassTransit's namespace, beside AddMessageScheduler, so a service that uses only MassTransit's scheduling API needs no using of ours.
namespace MassTransit;

/// <summary>
/// Points MassTransit's message scheduler (<c>ScheduleSend</c>, <c>ScheduleRecurringSend</c>, <c>CancelScheduledSend</c>,
/// <c>CancelScheduledRecurringSend</c>, <c>PauseScheduledRecurringSend</c>, <c>ResumeScheduledRecurringSend</c>) at the scheduler nodes of a
/// cluster, in place of MassTransit.Quartz or Hangfire. One line in the scheduling service; the nodes (<c>AddSchedulerNode</c>,
/// <c>Scheduler.Host</c>) serve the commands with nothing more to configure.
/// </summary>
/// <remarks>
/// What is stored, the size limit (256 KiB per message with its headers) and the delivery guarantee (at-least-once) are in the
/// <c>docs/guarantees.md</c> section "Messages scheduled through MassTransit".
/// </remarks>
public static class SchedulerMessageSchedulerExtensions
{
    /// <summary>
    /// <c>AddMessageScheduler(new Uri("queue:{cluster}-message-scheduler"))</c>: registers MassTransit's <c>IMessageScheduler</c> and the
    /// scheduling of <c>ConsumeContext</c>, sending their commands to the nodes of cluster <paramref name="clusterName"/>.
    /// </summary>
    /// <param name="configurator">The bus registration (inside <c>AddMassTransit</c>).</param>
    /// <param name="clusterName">The nodes' <c>Scheduler:ClusterName</c>. <value>Default <c>scheduler</c>.</value></param>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is not a valid cluster name.</exception>
    public static void AddSchedulerMessageScheduler(this IBusRegistrationConfigurator configurator, string clusterName = SchedulerEndpoints.DefaultClusterName)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.AddMessageScheduler(Address(clusterName));
    }

    /// <summary>
    /// <c>UseMessageScheduler(new Uri("queue:{cluster}-message-scheduler"))</c>, for a bus configured without the registration API (or in
    /// <c>UsingRabbitMq</c>): consumers' <c>context.ScheduleSend</c> and the rest go to the nodes of cluster <paramref name="clusterName"/>.
    /// </summary>
    /// <param name="configurator">The bus configuration.</param>
    /// <param name="clusterName">The nodes' <c>Scheduler:ClusterName</c>. <value>Default <c>scheduler</c>.</value></param>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is not a valid cluster name.</exception>
    public static void UseSchedulerMessageScheduler(this IBusFactoryConfigurator configurator, string clusterName = SchedulerEndpoints.DefaultClusterName)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.UseMessageScheduler(Address(clusterName));
    }

    private static Uri Address(string clusterName) => SchedulerEndpoints.Address(new SchedulerEndpoints(clusterName).MessageScheduler);
}
