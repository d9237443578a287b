using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.MassTransit.MessageScheduling;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #11, item 1: a sample service that uses only MassTransit's scheduling API (<c>IMessageScheduler</c>, <c>IRecurringMessageScheduler</c>)
/// and our one-line registration, <c>AddSchedulerMessageScheduler()</c>, schedules, cancels, recurs, pauses and resumes messages of its own
/// type through a scheduler node, over real RabbitMQ and PostgreSQL, in real time.
/// </summary>
public sealed partial class MessageSchedulerTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private const string RemindersQueue = "reminders";
    private static readonly Uri Reminders = new($"queue:{RemindersQueue}");

    [Fact]
    public async Task ScheduleSend_DeliversTheMessageWithItsHeaders_AtItsTime_AndCompletesTheTask()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, scheduler) = (system.Bus, system.Scheduler);
        var text = $"one-off {Guid.NewGuid()}";
        var at = TimeProvider.System.GetUtcNow().AddSeconds(3);

        var scheduled = await scheduler.ScheduleSend(Reminders, at.UtcDateTime, new Reminder { Text = text },
            Pipe.Execute<SendContext<Reminder>>(context => context.Headers.Set(ReminderConsumer.TenantHeader, "acme")));

        var receipt = await WaitForReminderAsync(bus, text);
        Assert.True(receipt.ReceivedAt >= at, $"received at {receipt.ReceivedAt:O}, scheduled for {at:O}");
        Assert.Equal("acme", receipt.Tenant);
        var completed = await bus.WaitForInstanceAsync(scheduled.TokenId, i => i.Status == TaskInstanceState.Completed,
            "the delivery completes the task instance (the token id is the task id)");
        Assert.Equal(1, completed.Attempt);
        Assert.Single(Receipts(bus, text));
    }

    [Fact]
    public async Task CancelScheduledSend_BeforeItsTime_MessageNeverArrives()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, scheduler) = (system.Bus, system.Scheduler);
        var now = TimeProvider.System.GetUtcNow();
        var cancelledText = $"cancelled {Guid.NewGuid()}";

        var cancelled = await scheduler.ScheduleSend(Reminders, now.AddSeconds(4).UtcDateTime, new Reminder { Text = cancelledText });
        // Commands on one queue are consumed concurrently: cancel what the node has stored, or the cancel may overtake the schedule.
        await Wait.UntilAsync(async () => await bus.Store.GetDefinitionAsync(cancelled.TokenId) is not null, "the node stores the scheduled message");
        await scheduler.CancelScheduledSend(Reminders, cancelled.TokenId);
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(cancelled.TokenId))!.CancelledAt is not null, "the node cancels it");

        // A message scheduled after the cancelled one's time arrives: the node's runner has passed that time.
        await ProveTimePassedAsync(bus, scheduler, now.AddSeconds(6));
        Assert.Empty(Receipts(bus, cancelledText));
        Assert.DoesNotContain(await bus.Store.GetInstancesAsync(cancelled.TokenId), i => i.DispatchedAt is not null);
    }

    /// <summary>A consumer's <c>context.ScheduleSend</c> on a bus configured with <c>UseSchedulerMessageScheduler()</c> (MassTransit's
    /// <c>UseMessageScheduler</c>) goes through the node too.</summary>
    [Fact]
    public async Task ConsumeContextScheduleSend_OnABusWithUseSchedulerMessageScheduler_IsDelivered()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var bus = system.Bus;
        const string snoozeQueue = "snoozes";
        var snoozes = await bus.StartServiceAsync(x => x.AddConsumer<SnoozeConsumer>().Endpoint(e => e.Name = snoozeQueue),
            cfg => cfg.UseSchedulerMessageScheduler());
        var text = $"snoozed {Guid.NewGuid()}";
        var at = TimeProvider.System.GetUtcNow().AddSeconds(2);

        var endpoint = await snoozes.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{snoozeQueue}"));
        await endpoint.Send(new Snooze { Text = text, Until = at });

        var receipt = await WaitForReminderAsync(bus, text);
        Assert.True(receipt.ReceivedAt >= at, $"received at {receipt.ReceivedAt:O}, scheduled for {at:O}");
    }

    /// <summary>Commands on the node's queue are consumed concurrently; a cancel that arrives first still wins.</summary>
    [Fact]
    public async Task CancelScheduledSend_ThatOvertakesItsScheduleMessage_StillCancelsIt()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, scheduler) = (system.Bus, system.Scheduler);
        var tokenId = NewId.NextGuid();
        var text = $"overtaken {Guid.NewGuid()}";
        var at = TimeProvider.System.GetUtcNow().AddSeconds(2);

        await scheduler.CancelScheduledSend(Reminders, tokenId);
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(tokenId))?.CancelledAt is not null, "the node records the early cancel");
        // The ScheduleMessage that ScheduleSend would have sent before the cancel, with the same token id, as MassTransit builds it.
        var nodes = await system.SendEndpointAsync(SchedulerEndpoints.Address(SchedulerEndpoints.Default.MessageScheduler));
        await nodes.Send<ScheduleMessage>(new ScheduleMessageCommand<Reminder>(at.UtcDateTime, Reminders, new Reminder { Text = text }, tokenId));

        await ProveTimePassedAsync(bus, scheduler, at.AddSeconds(2));
        Assert.Empty(Receipts(bus, text));
        Assert.Empty(await bus.Store.GetInstancesAsync(tokenId));
    }

    [Fact]
    public async Task ScheduleRecurringSend_RecursEverySecond_PauseStopsIt_ResumeRestartsIt_CancelEndsIt_ScheduledAgainRecurs()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, scheduler, recurring) = (system.Bus, system.Scheduler, system.Recurring);
        var schedule = new TestSchedule($"every-second-{Guid.NewGuid():N}", "* * * * * ?", "Europe/Berlin");
        var taskId = RecurringScheduleIds.For(schedule.ScheduleGroup, schedule.ScheduleId);
        var text = $"recurring {Guid.NewGuid()}";

        await recurring.ScheduleRecurringSend(Reminders, schedule, new Reminder { Text = text });
        await Wait.UntilAsync(() => Receipts(bus, text).Count >= 3, "the recurring message arrives every second");
        var stored = (await bus.Store.GetDefinitionAsync(taskId))!;
        Assert.Equal(("* * * * * ?", "Europe/Berlin", TriggerKind.Cron), (stored.Trigger, stored.TimeZoneId, stored.TriggerKind));
        var receipts = Receipts(bus, text);
        Assert.Equal(receipts.Count, receipts.Select(r => r.MessageId).Distinct().Count()); // each occurrence is a message of its own

        await recurring.PauseScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
        DateTimeOffset? pausedAt = null;
        await Wait.UntilAsync(async () => (pausedAt = (await bus.Store.GetDefinitionAsync(taskId))!.PausedAt) is not null, "the node pauses the schedule");
        // Nothing after the pause, to the instant the store gives it: the node had its sends of the task recorded before it applied the pause,
        // and sends nothing the pause took back.
        await ProveTimePassedAsync(bus, scheduler, pausedAt!.Value.AddSeconds(3));
        await AssertNothingAfterAsync(bus, taskId, text, pausedAt.Value);

        await recurring.ResumeScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(taskId))!.PausedAt is null, "the node resumes the schedule");
        var resumedAt = TimeProvider.System.GetUtcNow();
        await Wait.UntilAsync(async () => (await FireTimesAsync(bus, taskId, text)).Count(fireTime => fireTime > resumedAt) >= 2,
            "the resumed schedule recurs again");

        await recurring.CancelScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
        DateTimeOffset? cancelledAt = null;
        await Wait.UntilAsync(async () => (cancelledAt = (await bus.Store.GetDefinitionAsync(taskId))!.CancelledAt) is not null, "the node cancels the schedule");
        await ProveTimePassedAsync(bus, scheduler, cancelledAt!.Value.AddSeconds(3)); // as after the pause
        await AssertNothingAfterAsync(bus, taskId, text, cancelledAt.Value);

        // The same schedule id, scheduled again after its cancel (an application that cancels at shutdown and schedules at start), recurs.
        var againText = $"recurring again {Guid.NewGuid()}";
        await recurring.ScheduleRecurringSend(Reminders, schedule, new Reminder { Text = againText });
        await Wait.UntilAsync(() => Receipts(bus, againText).Count >= 2, "the schedule, scheduled again, recurs");
        await recurring.CancelScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
    }

    [Fact]
    public async Task ScheduleRecurringSend_ReadsQuartzCron_WindowsAndIanaZones_AndStopsAtEndTime()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, recurring) = (system.Bus, system.Recurring);
        var weekdays = new TestSchedule($"weekdays-{Guid.NewGuid():N}", "0 30 9 ? * MON-FRI", "W. Europe Standard Time");
        var mondays = new TestSchedule($"mondays-{Guid.NewGuid():N}", "0 0 12 ? * 2 *", "America/New_York"); // Quartz: 2 is Monday
        // Every second from a whole second to an EndTime three seconds later: the occurrence at EndTime is the last one sent. Stored late (a
        // loaded machine), its occurrences still fire, late: younger than the misfire threshold (1 minute), each is a fire time of its own.
        var now = TimeProvider.System.GetUtcNow();
        var start = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(2);
        var end = start.AddSeconds(3);
        var ending = new TestSchedule($"ending-{Guid.NewGuid():N}", "* * * * * ?", "UTC", end, start);
        var endingText = $"ending {Guid.NewGuid()}";

        await recurring.ScheduleRecurringSend(Reminders, weekdays, new Reminder { Text = "weekdays" });
        await recurring.ScheduleRecurringSend(Reminders, mondays, new Reminder { Text = "mondays" });
        await recurring.ScheduleRecurringSend(Reminders, ending, new Reminder { Text = endingText });

        var berlin = await WaitForDefinitionAsync(bus, weekdays);
        Assert.Equal(("Europe/Berlin", "0 30 9 ? * MON-FRI"), (berlin.TimeZoneId, berlin.Trigger));
        var berlinNext = TimeZoneInfo.ConvertTime(berlin.NextFireTime!.Value, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal(new TimeSpan(9, 30, 0), berlinNext.TimeOfDay);
        Assert.InRange(berlinNext.DayOfWeek, DayOfWeek.Monday, DayOfWeek.Friday);
        var newYork = await WaitForDefinitionAsync(bus, mondays);
        Assert.Equal("0 0 12 ? * 1", newYork.Trigger);
        var newYorkNext = TimeZoneInfo.ConvertTime(newYork.NextFireTime!.Value, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Assert.Equal((DayOfWeek.Monday, new TimeSpan(12, 0, 0)), (newYorkNext.DayOfWeek, newYorkNext.TimeOfDay));

        // EndTime is the task's EndAt (inclusive, as Quartz's): every occurrence up to it, that at EndTime included, is delivered once, none
        // after it, and the task finishes (as Quartz removes a trigger past its EndTime).
        var endingId = RecurringScheduleIds.For(ending.ScheduleGroup, ending.ScheduleId);
        Assert.Equal(end.UtcTicks / 10, (await WaitForDefinitionAsync(bus, ending)).EndAt!.Value.UtcTicks / 10); // PostgreSQL keeps microseconds
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(endingId))?.State == TaskState.Finished, "the schedule ends at its EndTime");
        await Wait.UntilAsync(() => Receipts(bus, endingText).Count >= 4, "the four occurrences up to EndTime arrive");
        await ProveTimePassedAsync(bus, system.Scheduler, end.AddSeconds(3)); // the node passed EndTime and more: nothing else is on its way
        Assert.Equal(Enumerable.Range(0, 4).Select(n => start.AddSeconds(n)), (await FireTimesAsync(bus, endingId, endingText)).Order());

        await recurring.CancelScheduledRecurringSend(weekdays.ScheduleId, weekdays.ScheduleGroup);
        await recurring.CancelScheduledRecurringSend(mondays.ScheduleId, mondays.ScheduleGroup);
    }

    [Fact]
    public async Task BadScheduleCommands_AreRejected_NamingTheValue_AndStoreNothing()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, recurring) = (system.Bus, system.Recurring);
        await bus.StartClientAsync(); // records the TaskRejected events, as an operator's service could
        // Each of the four bad commands is rejected on purpose, and a rejection is logged at Warning (an operator should see who sends them).
        Logs.Allow(LogLevel.Warning, "Scheduler.MassTransit.MessageScheduling.MessageSchedulerConsumer", "Rejected MassTransit ");
        var badCron = new TestSchedule($"bad-cron-{Guid.NewGuid():N}", "every day at 9", "UTC");
        var badZone = new TestSchedule($"bad-zone-{Guid.NewGuid():N}", "0 0 9 * * ?", "Mars/Olympus_Mons");

        await recurring.ScheduleRecurringSend(Reminders, badCron, new Reminder { Text = "never" });
        await recurring.ScheduleRecurringSend(Reminders, badZone, new Reminder { Text = "never" });

        // A ScheduleMessage without destination, and a message over the 256 KiB a task's payload may take (MassTransit's ScheduleSend
        // cannot send the first; another client of the contracts can).
        var noDestination = NewId.NextGuid();
        var nodes = await system.SendEndpointAsync(SchedulerEndpoints.Address(SchedulerEndpoints.Default.MessageScheduler));
        await nodes.Send<ScheduleMessage>(new ScheduleMessageCommand<Reminder>(DateTime.UnixEpoch, null!, new Reminder { Text = "nowhere" }, noDestination));
        var tooLarge = await system.Scheduler.ScheduleSend(Reminders, DateTime.UnixEpoch, new Reminder { Text = new string('x', 300 * 1024) });

        Assert.Contains("has no Destination", await WaitForRejectionAsync(bus, noDestination), StringComparison.Ordinal);
        Assert.Contains("over the limit of 262,144 (256 KiB)", await WaitForRejectionAsync(bus, tooLarge.TokenId), StringComparison.Ordinal);
        Assert.Null(await bus.Store.GetDefinitionAsync(noDestination));
        Assert.Null(await bus.Store.GetDefinitionAsync(tooLarge.TokenId));
        var cronReason = await WaitForRejectionAsync(bus, badCron);
        Assert.Contains("'every day at 9'", cronReason, StringComparison.Ordinal);
        Assert.Contains("Quartz cron expression", cronReason, StringComparison.Ordinal);
        var zoneReason = await WaitForRejectionAsync(bus, badZone);
        Assert.Contains("'Mars/Olympus_Mons'", zoneReason, StringComparison.Ordinal);
        Assert.Null(await bus.Store.GetDefinitionAsync(RecurringScheduleIds.For(badCron.ScheduleGroup, badCron.ScheduleId)));
        Assert.Null(await bus.Store.GetDefinitionAsync(RecurringScheduleIds.For(badZone.ScheduleGroup, badZone.ScheduleId)));
    }

    [Fact]
    public async Task ScheduleRecurringSend_OfTheSameSchedule_ReplacesIt_AndSchedulesItAgainAfterACancel()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, recurring) = (system.Bus, system.Recurring);
        await bus.StartClientAsync(); // records the TaskRejected events
        var scheduleId = $"replaced-{Guid.NewGuid():N}";
        var first = new TestSchedule(scheduleId, "0 0 9 * * ?", "UTC");
        var taskId = RecurringScheduleIds.For(first.ScheduleGroup, scheduleId);

        await recurring.ScheduleRecurringSend(Reminders, first, new Reminder { Text = "at nine" });
        await WaitForDefinitionAsync(bus, first);
        await recurring.ScheduleRecurringSend(Reminders, new TestSchedule(scheduleId, "0 0 10 * * ?", "Asia/Tokyo"), new Reminder { Text = "at ten" });
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(taskId))!.Trigger == "0 0 10 * * ?", "the second schedule replaces the first");
        var replaced = (await bus.Store.GetDefinitionAsync(taskId))!;
        Assert.Equal("Asia/Tokyo", replaced.TimeZoneId);
        Assert.Contains("at ten", replaced.Payload, StringComparison.Ordinal);

        await recurring.CancelScheduledRecurringSend(scheduleId, first.ScheduleGroup);
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(taskId))!.CancelledAt is not null, "the node cancels the schedule");
        await recurring.ScheduleRecurringSend(Reminders, first, new Reminder { Text = "at nine again" });
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(taskId))!.CancelledAt is null, "the node schedules the cancelled schedule again");
        var again = (await bus.Store.GetDefinitionAsync(taskId))!;
        Assert.Equal(("0 0 9 * * ?", "UTC", TaskState.Active), (again.Trigger, again.TimeZoneId, again.State));
        Assert.Contains("at nine again", again.Payload, StringComparison.Ordinal);
        Assert.NotNull(again.NextFireTime);
    }

    /// <summary>The node process that stored and claimed the scheduled message is killed before its time; another node delivers it once the
    /// claim's lease runs out.</summary>
    [Fact]
    public async Task ScheduledMessageClaimedByAKilledNodeProcess_IsDeliveredByAnotherNode()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output, nodeId: null); // the node process comes below
        var (bus, scheduler) = (system.Bus, system.Scheduler);
        await using var victim = await ServiceProcess.StartNodeAsync(environment.Broker.Uri, environment.Database.ConnectionString, "node-process",
            BusServices.NodeProcessSettings(new()
            {
                ["Scheduler__ExecutionWindow"] = "00:00:30", // claims the message at once and holds it until its time
                ["Scheduler__PollInterval"] = "00:00:00.200",
                ["Scheduler__LeaseDuration"] = "00:00:03",
            }));
        try
        {
            var text = $"survives a crash {Guid.NewGuid()}";
            var at = TimeProvider.System.GetUtcNow().AddSeconds(12); // room for storing and claiming on a busy machine before the kill
            var scheduled = await scheduler.ScheduleSend(Reminders, at.UtcDateTime, new Reminder { Text = text });
            await bus.WaitForInstanceAsync(scheduled.TokenId, i => i.Status == TaskInstanceState.Claimed && i.LeaseOwner == "node-process",
                "the node process stores and claims the scheduled message");

            await victim.KillAsync();
            Assert.True(TimeProvider.System.GetUtcNow() < at, "the node process was killed before the message's time");
            await bus.StartNodeAsync("node-b");

            var receipt = await WaitForReminderAsync(bus, text);
            Assert.True(receipt.ReceivedAt >= at, $"received at {receipt.ReceivedAt:O}, scheduled for {at:O}");
            var completed = await bus.WaitForInstanceAsync(scheduled.TokenId, i => i.Status == TaskInstanceState.Completed, "node-b's delivery completes");
            Assert.Equal("node-b", Assert.Single(bus.Ledger.Of(completed.Id)).NodeId);
        }
        finally
        {
            Output.WriteLine("--- Scheduler.Host output ---\n" + victim.Output);
        }
    }

    /// <summary>A scheduler node and the sample service: MassTransit's scheduling API, our one-line registration, a consumer of its own
    /// message type; its schedulers come from a scope of its own, as a request's would.</summary>
    private sealed class SampleSystem : IAsyncDisposable
    {
        private readonly IServiceScope _scope;

        private SampleSystem(BusServices bus, IServiceScope scope)
        {
            Bus = bus;
            _scope = scope;
        }

        public BusServices Bus { get; }

        public IMessageScheduler Scheduler => _scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        public IRecurringMessageScheduler Recurring => _scope.ServiceProvider.GetRequiredService<IRecurringMessageScheduler>();

        public Task<ISendEndpoint> SendEndpointAsync(Uri address) => _scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(address);

        public static async Task<SampleSystem> StartAsync(BusEnvironmentFixture environment, ITestOutputHelper output, string? nodeId = "node-a")
        {
            var bus = new BusServices(environment, output);
            if (nodeId is not null)
            {
                await bus.StartNodeAsync(nodeId);
            }

            var service = await bus.StartServiceAsync(x =>
            {
                x.AddSchedulerMessageScheduler();
                x.AddConsumer<ReminderConsumer>().Endpoint(e => e.Name = RemindersQueue);
            });
            return new SampleSystem(bus, service.Services.CreateScope());
        }

        public async ValueTask DisposeAsync()
        {
            _scope.Dispose();
            await Bus.DisposeAsync();
        }
    }

    private static List<ReminderReceipt> Receipts(BusServices bus, string text) =>
        bus.Recorder.Of<ReminderReceipt>().Where(r => r.Message.Text == text).ToList();

    private static async Task<ReminderReceipt> WaitForReminderAsync(BusServices bus, string text)
    {
        await Wait.UntilAsync(() => Receipts(bus, text).Count > 0, $"the reminder '{text}' arrives");
        return Receipts(bus, text)[0];
    }

    /// <summary>Schedules a marker message for <paramref name="at"/> and waits for it: the node's runner has passed that time.</summary>
    private static async Task ProveTimePassedAsync(BusServices bus, IMessageScheduler scheduler, DateTimeOffset at)
    {
        var marker = $"marker {Guid.NewGuid()}";
        await scheduler.ScheduleSend(Reminders, at.UtcDateTime, new Reminder { Text = marker });
        await WaitForReminderAsync(bus, marker);
    }

    /// <summary>The fire times of the occurrences of task <paramref name="taskId"/> whose message arrived (a recurring message's id is its
    /// task instance's). An occurrence the store no longer has was sent and then taken back (deleted) by a pause: that fails the test.</summary>
    private static async Task<List<DateTimeOffset>> FireTimesAsync(BusServices bus, Guid taskId, string text)
    {
        var fireTimes = (await bus.Store.GetInstancesAsync(taskId)).ToDictionary(i => i.Id, i => i.FireTime);
        return Receipts(bus, text).Select(r => fireTimes.TryGetValue(r.MessageId!.Value, out var fireTime) ? fireTime
            : throw new Xunit.Sdk.XunitException($"Occurrence {r.MessageId} arrived at {r.ReceivedAt:O}, but the store has no such instance of task {taskId}: it was taken back after it was sent.")).ToList();
    }

    /// <summary>Asserts that no occurrence of task <paramref name="taskId"/> after <paramref name="instant"/> (the pause's or cancel's time in the
    /// store) arrived, nor is on its way: none was dispatched.</summary>
    private static async Task AssertNothingAfterAsync(BusServices bus, Guid taskId, string text, DateTimeOffset instant)
    {
        Assert.DoesNotContain(await FireTimesAsync(bus, taskId, text), fireTime => fireTime > instant);
        Assert.DoesNotContain(await bus.Store.GetInstancesAsync(taskId), i => i.FireTime > instant && i.DispatchedAt is not null);
    }

    private static async Task<TaskDefinition> WaitForDefinitionAsync(BusServices bus, TestSchedule schedule)
    {
        var taskId = RecurringScheduleIds.For(schedule.ScheduleGroup, schedule.ScheduleId);
        TaskDefinition? found = null;
        await Wait.UntilAsync(async () => (found = await bus.Store.GetDefinitionAsync(taskId)) is not null, $"the node stores schedule {schedule.ScheduleId}");
        return found!;
    }

    private static Task<string> WaitForRejectionAsync(BusServices bus, TestSchedule schedule) =>
        WaitForRejectionAsync(bus, RecurringScheduleIds.For(schedule.ScheduleGroup, schedule.ScheduleId));

    private static async Task<string> WaitForRejectionAsync(BusServices bus, Guid taskId)
    {
        await Wait.UntilAsync(() => bus.Recorder.Of<TaskRejected>().Any(r => r.TaskId == taskId), $"the node rejects task {taskId}");
        return bus.Recorder.Of<TaskRejected>().First(r => r.TaskId == taskId).Reason;
    }
}

