using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scheduler.MassTransit.Tests.Worker;

/// <summary>
/// Issue #18, item 2: MassTransit reconnects an endpoint whose connection dropped only once its handlers in flight return, and by default
/// waits for them forever (MassTransit #2072). <c>AddTaskReporting</c> and <c>AddSchedulerNode</c> bound that wait unless the application did.
/// </summary>
public sealed class StopTimeoutTests
{
    [Fact]
    public void AddTaskReporting_BoundsTheStopTimeout_To30Seconds()
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.AddTaskReporting();
            x.UsingInMemory();
        });

        using var provider = services.BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<MassTransitHostOptions>>().Value.StopTimeout);
        Assert.Equal(SchedulerRegistrationExtensions.DefaultStopTimeout, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void AddSchedulerNode_KeepsTheApplicationsOwnStopTimeout()
    {
        var services = new ServiceCollection();
        services.AddOptions<MassTransitHostOptions>().Configure(o => o.StopTimeout = TimeSpan.FromSeconds(7));
        services.AddMassTransit(x =>
        {
            x.AddSchedulerNode().UseInMemoryStore();
            x.UsingInMemory();
        });

        using var provider = services.BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(7), provider.GetRequiredService<IOptions<MassTransitHostOptions>>().Value.StopTimeout);
    }
}
