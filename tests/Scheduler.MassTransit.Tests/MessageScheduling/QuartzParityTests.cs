using MassTransit;
using MassTransit.Scheduling;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.MassTransit.MessageScheduling;

namespace Scheduler.MassTransit.Tests.MessageScheduling;

/// <summary>
/// Issue #23, item 7, on the in-memory harness and fake time (the fixture's clock starts at 2025-01-01 12:00Z): what MassTransit's Quartz
/// integration does that a node must do alike. A <c>ScheduleSend</c> under an existing token replaces the pending message; every delivery
/// carries <c>MT-Scheduling-TokenId</c> and the <c>MT-Quartz-*</c> headers; a recurring schedule first fires at the first cron time at or
/// after its <c>StartTime</c>. The same over RabbitMQ: <c>Scheduler.IntegrationTests.Bus.MessageSchedulerTests</c>.
/// </summary>
public class QuartzParityTests
{
    private static readonly Uri Stamps = new("queue:stamps");

    [Fact]
    public async Task OneOffDelivery_CarriesTheTokenAndQuartzsHeaders()
    {
        await using var f = await StartAsync();
        var scheduler = Scheduler(f);

        var scheduled = await scheduler.ScheduleSend(Stamps, BusFixture.Start.AddSeconds(5).UtcDateTime, new Stamp { Text = "one-off" });
        var stamp = await DeliverAsync(f, "one-off", TimeSpan.FromSeconds(5));

        Assert.Equal(scheduled.TokenId, stamp.TokenId);
        Assert.Equal((BusFixture.Start.AddSeconds(5), BusFixture.Start.AddSeconds(5)), (stamp.Scheduled, stamp.Sent));
        Assert.Equal((null, null), (stamp.NextScheduled, stamp.PreviousSent));
        Assert.Equal((scheduled.TokenId.ToString("N"), "DEFAULT"), (stamp.ScheduleId, stamp.ScheduleGroup)); // Quartz's trigger key of a one-off
    }

    /// <summary>A recurring schedule fires first at the first cron time at or after its StartTime (here 12:00:05 for a start at 12:00:02),
    /// and each delivery names the previous and next fire times, as Quartz's do.</summary>
    [Fact]
    public async Task RecurringDeliveries_CarryThePreviousAndNextFireTimes_FromTheFirstCronTimeAtOrAfterTheStart()
    {
        await using var f = await StartAsync();
        var recurring = new EndpointRecurringMessageScheduler(f.Harness.Bus, SchedulerEndpoints.Address(SchedulerEndpoints.Default.MessageScheduler));
        var schedule = new EveryFiveSeconds(BusFixture.Start.AddSeconds(2));

        await recurring.ScheduleRecurringSend(Stamps, schedule, new Stamp { Text = "recurring" }, CancellationToken.None);
        var first = await DeliverAsync(f, "recurring", TimeSpan.FromSeconds(5));
        var second = await DeliverAsync(f, "recurring", TimeSpan.FromSeconds(5), nth: 2);

        Assert.Equal((BusFixture.Start.AddSeconds(5), null, BusFixture.Start.AddSeconds(10)), (first.Scheduled, first.PreviousSent, first.NextScheduled));
        Assert.Equal((BusFixture.Start.AddSeconds(10), BusFixture.Start.AddSeconds(5), BusFixture.Start.AddSeconds(15)),
            (second.Scheduled, second.PreviousSent, second.NextScheduled));
        Assert.Equal((schedule.ScheduleId, schedule.ScheduleGroup), (first.ScheduleId, first.ScheduleGroup));
        Assert.NotNull(first.TokenId);
        Assert.Equal(first.TokenId, second.TokenId);
    }

