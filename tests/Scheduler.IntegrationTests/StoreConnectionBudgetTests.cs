using Npgsql;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// The store's database concurrency is bounded by construction (issue #8): however many operations a node starts at once, no more than
/// <see cref="EfTaskStoreOptions.MaxConnections"/> connections are open on the server, as PostgreSQL itself counts them.
/// </summary>
public sealed class StoreConnectionBudgetTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task HundredsOfConcurrentOperations_NeverOpenMoreConnectionsThanMaxConnections()
    {
        const int budget = 3;
        const string application = "scheduler-connection-budget";
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = application }.ConnectionString;
        // Read committed, as a node runs by default: 300 claimers at once at SERIALIZABLE would measure retries, not connections.
        var options = new EfTaskStoreOptions { Database = SchedulerDatabase.Postgres, MaxConnections = budget };
        var store = await StoreFactory.CreateEmptyAsync(connectionString, options);
        var (_, instances) = await SeedAsync(store, Enumerable.Range(0, 300).Select(n => T0.AddMilliseconds(n)).ToArray());

        var observed = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @app", connection);
            count.Parameters.AddWithValue("app", application);
            while (!done.IsCancellationRequested)
            {
                observed = Math.Max(observed, (int)(long)(await count.ExecuteScalarAsync())!);
            }
        });

        // 600 operations at once, as a backlog of saga events, claims and reads would start them.
        var reads = instances.Select(i => store.GetInstanceAsync(i.Id));
        var claims = Enumerable.Range(0, 300).Select(n => store.ClaimDueInstancesAsync(Claim($"node-{n % 7}", T0.AddSeconds(1), maxCount: 1)));
        var results = await Task.WhenAll(reads);
        var claimed = (await Task.WhenAll(claims)).Sum(c => c.Claimed.Count);
        await done.CancelAsync();
        await sampler;

        Assert.All(results, Assert.NotNull);
        Assert.Equal(300, claimed); // every operation completed: waiting for a slot is not failing
        Assert.InRange(observed, 1, budget);
    }
}
