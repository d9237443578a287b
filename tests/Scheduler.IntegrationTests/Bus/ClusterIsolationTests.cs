using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Safe multi-application deployment (issue #11, item 2) over RabbitMQ and PostgreSQL: two clusters on one virtual host each get their own
/// commands; a node refuses a database of another cluster name, and a database other than the one its cluster's queues serve.
/// </summary>
public sealed class ClusterIsolationTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private const int TasksPerCluster = 20;

    [Fact]
    public Task TwoClustersOnOneVirtualHost_EachGetsAllOfItsOwnCommands_AndNoneOfTheOthers() => WithDatabaseAsync(async betaDatabase =>
    {
        await using var alpha = new BusServices(environment, Output, clusterName: "alpha");
        await using var beta = new BusServices(environment, Output, clusterName: "beta", connectionString: betaDatabase);
        await Task.WhenAll(alpha.StartNodeAsync("alpha-1"), alpha.StartNodeAsync("alpha-2"), beta.StartNodeAsync("beta-1"), beta.StartNodeAsync("beta-2"));
        var alphaClient = await alpha.StartClientAsync();
        var betaClient = await beta.StartClientAsync();
        var later = Once.FromNow(TimeSpan.FromHours(1)); // nothing fires: this is about who takes the commands

        var alphaTasks = await Task.WhenAll(Enumerable.Range(0, TasksPerCluster).Select(_ => BusServices.ScheduleAsync(alphaClient, Once.At(later))));
        var betaTasks = await Task.WhenAll(Enumerable.Range(0, TasksPerCluster).Select(_ => BusServices.ScheduleAsync(betaClient, Once.At(later))));

        foreach (var task in alphaTasks)
        {
            Assert.NotNull(await alpha.Store.GetDefinitionAsync(task.TaskId));
            Assert.Null(await beta.Store.GetDefinitionAsync(task.TaskId));
        }

        foreach (var task in betaTasks)
        {
            Assert.NotNull(await beta.Store.GetDefinitionAsync(task.TaskId));
            Assert.Null(await alpha.Store.GetDefinitionAsync(task.TaskId));
        }

        // The symptom: a cancel answered "not found" by the other application's node while the task kept firing.
        var cancel = alpha.ClientServices.GetRequiredService<IRequestClient<CancelTask>>();
        var answers = await Task.WhenAll(alphaTasks.Select(t => cancel.GetResponse<TaskCancelled>(new CancelTask { TaskId = t.TaskId })));
        Assert.All(answers, a => Assert.True(a.Message.Found, $"alpha's node found task {a.Message.TaskId}"));
    });

    [Fact]
    public Task Node_RefusesToStart_WhenItsDatabaseBelongsToAnotherCluster() => WithDatabaseAsync(async database =>
    {
        await StartAndStopNodeAsync("orders", database);

        await using var second = new BusServices(environment, Output, clusterName: "billing", connectionString: database);
        // The node's start fails on purpose: the host logs that at Error, and MassTransit a Warning that it cannot stop the bus that never started.
        Logs.Allow(LogLevel.Error, "Microsoft.Extensions.Hosting.Internal.Host", "ClusterMismatchException");
        Logs.Allow(LogLevel.Warning, "MassTransit", "(Not Started)");
        var refusal = await Assert.ThrowsAsync<ClusterMismatchException>(() => second.StartNodeAsync("billing-1"));
        Assert.Contains("belongs to cluster 'orders'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("configured for cluster 'billing'", refusal.Message, StringComparison.Ordinal);
    });

    [Fact]
    public Task HostProcess_Exits2NamingBothClusters_WhenItsDatabaseBelongsToAnotherCluster() => WithDatabaseAsync(async database =>
    {
        await StartAndStopNodeAsync("shipping", database);

        var exit = await ServiceProcess.RunNodeToExitAsync(NodeSettings(database, "returns"), TimeSpan.FromMinutes(4)); // generous: a loaded CI machine starts processes slowly

        Assert.True(exit.ExitCode == 2, $"exit code {exit.ExitCode}, expected 2:\n{exit.Output}");
        var line = Assert.Single(exit.Lines, l => l.StartsWith("Scheduler node cannot start: ", StringComparison.Ordinal));
        Assert.Contains("belongs to cluster 'shipping'", line, StringComparison.Ordinal);
        Assert.Contains("configured for cluster 'returns'", line, StringComparison.Ordinal);
        Assert.DoesNotContain(exit.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    });

    [Fact]
    public async Task HostProcess_Exits2_WhenItsClustersQueuesServeAnotherDatabase()
    {
        var first = new PostgresDatabaseFixture();
        var second = new PostgresDatabaseFixture();
        await Task.WhenAll(first.InitializeAsync(), second.InitializeAsync());
        try
        {
            // The first database's node marks the cluster's queues; a node of the same cluster name on another database must not take them.
            await using (var node = await ServiceProcess.StartNodeAsync(environment.Broker.Uri, first.ConnectionString, "stock-1",
                BusServices.NodeProcessSettings(new() { ["Scheduler__ClusterName"] = "stock" })))
            {
                await node.KillAsync();
            }

            var exit = await ServiceProcess.RunNodeToExitAsync(NodeSettings(second.ConnectionString, "stock"), TimeSpan.FromMinutes(4)); // generous: a loaded CI machine starts processes slowly

            Assert.True(exit.ExitCode == 2, $"exit code {exit.ExitCode}, expected 2:\n{exit.Output}");
            var line = Assert.Single(exit.Lines, l => l.StartsWith("Scheduler node cannot start: ", StringComparison.Ordinal));
            Assert.Contains("The queues of cluster 'stock'", line, StringComparison.Ordinal);
            Assert.Contains("serve another database", line, StringComparison.Ordinal);
            Assert.Contains("stock-identity", line, StringComparison.Ordinal);
        }
        finally
        {
            await Task.WhenAll(first.DisposeAsync(), second.DisposeAsync());
        }
    }

    /// <summary>Runs <paramref name="test"/> with the connection string of a fresh database of its own, dropped afterwards.</summary>
    private static async Task WithDatabaseAsync(Func<string, Task> test)
    {
        var database = new PostgresDatabaseFixture();
        await database.InitializeAsync();
        try
        {
            await test(database.ConnectionString);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>Starts and stops a node of <paramref name="clusterName"/> on <paramref name="database"/>, which records the cluster name there.</summary>
    private async Task StartAndStopNodeAsync(string clusterName, string database)
    {
        await using var first = new BusServices(environment, Output, clusterName: clusterName, connectionString: database);
        await first.StartNodeAsync(clusterName + "-1");
    }

    private Dictionary<string, string> NodeSettings(string connectionString, string clusterName) => BusServices.NodeProcessSettings(new(StringComparer.Ordinal)
    {
        ["Transport__Kind"] = "RabbitMq",
        ["Transport__RabbitMq__Uri"] = environment.Broker.Uri.ToString(),
        ["Store__Kind"] = "Postgres",
        ["Store__ConnectionString"] = connectionString,
        ["Scheduler__ClusterName"] = clusterName,
        ["Host__StartTimeout"] = "00:00:30",
    });
}
