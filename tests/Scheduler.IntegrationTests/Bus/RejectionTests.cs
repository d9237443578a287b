using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scheduler.Contracts;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Issue #3, item 5: invalid ScheduleTask commands over RabbitMQ are rejected with a reason naming the value, store nothing, and
/// leave the consumer working.</summary>
public sealed class RejectionTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private static readonly (ScheduleTask Command, string Expected)[] BadCommands =
    [
        (new ScheduleTask { Trigger = "*/5 * * *" }, "'*/5 * * *' has 4 fields"),
        (new ScheduleTask { Trigger = "* * * * *" }, "DestinationQueue is missing"),
        (new ScheduleTask { Trigger = "every blue moon" }, "every blue moon"),
        (new ScheduleTask { Trigger = "* * * * *", TimeZone = "Europe/Atlantis" }, "Unknown time zone 'Europe/Atlantis'"),
        (new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.FromSeconds(-1) }, "ExpireAfter -00:00:01 is out of range"),
        (new ScheduleTask { Trigger = "* * * * *", Retry = new RetryPolicy { MaxAttempts = 0 } }, "MaxAttempts 0"),
        (new ScheduleTask { Trigger = "* * * * *", TriggerKind = (TriggerKind)99 }, "TriggerKind 99 is unknown"),
        (new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "billing reminders" }, "DestinationQueue 'billing reminders'"),
        (new ScheduleTask { Trigger = "* * * * *", Metadata = new Dictionary<string, string> { ["k"] = "\0" } }, "NUL character"),
        (new ScheduleTask { Trigger = "0 0 31 2 *" }, "never fires"),
        (new ScheduleTask { Trigger = "* * * * *", Overlap = (OverlapPolicy)9 }, "Overlap 9 is unknown"),
        (new ScheduleTask { Trigger = null! }, "Trigger is missing"),
    ];

    [Fact]
    public async Task BadScheduleTask_IsRejectedWithAReason_StoresNothing_AndTheConsumerKeepsWorking()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeAsync("node-a");
        var client = await bus.StartClientAsync();

        foreach (var (command, expected) in BadCommands)
        {
            var taskId = Guid.NewGuid();
            var response = await client.GetResponse<TaskScheduled, TaskRejected>(command with { TaskId = taskId, IdempotencyKey = "key-" + taskId });

            Assert.True(response.Is(out Response<TaskRejected>? rejected), $"'{expected}' was not rejected");
            Assert.Contains(expected, rejected!.Message.Reason, StringComparison.Ordinal);
            Assert.Equal(taskId, rejected.Message.TaskId);
            Assert.Equal("key-" + taskId, rejected.Message.IdempotencyKey);
        }

        Assert.Equal(0, await CountDefinitionsAsync());

        var valid = await BusServices.ScheduleAsync(client, new ScheduleTask { Trigger = "0 9 * * *", DestinationQueue = BusServices.WorkerQueue });
        Assert.False(valid.AlreadyScheduled);
        Assert.NotNull(await bus.Store.GetDefinitionAsync(valid.TaskId));
        Assert.Equal(1, await CountDefinitionsAsync());
    }

    [Fact]
    public async Task PublishedBadScheduleTask_IsAnsweredWithAPublishedTaskRejected()
    {
        await using var bus = new BusServices(environment, Output);
        var node = await bus.StartNodeAsync("node-a");
        await bus.StartClientAsync();
        var taskId = Guid.NewGuid();

        await node.Services.GetRequiredService<IBus>().Publish(new ScheduleTask { TaskId = taskId, Trigger = "at half past never" });

        await Wait.UntilAsync(() => bus.Recorder.Of<TaskRejected>().Any(r => r.TaskId == taskId), "the client receives the published TaskRejected");
        Assert.Contains("at half past never", bus.Recorder.Of<TaskRejected>().Single(r => r.TaskId == taskId).Reason, StringComparison.Ordinal);
        Assert.Null(await bus.Store.GetDefinitionAsync(taskId));
    }

    private async Task<long> CountDefinitionsAsync()
    {
        await using var connection = new NpgsqlConnection(environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM task_definitions", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
