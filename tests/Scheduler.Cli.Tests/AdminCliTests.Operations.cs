using System.Text.Json;
using Scheduler.Contracts;
using Scheduler.TestSupport;

namespace Scheduler.Cli.Tests;

/// <summary>Issue #20: <c>scheduler tasks create</c>, <c>scheduler instances list</c> by filter and <c>scheduler instances show</c>.</summary>
public sealed partial class AdminCliTests
{
    [Fact]
    public async Task TasksCreate_CreatesATaskThroughTheApi_Idempotently_AndPrintsTheRefusalNamingTheField()
    {
        await using var node = await AdminTestNode.StartAsync(Ops);
        string[] create = ["tasks", "create", "--trigger", "0 9 * * *", "--tz", "Europe/Berlin", "--queue", "reports", "--payload", "{\"r\":1}",
            "--meta", "tenant=acme", "--meta", "team=ops", "--max-attempts", "4", "--expire-after", "00:02:00", "--idempotency-key", "daily-acme", "--api-key", OpsKey];

        var created = await RunAsync(node, create);
        var again = await RunAsync(node, create);
        var badZone = await RunAsync(node, "tasks", "create", "--trigger", "0 9 * * *", "--tz", "Mars/Olympus_Mons", "--api-key", OpsKey);
        var badMeta = await RunAsync(node, "tasks", "create", "--trigger", "0 9 * * *", "--meta", "tenant", "--api-key", OpsKey);
        var noKey = await RunAsync(node, "tasks", "create", "--trigger", "0 9 * * *");

        Assert.Equal((0, ""), (created.ExitCode, created.Error));
        var id = Guid.Parse(Assert.Single(created.Output).Split(' ')[2].TrimEnd(','));
        Assert.StartsWith($"created task {id}, next fire time ", created.Output[0], StringComparison.Ordinal);
        Assert.Equal([$"scheduled already: task {id} (nothing created)"], again.Output);
        var task = (await node.Scheduling.GetAsync(id))!;
        Assert.Equal(("0 9 * * *", "Europe/Berlin", "reports", "{\"r\":1}", "acme", "ops", 4, TimeSpan.FromMinutes(2), "daily-acme"),
            (task.Trigger, task.TimeZone, task.DestinationQueue, task.Payload, task.Metadata["tenant"], task.Metadata["team"], task.Retry.MaxAttempts,
                task.ExpireAfter, task.IdempotencyKey));
        Assert.Equal(SchedulerCli.InvalidInput, badZone.ExitCode);
        Assert.Contains("Mars/Olympus_Mons", badZone.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, badMeta.ExitCode);
        Assert.Contains("--meta 'tenant' is not key=value", badMeta.Error, StringComparison.Ordinal);
        Assert.Equal(SchedulerCli.AccessDenied, noKey.ExitCode);
        Assert.Single((await node.Scheduling.ListAsync(new ListTasks())).Tasks);
    }