    /// <summary>MassTransit's <c>Specifying_an_event_reschedule_if_exists</c>: a second <c>ScheduleSend</c> under the token of a pending one
    /// (<c>ScheduleTokenId.UseTokenId</c>) replaces its time and body; the first is never delivered.</summary>
    [Fact]
    public async Task ScheduleSend_UnderThePendingOnesToken_ReplacesItsTimeAndBody()
    {
        await using var f = await StartAsync();
        var scheduler = Scheduler(f);
        var token = NewId.NextGuid();

        await scheduler.ScheduleSend(Stamps, BusFixture.Start.AddMinutes(2).UtcDateTime, new TokenStamp { Id = token, Text = "Joe" });
        await BusFixture.Eventually(async () => await f.Store.GetDefinitionAsync(token) is not null, "the first message is stored");
        await scheduler.ScheduleSend(Stamps, BusFixture.Start.AddSeconds(5).UtcDateTime, new TokenStamp { Id = token, Text = "Joe 2" });
        await BusFixture.Eventually(async () => (await f.Store.GetDefinitionAsync(token))!.Payload!.Contains("Joe 2", StringComparison.Ordinal),
            "the second replaces it");
        var replaced = await DeliverAsync(f, "Joe 2", TimeSpan.FromSeconds(5));
        await AdvanceAsync(f, TimeSpan.FromMinutes(3));

        Assert.Equal((token, BusFixture.Start.AddSeconds(5)), (replaced.TokenId, replaced.Scheduled));
        Assert.DoesNotContain(f.Recorder.Of<StampReceipt>(), r => r.Text == "Joe");
        Assert.Equal(BusFixture.Start.AddSeconds(5), Assert.Single(await f.Store.GetInstancesAsync(token)).FireTime);
    }

    /// <summary>In Quartz a fired or unscheduled trigger is gone, and a new <c>ScheduleSend</c> under its token schedules it anew: so here,
    /// after a delivery and after a cancel (whose schedule came first).</summary>
    [Fact]
    public async Task ScheduleSend_UnderTheTokenOfADeliveredOrCancelledMessage_SchedulesItAgain()
    {
        await using var f = await StartAsync();
        var scheduler = Scheduler(f);
        var token = NewId.NextGuid();

        await scheduler.ScheduleSend(Stamps, BusFixture.Start.AddSeconds(2).UtcDateTime, new TokenStamp { Id = token, Text = "first" });
        await DeliverAsync(f, "first", TimeSpan.FromSeconds(2));
        await f.WaitForInstanceAsync(token, i => i.Status == TaskInstanceState.Completed);
        await scheduler.ScheduleSend(Stamps, BusFixture.Start.AddSeconds(10).UtcDateTime, new TokenStamp { Id = token, Text = "second" });
        await BusFixture.Eventually(async () => (await f.Store.GetDefinitionAsync(token))!.Payload!.Contains("second", StringComparison.Ordinal), "stored again");
        await scheduler.CancelScheduledSend(Stamps, token);
        await BusFixture.Eventually(async () => (await f.Store.GetDefinitionAsync(token))!.CancelledAt is not null, "cancelled");
        await scheduler.ScheduleSend(Stamps, BusFixture.Start.AddSeconds(20).UtcDateTime, new TokenStamp { Id = token, Text = "third" });
        await BusFixture.Eventually(async () => (await f.Store.GetDefinitionAsync(token))!.CancelledAt is null, "scheduled again after the cancel");
        await DeliverAsync(f, "third", TimeSpan.FromSeconds(20));

        Assert.DoesNotContain(f.Recorder.Of<StampReceipt>(), r => r.Text == "second");
        Assert.Equal(["first", "third"], f.Recorder.Of<StampReceipt>().Select(r => r.Text));
    }

    [Theory]
    // stored message id | stored sent | incoming message id | incoming sent | stale?
    [InlineData(1, 10, 1, 10, true)] // the same command again (a redelivery)
    [InlineData(1, 10, 2, 9, true)] // sent before the stored one: overtaken by it
    [InlineData(1, 10, 2, 11, false)] // a newer replacement
    [InlineData(1, null, 2, 11, false)] // stored by an earlier version (no sent time)
    public void IsStale_OfTheSameCommandOrAnOlderOne(int storedId, int? storedSent, int incomingId, int? incomingSent, bool stale)
    {
        static DateTime? At(int? second) => second is { } s ? new DateTime(2025, 1, 1, 12, 0, s, DateTimeKind.Utc) : null;
        static Guid Id(int n) => new(n, 0, 0, new byte[8]);
        var stored = Envelope(Id(storedId), At(storedSent));
        var task = new TaskInfo
        {
            TaskId = Guid.NewGuid(), State = TaskState.Active, TriggerKind = TriggerKind.Once, Trigger = "2025-01-01T12:01:00Z", TimeZone = "UTC",
            StartAt = BusFixture.Start, Metadata = new Dictionary<string, string>(), Payload = stored.ToPayload(), ExpireAfter = TimeSpan.FromMinutes(5),
            Retry = RetryPolicy.Default, Misfire = MisfirePolicy.FireOnce, Overlap = OverlapPolicy.Skip, CreatedAt = BusFixture.Start,
        };

        Assert.Equal(stale, MessageSchedulerConsumer.IsStale(task, Envelope(Id(incomingId), At(incomingSent)), Id(incomingId)));
    }

