using System.Diagnostics;
using Scheduler.Core.Storage;
using Xunit.Abstractions;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Times <see cref="IDefinitionStore.AddDefinitionsAsync"/> on PostgreSQL (SERIALIZABLE, one store) for batches of 1, 100, 1,000 and 10,000, one
/// caller and two concurrent callers, and prints them; batches of 100, 1,000 and 10,000 also through the CockroachDB dialect's multi-row
/// <c>INSERT</c>, beside PostgreSQL's binary <c>COPY</c>. Asserts nothing about time (run with <c>--logger "console;verbosity=detailed"</c>).
/// </summary>
public sealed class AddDefinitionsThroughputMeasurement(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    [Theory]
    [InlineData(1, 1, 500, false)]
    [InlineData(100, 1, 50, false)]
    [InlineData(100, 2, 50, false)]
    [InlineData(100, 1, 50, true)]
    [InlineData(1000, 1, 20, false)]
    [InlineData(1000, 2, 20, false)]
    [InlineData(1000, 1, 20, true)]
    [InlineData(1000, 2, 20, true)]
    [InlineData(10000, 1, 5, false)]
    [InlineData(10000, 1, 5, true)]
    public async Task AddDefinitions_OnPostgres(int batchSize, int callers, int batchesPerCaller, bool cockroachDialect)
    {
        var store = await StoreFactory.CreateEmptyAsync(database.ConnectionString,
            cockroachDialect ? PostgresDatabaseFixture.CockroachDialectOptions : PostgresDatabaseFixture.Options);
        await store.AddDefinitionAsync(Definition(nextFireTime: T0)); // warm-up

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var b = 0; b < batchesPerCaller; b++)
            {
                var results = await store.AddDefinitionsAsync(Enumerable.Range(0, batchSize).Select(_ => Definition(nextFireTime: T0)).ToList());
                Assert.All(results, r => Assert.False(r.AlreadyExisted));
            }
        })));
        watch.Stop();

        var definitions = batchSize * callers * batchesPerCaller;
        output.WriteLine($"{(cockroachDialect ? "CockroachDB dialect (multi-row INSERT)" : "PostgreSQL")}: batches of {batchSize}, {callers} caller(s): {definitions} definitions in {watch.ElapsedMilliseconds} ms = " +
            $"{definitions / watch.Elapsed.TotalSeconds:F0} definitions/s, {watch.Elapsed.TotalMilliseconds / (callers * batchesPerCaller):F1} ms per batch");
    }
}
