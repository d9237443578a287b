using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Tests.MessageScheduling;

public class ScheduledMessageDeliveryTests
{
    /// <summary>The fixture's node also runs <c>AddTaskReporting</c> (an embedded node that is a worker too): the delivery endpoint's own
    /// reporting filter and the one <c>AddTaskReporting</c> puts on every endpoint must report each delivery once, not twice.</summary>
    [Fact]
    public async Task ScheduleSend_IsDeliveredAtItsFireTime_AndReportedOnce_WhenTheNodeAlsoRunsTaskReporting()
    {
        await using var f = await BusFixture.StartAsync(configure: x => x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = "pings"));
        var scheduler = f.Harness.Bus.CreateMessageScheduler(SchedulerEndpoints.Address(SchedulerEndpoints.Default.MessageScheduler));

        var scheduled = await scheduler.ScheduleSend(new Uri("queue:pings"), BusFixture.Start.AddSeconds(5).UtcDateTime, new Ping { Text = "ping" });
        await BusFixture.Eventually(() => f.Runner.HeldCount == 1, "the runner claims the scheduled message's instance");
        f.Time.Advance(TimeSpan.FromSeconds(5));
        var completed = await f.WaitForInstanceAsync(scheduled.TokenId, i => i.Status == TaskInstanceState.Completed);

        await BusFixture.Eventually(() => f.Recorder.Of<Ping>().Any(p => p.Text == "ping"), "the message arrives at its destination");
        Assert.Equal(BusFixture.Start.AddSeconds(5), completed.FireTime);
        Assert.Single(f.Harness.Published.Select<TaskReportBatch>().SelectMany(m => m.Context.Message.Completed), c => c.InstanceId == completed.Id);
    }
}

public sealed record Ping
{
    public required string Text { get; init; }
}

internal sealed class PingConsumer(Recorder recorder) : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context)
    {
        recorder.Add(context.Message);
        return Task.CompletedTask;
    }
}