    [Fact]
    public async Task InstancesList_FiltersTheInstancesOfEveryTask_AndInstancesShowPrintsOne()
    {
        await using var node = await AdminTestNode.StartAsync();
        var acme = await ScheduleAsync(node, "0 9 1 1 *", "acme");
        var globex = (await node.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = "0 9 1 1 *", DestinationQueue = "billing", Metadata = new Dictionary<string, string> { ["tenant"] = "globex" },
        })).TaskId;
        var at = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var acmeDead = await node.AddDeadLetterAsync(acme, at, "System.InvalidOperationException: boom");
        var globexDead = await node.AddDeadLetterAsync(globex, at.AddHours(1), "System.InvalidOperationException: boom");

        var all = await RunAsync(node, "instances", "list", "--state", "Failed");
        var byQueue = await RunAsync(node, "instances", "list", "--queue", "billing");
        var byMeta = await RunAsync(node, "instances", "list", "--meta", "tenant=acme", "--state", "Failed");
        var byTask = await RunAsync(node, "instances", "list", "--task", globex.ToString(), "--json");
        var byTime = await RunAsync(node, "instances", "list", "--fired-since", "2025-01-01T09:30:00Z", "--fired-until", "2025-01-01T11:00:00Z");
        var byFinish = await RunAsync(node, "instances", "list", "--finished-until", "2025-01-01T09:30:00Z");
        var show = await RunAsync(node, "instances", "show", acmeDead.ToString());
        var emptyRange = await RunAsync(node, "instances", "list", "--fired-since", "2025-01-02T00:00:00Z", "--fired-until", "2025-01-01T00:00:00Z");

        Assert.Equal((0, ""), (all.ExitCode, all.Error));
        Assert.Equal(["INSTANCE", "TASK", "FIRE", "TIME", "(UTC)", "STATE", "ATTEMPT", "FINISHED", "(UTC)", "LAST", "ERROR"], all.Output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal([globexDead, acmeDead], all.Output.Skip(1).Select(l => Guid.Parse(l[..36])));
        Assert.Contains($"{globexDead}  {globex}  2025-01-01T10:00:00Z  Failed", all.Output[1], StringComparison.Ordinal);
        Assert.Equal([globexDead], byQueue.Output.Skip(1).Select(l => Guid.Parse(l[..36])));
        Assert.Equal([acmeDead], byMeta.Output.Skip(1).Select(l => Guid.Parse(l[..36])));
        Assert.Equal(globexDead, JsonDocument.Parse(string.Join('\n', byTask.Output)).RootElement.GetProperty("instances")[0].GetProperty("instance").GetProperty("instanceId").GetGuid());
        Assert.Equal([globexDead], byTime.Output.Skip(1).Select(l => Guid.Parse(l[..36])));
        Assert.Equal([acmeDead], byFinish.Output.Skip(1).Select(l => Guid.Parse(l[..36])));
        Assert.StartsWith($"instance {acmeDead} of task {acme}: Failed", show.Output[0], StringComparison.Ordinal);
        Assert.EndsWith("boom", show.Output[0], StringComparison.Ordinal); // its last error
        Assert.Equal(SchedulerCli.InvalidInput, emptyRange.ExitCode);
        Assert.Contains("The fired range is empty", emptyRange.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstancesDeleteAndRetryMatching_ActOnTheFilter_APageAtATime_OrAllWithAll()
    {
        await using var node = await AdminTestNode.StartAsync(Ops);
        var acme = await ScheduleAsync(node, "0 9 1 1 *", "acme");
        var globex = await ScheduleAsync(node, "0 9 1 1 *", "globex");
        var at = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var acmeDead = new[] { await node.AddDeadLetterAsync(acme, at, "boom"), await node.AddDeadLetterAsync(acme, at.AddHours(1), "boom"), await node.AddDeadLetterAsync(acme, at.AddHours(2), "boom") };
        var globexDead = await node.AddDeadLetterAsync(globex, at, "boom");
        var waiting = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = globex, FireTime = at.AddHours(3), Status = TaskInstanceState.Scheduled, Attempt = 1,
            DueAt = TimeProvider.System.GetUtcNow().AddHours(1), ExpireAfter = TimeSpan.FromMinutes(5),
            Retry = (await node.Store.GetDefinitionAsync(globex))!.Retry, LastError = "System.Exception: boom",
        };
        Assert.True((await node.Store.AddInstanceAsync(waiting)).Added);

        var one = await RunAsync(node, "instances", "delete-matching", "--task", acme.ToString(), "--limit", "1", "--api-key", OpsKey);
        var rest = await RunAsync(node, "instances", "delete-matching", "--meta", "tenant=acme", "--limit", "1", "--all", "--api-key", OpsKey);
        var retry = await RunAsync(node, "instances", "retry-matching", "--task", globex.ToString(), "--api-key", OpsKey);
        var refused = await RunAsync(node, "instances", "retry-matching", "--state", "Failed", "--api-key", OpsKey);
        var noKey = await RunAsync(node, "instances", "delete-matching");

        Assert.Equal((0, ""), (one.ExitCode, one.Error));
        Assert.Equal([$"deleted {acmeDead[2]}", "1 deleted, 0 left alone; more match: add --all to go on"], one.Output);
        Assert.Equal([$"deleted {acmeDead[1]}", $"deleted {acmeDead[0]}", "2 deleted, 0 left alone"], rest.Output);
        Assert.Equal([$"due now {waiting.Id}", "1 due now, 0 left alone"], retry.Output);
        Assert.Equal(SchedulerCli.InvalidInput, refused.ExitCode);
        Assert.Contains("State Failed cannot be retried now", refused.Error, StringComparison.Ordinal);
        Assert.Equal(SchedulerCli.AccessDenied, noKey.ExitCode);
        Assert.Empty(await node.Store.GetInstancesAsync(acme));
        Assert.NotNull(await node.Store.GetInstanceAsync(globexDead));
    }
}
