using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Scheduler.Core.Runtime;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #12, item 4: a node's readiness (the health checks tagged <c>ready</c>, served at <c>/health/ready</c>) covers the store, the bus,
/// the loops and the clock; real RabbitMQ and PostgreSQL.
/// </summary>
public sealed class HealthTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private static readonly string[] ReadyChecks =
        ["masstransit-bus", SchedulerHealthCheck.Name, LoopsHealthCheck.Name, StoreHealthCheck.Name, MassTransit.Endpoints.ReceiveEndpointsHealthCheck.Name];

    private static Task<HealthReport> ReadinessAsync(IHost node) =>
        node.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(SchedulerHealthCheck.ReadyTag));

    [Fact]
    public async Task Readiness_IsHealthy_WhenTheStoreAndTheBusAreUp()
    {
        await using var bus = new BusServices(environment, Output);
        var node = await bus.StartNodeAsync("node-up");

        HealthReport? report = null;
        await Wait.UntilAsync(async () => (report = await ReadinessAsync(node)).Status == HealthStatus.Healthy,
            "the node reports ready");

        Assert.Equal(ReadyChecks.Order(), report!.Entries.Keys.Order());
        Assert.All(report.Entries.Values, e => Assert.Equal(HealthStatus.Healthy, e.Status));
    }

    [Fact]
    public async Task Readiness_IsUnhealthyNamingTheStore_WhenThePostgresServerCannotBeReached()
    {
        await using var bus = new BusServices(environment, Output);
        // The node reaches its database through a forwarder, which is cut once the node runs: its database goes away.
        var database = new NpgsqlConnectionStringBuilder(environment.Database.ConnectionString);
        using var forwarder = new TcpForwarder(database.Host!, database.Port);
        var throughForwarder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = forwarder.Port, Timeout = 2 };
        var node = await bus.StartNodeAsync("node-no-store", connectionString: throughForwarder.ConnectionString, configureStore: o => o.MaxRetryCount = 1);
        await Wait.UntilAsync(async () => (await ReadinessAsync(node)).Status == HealthStatus.Healthy, "the node reports ready");
        // The database goes away on purpose: the node's loops log each store call that fails (Errors, and Warnings of the runner's lease and
        // record calls), and the health check its Unhealthy result.
        Logs.Allow(LogLevel.Error, "Scheduler.Core.Runtime.", "Failed to connect");
        Logs.Allow(LogLevel.Warning, "Scheduler.Core.Runtime.", "Failed to connect");
        Logs.Allow(LogLevel.Error, "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", "The task store cannot be reached");
        forwarder.Cut();

        var report = await ReadinessAsync(node);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        var store = report.Entries[StoreHealthCheck.Name];
        Assert.Equal(HealthStatus.Unhealthy, store.Status);
        Assert.Contains("The task store cannot be reached", store.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, report.Entries["masstransit-bus"].Status); // the broker is up: the store alone is blamed
    }
}
