using System.Diagnostics;
using Scheduler.Core.Storage;
using Xunit.Abstractions;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Times claim + record round trips for batches of 500 on PostgreSQL (SERIALIZABLE, one node) and prints them. Not a benchmark and
/// asserts nothing about time: it only shows the order of magnitude (run with <c>--logger "console;verbosity=detailed"</c>).
/// </summary>
public sealed class ClaimThroughputMeasurement(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task ClaimAndRecord_BatchesOf500_OnPostgres()
    {
        const int batch = 500;
        const int batches = 40;
        var store = await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.Options);
        var seed = Stopwatch.StartNew();
        await SeedAsync(store, Enumerable.Range(0, batch * batches).Select(n => T0.AddMilliseconds(-n)).ToArray());
        seed.Stop();
        var claimTime = TimeSpan.Zero;
        var recordTime = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            var watch = Stopwatch.StartNew();
            var claimed = (await store.ClaimDueInstancesAsync(Claim("bench", T0, maxCount: batch))).Claimed;
            claimTime += watch.Elapsed;
            Assert.Equal(batch, claimed.Count);
            watch.Restart();
            var recorded = await store.RecordDispatchesAsync(new DispatchRecordRequest
            {
                Owner = "bench",
                Outcomes = claimed.Select(c => new DispatchOutcome(c.Instance.Id, c.Instance.Attempt, T0)).ToList(),
                QueueTimeout = TimeSpan.FromMinutes(10),
            });
            recordTime += watch.Elapsed;
            Assert.Equal(batch, recorded);
        }

        total.Stop();
        output.WriteLine($"seed {batch * batches} instances: {seed.ElapsedMilliseconds} ms; {batches} batches of {batch}: " +
            $"claim {claimTime.TotalMilliseconds / batches:F1} ms/batch, record {recordTime.TotalMilliseconds / batches:F1} ms/batch, " +
            $"{batch * batches / total.Elapsed.TotalSeconds:F0} instances/s claimed+recorded");
    }
}