    private static ScheduledMessageEnvelope Envelope(Guid messageId, DateTime? sentTime) => new()
    {
        Destination = Stamps.ToString(), ContentType = "application/vnd.masstransit+json", Body = "{}", MessageTypes = ["urn:message:Stamp"],
        MessageId = messageId, SentTime = sentTime,
    };

    private static Task<BusFixture> StartAsync() =>
        BusFixture.StartAsync(configure: x => x.AddConsumer<StampConsumer>().Endpoint(e => e.Name = "stamps"));

    private static IMessageScheduler Scheduler(BusFixture f) =>
        f.Harness.Bus.CreateMessageScheduler(SchedulerEndpoints.Address(SchedulerEndpoints.Default.MessageScheduler));

    /// <summary>Moves fake time on in one-second steps until the <paramref name="nth"/> delivery of <paramref name="text"/> arrives,
    /// within <paramref name="within"/> (plus a second).</summary>
    private static async Task<StampReceipt> DeliverAsync(BusFixture f, string text, TimeSpan within, int nth = 1)
    {
        for (var waited = TimeSpan.Zero; waited <= within + TimeSpan.FromSeconds(1); waited += TimeSpan.FromSeconds(1))
        {
            await BusFixture.Eventually(() => f.Runner.HeldCount > 0 || f.Recorder.Of<StampReceipt>().Count(r => r.Text == text) >= nth,
                "the runner holds the next occurrence");
            if (f.Recorder.Of<StampReceipt>().Count(r => r.Text == text) >= nth)
            {
                break;
            }

            f.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20); // let the loops' timers run on the moved clock before the next step
        }

        await BusFixture.Eventually(() => f.Recorder.Of<StampReceipt>().Count(r => r.Text == text) >= nth, $"delivery {nth} of '{text}' arrives");
        return f.Recorder.Of<StampReceipt>().Where(r => r.Text == text).ElementAt(nth - 1);
    }

    private static async Task AdvanceAsync(BusFixture f, TimeSpan span)
    {
        for (var waited = TimeSpan.Zero; waited < span; waited += TimeSpan.FromSeconds(5))
        {
            f.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(20);
        }
    }
}

public sealed record Stamp
{
    public required string Text { get; init; }
}

/// <summary>A message whose scheduling token is its id (<c>ScheduleTokenId.UseTokenId</c>), as in MassTransit's reschedule spec.</summary>
public sealed record TokenStamp
{
    static TokenStamp() => ScheduleTokenId.UseTokenId<TokenStamp>(x => x.Id);

    public required Guid Id { get; init; }

    public required string Text { get; init; }
}

internal sealed record StampReceipt(string Text, Guid? TokenId, DateTimeOffset? Scheduled, DateTimeOffset? Sent, DateTimeOffset? NextScheduled,
    DateTimeOffset? PreviousSent, string? ScheduleId, string? ScheduleGroup);

/// <summary>Records what MassTransit's scheduling helpers read from each delivery.</summary>
internal sealed class StampConsumer(Recorder recorder) : IConsumer<Stamp>, IConsumer<TokenStamp>
{
    public Task Consume(ConsumeContext<Stamp> context) => Record(context, context.Message.Text);

    public Task Consume(ConsumeContext<TokenStamp> context) => Record(context, context.Message.Text);

    private Task Record(ConsumeContext context, string text)
    {
        recorder.Add(new StampReceipt(text, context.GetSchedulingTokenId(), context.GetQuartzScheduled(), context.GetQuartzSent(),
            context.GetQuartzNextScheduled(), context.GetQuartzPreviousSent(), context.GetQuartzScheduleId(), context.GetQuartzScheduleGroup()));
        return Task.CompletedTask;
    }
}

internal sealed class EveryFiveSeconds : DefaultRecurringSchedule
{
    public EveryFiveSeconds(DateTimeOffset start)
    {
        ScheduleId = $"every-five-{Guid.NewGuid():N}";
        CronExpression = "0/5 * * * * ?";
        StartTime = start;
    }
}
