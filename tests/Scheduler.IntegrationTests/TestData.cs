using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.IntegrationTests;

/// <summary>Builders of definitions, instances and plans. Instants are whole seconds, so every engine stores them exactly.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static TaskDefinition Definition(DateTimeOffset? nextFireTime = null, string? idempotencyKey = null, Guid? id = null,
        DateTimeOffset? createdAt = null, string destinationQueue = "reports") => new()
    {
        Id = id ?? Guid.NewGuid(),
        TriggerKind = TriggerKind.Cron,
        Trigger = "*/5 * * * *",
        TimeZoneId = "Europe/Amsterdam",
        StartAt = T0.AddDays(-1),
        Metadata = new Dictionary<string, string> { ["tenant"] = "acme", ["kind"] = "report" },
        Payload = "{\"x\":1}",
        ExpireAfter = TimeSpan.FromMinutes(2),
        Retry = new RetryPolicy { MaxAttempts = 4, InitialBackoff = TimeSpan.FromSeconds(3), Jitter = false },
        Misfire = MisfirePolicy.Skip,
        Jitter = TimeSpan.FromMilliseconds(1500),
        EndAt = T0.AddYears(1),
        MaxOccurrences = 50_000,
        LastFireTime = T0.AddMonths(6),
        DestinationQueue = destinationQueue,
        IdempotencyKey = idempotencyKey,
        CreatedAt = createdAt ?? T0.AddHours(-1),
        NextFireTime = nextFireTime,
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };

    public static TaskInstance Instance(TaskDefinition definition, DateTimeOffset fireTime) => new()
    {
        Id = Guid.NewGuid(),
        DefinitionId = definition.Id,
        FireTime = fireTime,
        Status = TaskInstanceState.Scheduled,
        DueAt = fireTime,
        ExpireAfter = definition.ExpireAfter,
        Retry = definition.Retry,
    };

    /// <summary>A plan that inserts one instance per fire time and then stops the definition (no next fire time).</summary>
    public static MaterializeRequest Materialize(DateTimeOffset now, Func<TaskDefinition, MaterializePlan> plan, int maxDefinitions = 100) => new()
    {
        Now = now,
        Horizon = now.AddSeconds(10),
        MaxDefinitions = maxDefinitions,
        Plan = (definition, _) => plan(definition),
    };

    public static ClaimRequest Claim(string owner, DateTimeOffset now, int maxCount = 100, TimeSpan? window = null) => new()
    {
        Owner = owner,
        Now = now,
        Horizon = now + (window ?? TimeSpan.FromSeconds(10)),
        LeaseDuration = TimeSpan.FromSeconds(30),
        MaxCount = maxCount,
    };

    /// <summary>Stores a definition and materializes one scheduled instance per due time for it.</summary>
    public static async Task<(TaskDefinition Definition, IReadOnlyList<TaskInstance> Instances)> SeedAsync(ITaskStore store,
        params DateTimeOffset[] dueTimes)
    {
        var definition = Definition(nextFireTime: T0.AddYears(-1));
        await store.AddDefinitionAsync(definition);
        var instances = dueTimes.Select(t => Instance(definition, t)).ToList();
        await store.MaterializeDueDefinitionsAsync(Materialize(T0,
            d => d.Id == definition.Id ? new MaterializePlan(instances, null) : new MaterializePlan([], d.NextFireTime), maxDefinitions: 10_000));
        return (definition, instances);
    }
}
