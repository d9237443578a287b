using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using Xunit.Abstractions;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>Several nodes (stores with their own connections) claiming and materializing the same rows at once.</summary>
public abstract class StoreConcurrencyTests(ITestOutputHelper output)
{
    private readonly SerializationFailureCounter _failures = new();

    protected abstract int Workers { get; }

    protected abstract string ConnectionString { get; }

    protected abstract EfTaskStoreOptions CreateOptions();

    [Fact]
    public async Task ConcurrentClaimers_ClaimEachInstanceExactlyOnce()
    {
        var seeder = await CreateEmptyStoreAsync();
        var dueTimes = Enumerable.Range(0, 2000).Select(n => T0.AddMilliseconds(-n)).ToArray();
        var (_, instances) = await SeedAsync(seeder, dueTimes);
        var claims = new ConcurrentBag<(string Owner, Guid Id, int Attempt)>();

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var store = StoreFactory.Create(ConnectionString, CreateOptions());
            var owner = $"node-{w}";
            while (true)
            {
                var batch = (await store.ClaimDueInstancesAsync(Claim(owner, T0, maxCount: 50))).Claimed;
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var claim in batch)
                {
                    claims.Add((owner, claim.Instance.Id, claim.Instance.Attempt));
                }
            }
        })));

        output.WriteLine($"{Workers} claimers: {claims.Count} claims, {claims.Select(c => c.Owner).Distinct().Count()} owners, " +
            $"{_failures.Count} serialization failures retried");
        Assert.Equal(instances.Count, claims.Count);
        Assert.Equal(instances.Select(i => i.Id).Order(), claims.Select(c => c.Id).Order());
        Assert.All(claims, c => Assert.Equal(1, c.Attempt));
        Assert.Empty((await seeder.ClaimDueInstancesAsync(Claim("late", T0))).Claimed);
    }

    [Fact]
    public async Task ConcurrentMaterializers_CreateEachOccurrenceOnce()
    {
        var seeder = await CreateEmptyStoreAsync();
        const int definitions = 200;
        for (var n = 0; n < definitions; n++)
        {
            await seeder.AddDefinitionAsync(Definition(nextFireTime: T0.AddSeconds(-20).AddMilliseconds(n)));
        }

        // 30 occurrences one second apart from the next fire time; the next one lies beyond the horizon.
        static MaterializePlan Plan(TaskDefinition d)
        {
            var fireTimes = Enumerable.Range(0, 30).Select(k => d.NextFireTime!.Value.AddSeconds(k)).ToList();
            return new MaterializePlan(fireTimes.Select(t => Instance(d, t)).ToList(), T0.AddMinutes(1));
        }

        var results = new ConcurrentBag<MaterializeResult>();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            var store = StoreFactory.Create(ConnectionString, CreateOptions());
            while (true)
            {
                var result = await store.MaterializeDueDefinitionsAsync(Materialize(T0, Plan, maxDefinitions: 20));
                results.Add(result);
                if (result.Definitions == 0)
                {
                    return;
                }
            }
        })));

        output.WriteLine($"{Workers} materializers: {results.Count} batches, {_failures.Count} serialization failures retried");
        Assert.Equal(definitions, results.Sum(r => r.Definitions));
        Assert.Equal(definitions * 30, results.Sum(r => r.Instances));
        var claimed = (await seeder.ClaimDueInstancesAsync(Claim("check", T0.AddSeconds(10), maxCount: 10_000, window: TimeSpan.Zero))).Claimed;
        Assert.Equal(definitions * 30, claimed.Count);
        Assert.Equal(definitions * 30, claimed.Select(c => (c.Instance.DefinitionId, c.Instance.FireTime)).Distinct().Count());
    }

    /// <summary>The same command delivered to several nodes at once (a client retry, a redelivery): one definition is stored, and every
    /// other writer is answered with it, whichever way the database reports the conflict (unique violation or serialization failure).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentAdds_OfOneIdempotencyKeyOrId_StoreOneDefinitionAndAnswerItToAll(bool sameKey)
    {
        var seeder = await CreateEmptyStoreAsync();
        var sharedId = Guid.NewGuid();
        var stores = Enumerable.Range(0, Workers).Select(_ => StoreFactory.Create(ConnectionString, CreateOptions())).ToList();
        using var start = new Barrier(Workers);

        var results = await Task.WhenAll(stores.Select(store => Task.Run(() =>
        {
            start.SignalAndWait();
            return store.AddDefinitionAsync(sameKey ? Definition(idempotencyKey: "same-key") : Definition(id: sharedId));
        })));

        Assert.Single(results, r => !r.AlreadyExisted);
        Assert.Single(results.Select(r => r.Definition.Id).Distinct());
        Assert.NotNull(await seeder.GetDefinitionAsync(results[0].Definition.Id));
    }

    /// <summary>Nodes storing batches of commands whose idempotency keys overlap (each key is in two neighbouring batches): each key is stored
    /// once, and every batch that carried it is answered with that one definition.</summary>
    [Fact]
    public async Task ConcurrentBatches_WithOverlappingKeys_StoreEachKeyOnce()
    {
        var seeder = await CreateEmptyStoreAsync();
        const int perBatch = 200;
        var stores = Enumerable.Range(0, Workers).Select(_ => StoreFactory.Create(ConnectionString, CreateOptions())).ToList();
        using var start = new Barrier(Workers);

        var results = await Task.WhenAll(stores.Select((store, w) => Task.Run(() =>
        {
            var batch = Enumerable.Range(w * perBatch / 2, perBatch).Select(n => Definition(nextFireTime: T0, idempotencyKey: $"batch-{n}")).ToList();
            start.SignalAndWait();
            return store.AddDefinitionsAsync(batch);
        })));

        var all = results.SelectMany(r => r).ToList();
        var keys = all.Select(r => r.Definition.IdempotencyKey).Distinct().Count();
        output.WriteLine($"{Workers} batches of {perBatch}: {keys} keys, {_failures.Count} serialization failures retried");
        Assert.Equal(keys, all.Count(r => !r.AlreadyExisted));
        Assert.All(all.GroupBy(r => r.Definition.IdempotencyKey), g => Assert.Single(g.Select(r => r.Definition.Id).Distinct()));
        Assert.All(all.Where(r => !r.AlreadyExisted), r => Assert.Equal(1, r.Definition.Version));
        Assert.NotNull(await seeder.GetDefinitionAsync(all[^1].Definition.Id));
    }

    /// <summary>A node that finds the broker serving another database leaves at once, deleting the cluster row it inserted while no task
    /// exists; nodes joining meanwhile must still learn the owner (a join read no row and crashed the node: "Sequence contains no elements").</summary>
    [Fact]
    public async Task NodesJoiningWhileOthersJoinAndLeaveAtOnce_EachLearnTheOwner()
    {
        await CreateEmptyStoreAsync();
        var joins = 0;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var store = StoreFactory.Create(ConnectionString, CreateOptions());
            for (var round = 0; round < 25; round++)
            {
                var identity = await store.JoinClusterAsync("scheduler", T0);
                Assert.Equal("scheduler", identity.ClusterName);
                Interlocked.Increment(ref joins);
                await store.LeaveClusterAsync(identity);
            }
        })));

        output.WriteLine($"{Workers} nodes: {joins} joins, each followed by a leave; {_failures.Count} serialization failures retried");
        Assert.Equal(Workers * 25, joins);
    }

    private async Task<EfTaskStore<SchedulerDbContext>> CreateEmptyStoreAsync() => await StoreFactory.CreateEmptyAsync(ConnectionString, CreateOptions());

    protected EfTaskStoreOptions WithFailureCounter(EfTaskStoreOptions options)
    {
        options.ConfigureDbContext = builder => builder.AddInterceptors(_failures);
        return options;
    }

    /// <summary>Counts commands that failed with SQLSTATE 40001 (each one is retried by the execution strategy).</summary>
    private sealed class SerializationFailureCounter : DbCommandInterceptor
    {
        private int _count;

        public int Count => _count;

        public override void CommandFailed(DbCommand command, CommandErrorEventData eventData)
        {
            Count40001(eventData.Exception);
        }

        public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Count40001(eventData.Exception);
            return Task.CompletedTask;
        }

        private void Count40001(Exception exception)
        {
            if (exception is PostgresException { SqlState: "40001" })
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}

