using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Tests;

public class RejectionTests
{
    public static TheoryData<ScheduleTask, string> BadCommands => new()
    {
        { new ScheduleTask { Trigger = "*/5 * * *" }, "'*/5 * * *' has 4 fields" },
        { new ScheduleTask { Trigger = "* * * * *", TimeZone = "Europe/Atlantis" }, "Unknown time zone 'Europe/Atlantis'" },
        { new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.FromSeconds(-1) }, "ExpireAfter -00:00:01 is out of range" },
        { new ScheduleTask { Trigger = "* * * * *", Metadata = new Dictionary<string, string> { ["k"] = "\0" } }, "NUL character" },
        { new ScheduleTask { Trigger = "0 0 31 2 *" }, "never fires" },
        { new ScheduleTask { Trigger = null! }, "Trigger is missing" },
    };

    [Theory]
    [MemberData(nameof(BadCommands))]
    public async Task BadScheduleTask_IsRejectedWithAReason_StoresNothing_AndTheConsumerKeepsWorking(ScheduleTask command, string expected)
    {
        await using var f = await BusFixture.StartAsync();

        var rejected = Assert.IsType<TaskRejected>(await f.ScheduleAsync(command));

        Assert.Contains(expected, rejected.Reason, StringComparison.Ordinal);
        Assert.Null(await f.Store.GetDefinitionAsync(rejected.TaskId!.Value));
        Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask { Trigger = "0 9 * * *" }));
    }

    [Fact]
    public async Task RequestClient_GetsTheRejectionAsAResponse()
    {
        await using var f = await BusFixture.StartAsync();
        var client = f.Harness.GetRequestClient<ScheduleTask>();

        var response = await client.GetResponse<TaskScheduled, TaskRejected>(new ScheduleTask { Trigger = "every blue moon" });

        Assert.True(response.Is(out Response<TaskRejected>? rejected));
        Assert.Contains("every blue moon", rejected!.Message.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedCommand_WithTheSameIdempotencyKey_CreatesOneTask()
    {
        await using var f = await BusFixture.StartAsync();
        var client = f.Harness.GetRequestClient<ScheduleTask>();
        var command = new ScheduleTask { Trigger = "0 9 * * *", IdempotencyKey = "invoice-42-reminder" };

        var first = await client.GetResponse<TaskScheduled>(command);
        var second = await client.GetResponse<TaskScheduled>(command);

        Assert.False(first.Message.AlreadyScheduled);
        Assert.True(second.Message.AlreadyScheduled);
        Assert.Equal(first.Message.TaskId, second.Message.TaskId);
        Assert.Equal(first.Message.NextFireTime, second.Message.NextFireTime);
    }

    [Fact]
    public async Task RedeliveredCommand_WithoutTaskId_CreatesOneTask()
    {
        await using var f = await BusFixture.StartAsync();
        var messageId = Guid.NewGuid();
        var command = new ScheduleTask { Trigger = "0 9 * * *" };

        // The second delivery comes after the first was stored, as a redelivery does (a duplicate within one batch is dropped by
        // MassTransit's batch collector and acknowledged with the batch).
        await f.Harness.Bus.Publish(command, c => c.MessageId = messageId);
        await BusFixture.Eventually(() => f.Recorder.Of<TaskScheduled>().Any(m => m.TaskId == messageId));
        await f.Harness.Bus.Publish(command, c => c.MessageId = messageId);

        await BusFixture.Eventually(() => f.Recorder.Of<TaskScheduled>().Count(m => m.TaskId == messageId) == 2);
        Assert.Single(f.Recorder.Of<TaskScheduled>(), m => m.TaskId == messageId && !m.AlreadyScheduled);
        Assert.NotNull(await f.Store.GetDefinitionAsync(messageId));
    }
}
