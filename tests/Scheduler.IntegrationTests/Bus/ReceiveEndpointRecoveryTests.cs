using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Scheduler.Contracts;
using Scheduler.MassTransit;
using Scheduler.MassTransit.Endpoints;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #18, items 2 and 3, on real RabbitMQ: a worker service's connection to the broker is cut (through a TCP forwarder, so the shared
/// broker keeps running) while handlers run. Its readiness (<c>scheduler-endpoints</c>, registered by <c>AddTaskReporting</c>) says which
/// endpoint is not consuming, and the endpoint consumes again by itself once the broker can be reached — also when a handler ignores the
/// cancellation and never returns, which kept MassTransit from ever reconnecting the endpoint (MassTransit #2072) until it is bounded by
/// <c>MassTransitHostOptions.StopTimeout</c>.
/// </summary>
public sealed class ReceiveEndpointRecoveryTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    private const string Queue = "recovery-worker";

    [Fact]
    public async Task ConnectionCutWithAHandlerIgnoringCancellation_ReadinessNamesTheEndpoint_AndItConsumesAgainByItself()
    {
        var broker = environment.Broker;
        var forwarder = new TcpForwarder(broker.Uri.Host, broker.Uri.Port);
        var port = forwarder.Port;
        using var hang = new CancellationTokenSource();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Gate(hang.Token));
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.StopTimeout = TimeSpan.FromSeconds(5)); // the application's own bound
        builder.Services.AddMassTransit(x =>
        {
            x.AddTaskConsumer<StubbornConsumer>(Queue);
            x.AddTaskReporting();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host("127.0.0.1", (ushort)port, broker.VirtualHost, h =>
                {
                    h.Username(broker.Username);
                    h.Password(broker.Password);
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        using var worker = builder.Build();
        await worker.StartAsync();
        try
        {
            var readiness = worker.Services.GetRequiredService<HealthCheckService>();
            Task<HealthReport> ReadyAsync() => readiness.CheckHealthAsync(c => c.Tags.Contains("ready"));
            await Wait.UntilAsync(async () => (await ReadyAsync()).Entries[ReceiveEndpointsHealthCheck.Name].Status == HealthStatus.Healthy,
                "the worker's endpoint consumes");

            // A handler that ignores cancellation and never returns, running when the connection drops.
            var sender = await StartSenderAsync();
            await sender.Send(NewTaskDue());
            await Wait.UntilAsync(() => Gate.Running > 0, "the stubborn handler runs");
            forwarder.Cut();
            var cutAt = TimeProvider.System.GetUtcNow();

            HealthReport? report = null;
            await Wait.UntilAsync(async () => (report = await ReadyAsync()).Entries[ReceiveEndpointsHealthCheck.Name].Status == HealthStatus.Unhealthy,
                "readiness says the endpoint is not consuming");
            Assert.Contains(Queue, report!.Entries[ReceiveEndpointsHealthCheck.Name].Description, StringComparison.Ordinal);
            output.WriteLine(report.Entries[ReceiveEndpointsHealthCheck.Name].Description);

            using var restored = new TcpForwarder(broker.Uri.Host, broker.Uri.Port, port); // the broker can be reached again
            await Wait.UntilAsync(async () => (await ReadyAsync()).Entries[ReceiveEndpointsHealthCheck.Name].Status == HealthStatus.Healthy,
                "the endpoint consumes again by itself", TimeSpan.FromSeconds(90));
            output.WriteLine($"consuming again {(TimeProvider.System.GetUtcNow() - cutAt).TotalSeconds:F1} s after the cut; the stubborn handler still runs: {Gate.Running}");

            var next = NewTaskDue();
            await sender.Send(next);
            await Wait.UntilAsync(() => Gate.Seen.Contains(next.InstanceId), "a TaskDue sent after the recovery is consumed");
        }
        finally
        {
            await hang.CancelAsync();
            forwarder.Dispose();
            await worker.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
    }

    private async Task<ISendEndpoint> StartSenderAsync()
    {
        var broker = environment.Broker;
        var bus = global::MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(broker.Uri.Host, (ushort)broker.Uri.Port, broker.VirtualHost, h =>
        {
            h.Username(broker.Username);
            h.Password(broker.Password);
        }));
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        _senders.Add(bus);
        return await bus.GetSendEndpoint(new Uri($"queue:{Queue}"));
    }

    private readonly List<IBusControl> _senders = [];

    private static TaskDue NewTaskDue() => new()
    {
        TaskId = Guid.NewGuid(), InstanceId = Guid.NewGuid(), Attempt = 1, MaxAttempts = 1, FireTime = TimeProvider.System.GetUtcNow(),
        DueAt = TimeProvider.System.GetUtcNow(), ExpiresAt = TimeProvider.System.GetUtcNow().AddMinutes(10), ExpireAfter = TimeSpan.FromMinutes(5),
        Metadata = new Dictionary<string, string>(),
    };

    private sealed class Gate(CancellationToken hang)
    {
        public static int Running;

        public static readonly System.Collections.Concurrent.ConcurrentBag<Guid> Seen = [];

        public CancellationToken Hang => hang;
    }

    /// <summary>The first task it gets it runs until the test ends, ignoring the delivery's cancellation; the others it just records.</summary>
    private sealed class StubbornConsumer(Gate gate) : IConsumer<TaskDue>
    {
        public async Task Consume(ConsumeContext<TaskDue> context)
        {
            Gate.Seen.Add(context.Message.InstanceId);
            if (Interlocked.Increment(ref Gate.Running) == 1)
            {
                await Task.Delay(Timeout.Infinite, gate.Hang).ContinueWith(_ => { }, TaskScheduler.Default); // not context.CancellationToken
            }
        }
    }
}