/// <summary>PostgreSQL at its default isolation, ReadCommitted (what users run): row locks and <c>SKIP LOCKED</c> alone keep claimers apart.</summary>
public sealed class PostgresReadCommittedConcurrencyTests(PostgresDatabaseFixture database, ITestOutputHelper output)
    : StoreConcurrencyTests(output), IClassFixture<PostgresDatabaseFixture>
{
    protected override int Workers => 8;

    protected override string ConnectionString => database.ConnectionString;

    protected override EfTaskStoreOptions CreateOptions() => WithFailureCounter(PostgresDatabaseFixture.OptionsAt(IsolationLevel.ReadCommitted));
}

/// <summary>PostgreSQL at Serializable (CockroachDB's only level): conflicts fail with 40001 and are retried.</summary>
public sealed class PostgresSerializableConcurrencyTests(PostgresDatabaseFixture database, ITestOutputHelper output)
    : StoreConcurrencyTests(output), IClassFixture<PostgresDatabaseFixture>
{
    protected override int Workers => 8;

    protected override string ConnectionString => database.ConnectionString;

    protected override EfTaskStoreOptions CreateOptions() => WithFailureCounter(PostgresDatabaseFixture.OptionsAt(IsolationLevel.Serializable));
}

/// <summary>The CockroachDB dialect's claims (<c>FOR UPDATE</c>, no <c>SKIP LOCKED</c>: concurrent claimers conflict and retry on 40001) on PostgreSQL.</summary>
public sealed class CockroachDialectOnPostgresConcurrencyTests(PostgresDatabaseFixture database, ITestOutputHelper output)
    : StoreConcurrencyTests(output), IClassFixture<PostgresDatabaseFixture>
{
    protected override int Workers => 8;

    protected override string ConnectionString => database.ConnectionString;

    protected override EfTaskStoreOptions CreateOptions() => WithFailureCounter(PostgresDatabaseFixture.CockroachDialectOptions);
}

public sealed class SqliteConcurrencyTests(SqliteDatabaseFixture database, ITestOutputHelper output)
    : StoreConcurrencyTests(output), IClassFixture<SqliteDatabaseFixture>
{
    protected override int Workers => 4;

    protected override string ConnectionString => database.ConnectionString;

    protected override EfTaskStoreOptions CreateOptions() => SqliteDatabaseFixture.Options;
}
