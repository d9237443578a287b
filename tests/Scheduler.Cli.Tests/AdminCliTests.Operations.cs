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
        Assert.Contains(show.Output, l => l.StartsWith("task", StringComparison.Ordinal) && l.EndsWith(acme.ToString(), StringComparison.Ordinal));
        Assert.Contains(show.Output, l => l.StartsWith("last error", StringComparison.Ordinal) && l.EndsWith("boom", StringComparison.Ordinal));
        Assert.Equal(SchedulerCli.InvalidInput, emptyRange.ExitCode);
        Assert.Contains("The fired range is empty", emptyRange.Error, StringComparison.Ordinal);
    }
}