/// <summary>The sample service's own message type; the node has no reference to it.</summary>
public sealed record Reminder
{
    public required string Text { get; init; }
}

/// <summary>A MassTransit recurring schedule as applications write them.</summary>
public sealed class TestSchedule : DefaultRecurringSchedule
{
    public TestSchedule(string scheduleId, string cronExpression, string timeZoneId, DateTimeOffset? endTime = null, DateTimeOffset? startTime = null)
    {
        ScheduleId = scheduleId;
        CronExpression = cronExpression;
        TimeZoneId = timeZoneId;
        EndTime = endTime;
        if (startTime is { } start)
        {
            StartTime = start;
        }
    }
}

/// <summary>Asks the snooze service to remind later.</summary>
public sealed record Snooze
{
    public required string Text { get; init; }

    public required DateTimeOffset Until { get; init; }
}

/// <summary>Schedules the reminder from inside a consumer, with MassTransit's <c>context.ScheduleSend</c>.</summary>
internal sealed class SnoozeConsumer : IConsumer<Snooze>
{
    public Task Consume(ConsumeContext<Snooze> context) =>
        context.ScheduleSend(new Uri("queue:reminders"), context.Message.Until.UtcDateTime, new Reminder { Text = context.Message.Text });
}

internal sealed record ReminderReceipt(Reminder Message, Guid? MessageId, string? Tenant, DateTimeOffset ReceivedAt);

/// <summary>The sample service's consumer: records what arrived, with its message id and its tenant header.</summary>
internal sealed class ReminderConsumer(Recorder recorder, TimeProvider time) : IConsumer<Reminder>
{
    public const string TenantHeader = "X-Tenant";

    public Task Consume(ConsumeContext<Reminder> context)
    {
        recorder.Add(new ReminderReceipt(context.Message, context.MessageId, context.Headers.Get<string>(TenantHeader), time.GetUtcNow()));
        return Task.CompletedTask;
    }
}
