using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #23, item 7: MassTransit's own scheduling scenarios (its <c>tests/MassTransit.QuartzIntegration.Tests</c>: the reschedule of
/// <c>PastEvent_Specs</c>, the headers <c>Service_Specs</c> reads, the saga schedule of <c>Reschedule_Specs</c>) over RabbitMQ and PostgreSQL
/// with a node in place of Quartz, in real time. The same with fake time: <c>Scheduler.MassTransit.Tests.MessageScheduling.QuartzParityTests</c>.
/// </summary>
public sealed partial class MessageSchedulerTests
{
    private const string ChecksQueue = "checks";

    /// <summary><c>Specifying_an_event_reschedule_if_exists</c>: with <c>ScheduleTokenId.UseTokenId</c>, a second <c>ScheduleSend</c> of the
    /// same entity replaces the pending one (time and body); only the second arrives.</summary>
    [Fact]
    public async Task ScheduleSend_UnderAnExistingToken_ReplacesThePendingMessage()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, scheduler) = (system.Bus, system.Scheduler);
        await bus.StartServiceAsync(x => x.AddConsumer<CheckConsumer>().Endpoint(e => e.Name = ChecksQueue));
        var id = NewId.NextGuid();
        var checks = new Uri($"queue:{ChecksQueue}");

        await scheduler.ScheduleSend(checks, TimeProvider.System.GetUtcNow().AddMinutes(10).UtcDateTime, new Check { Id = id, Name = "Joe" });
        await Wait.UntilAsync(async () => await bus.Store.GetDefinitionAsync(id) is not null, "the node stores the first message");
        var at = TimeProvider.System.GetUtcNow().AddSeconds(2);
        await scheduler.ScheduleSend(checks, at.UtcDateTime, new Check { Id = id, Name = "Joe 2" });

        await Wait.UntilAsync(() => bus.Recorder.Of<CheckReceipt>().Any(r => r.Check.Id == id), "the replacement arrives");
        var receipt = Assert.Single(bus.Recorder.Of<CheckReceipt>(), r => r.Check.Id == id);
        Assert.Equal("Joe 2", receipt.Check.Name);
        Assert.True(receipt.ReceivedAt >= at, $"received at {receipt.ReceivedAt:O}, scheduled for {at:O}");
        Assert.Equal(id, receipt.TokenId);
        // The first message's occurrence is gone: the task has the replacement's only.
        var instance = await bus.WaitForInstanceAsync(id, i => i.Status == TaskInstanceState.Completed, "the replacement's delivery completes");
        Assert.Single(await bus.Store.GetInstancesAsync(id));
        Assert.True(instance.FireTime < at.AddSeconds(1));
    }

    /// <summary><c>Using_the_quartz_service_with_json</c> reads <c>GetQuartzSent()</c>; every delivery carries the token and the scheduling
    /// headers MassTransit's helpers read.</summary>
    [Fact]
    public async Task Deliveries_CarryTheTokenAndTheQuartzHeaders_OneOffAndRecurring()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var (bus, scheduler, recurring) = (system.Bus, system.Scheduler, system.Recurring);
        await bus.StartServiceAsync(x => x.AddConsumer<CheckConsumer>().Endpoint(e => e.Name = ChecksQueue));
        var checks = new Uri($"queue:{ChecksQueue}");
        var oneOff = NewId.NextGuid();
        var schedule = new TestSchedule($"checks-{Guid.NewGuid():N}", "* * * * * ?", "UTC");

        var scheduled = await scheduler.ScheduleSend(checks, TimeProvider.System.GetUtcNow().AddSeconds(1).UtcDateTime, new Check { Id = oneOff, Name = "once" });
        await recurring.ScheduleRecurringSend(checks, schedule, new Check { Id = NewId.NextGuid(), Name = schedule.ScheduleId });
        await Wait.UntilAsync(() => bus.Recorder.Of<CheckReceipt>().Count(r => r.Check.Name == schedule.ScheduleId) >= 2 && bus.Recorder.Of<CheckReceipt>().Any(r => r.Check.Id == oneOff),
            "the one-off message and two occurrences arrive");
        await recurring.CancelScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);

        var once = bus.Recorder.Of<CheckReceipt>().Single(r => r.Check.Id == oneOff);
        Assert.Equal(scheduled.TokenId, once.TokenId);
        Assert.NotNull(once.Scheduled);
        Assert.True(once.Sent >= once.Scheduled, $"sent {once.Sent:O}, scheduled {once.Scheduled:O}");
        Assert.Equal((null, null), (once.NextScheduled, once.PreviousSent));
        var second = bus.Recorder.Of<CheckReceipt>().Where(r => r.Check.Name == schedule.ScheduleId).OrderBy(r => r.Scheduled).Skip(1).First();
        Assert.Equal(second.Scheduled!.Value.AddSeconds(-1), second.PreviousSent);
        Assert.Equal(second.Scheduled.Value.AddSeconds(1), second.NextScheduled);
        Assert.Equal(schedule.ScheduleId, second.ScheduleId);
        Assert.NotNull(second.TokenId);
    }

    /// <summary>
    /// A saga's <c>Schedule</c> (MassTransit's <c>Reschedule_Specs</c> shape) keeps the token of its current timeout and drops a delivered
    /// timeout whose <c>MT-Scheduling-TokenId</c> is another's: a superseded timeout is dropped exactly as with Quartz. The stale timeout
    /// here is one scheduled for the saga under an old token (what a timeout that was replaced while in flight looks like on arrival); the
    /// saga must ignore it and handle its current one, at that one's time.
    /// </summary>
    [Fact]
    public async Task SagaSchedule_DropsASupersededTimeout_AndHandlesItsCurrentOne()
    {
        await using var system = await SampleSystem.StartAsync(environment, Output);
        var bus = system.Bus;
        var sagas = await bus.StartServiceAsync(
            x =>
            {
                x.AddSagaStateMachine<CheckStateMachine, CheckState>().InMemoryRepository().Endpoint(e => e.Name = CheckStateMachine.Queue);
                x.AddSchedulerMessageScheduler();
            },
            cfg => cfg.UseSchedulerMessageScheduler());
        var correlationId = NewId.NextGuid();
        var sagaBus = sagas.Services.GetRequiredService<IBus>();

        var started = TimeProvider.System.GetUtcNow();
        await (await sagaBus.GetSendEndpoint(new Uri($"queue:{CheckStateMachine.Queue}"))).Send(new StartCheck { CorrelationId = correlationId });
        await Wait.UntilAsync(() => bus.Recorder.Of<CheckScheduled>().Any(r => r.CorrelationId == correlationId), "the saga schedules its timeout");
        var current = bus.Recorder.Of<CheckScheduled>().Single(r => r.CorrelationId == correlationId).TokenId;

        // A timeout for this saga under another token, delivered at once by the node.
        var superseded = NewId.NextGuid();
        await (await system.SendEndpointAsync(SchedulerEndpoints.Address(SchedulerEndpoints.Default.MessageScheduler))).Send<ScheduleMessage>(
            new ScheduleMessageCommand<CheckTimeout>(TimeProvider.System.GetUtcNow().UtcDateTime, new Uri($"queue:{CheckStateMachine.Queue}"),
                new CheckTimeout { CorrelationId = correlationId }, superseded));
        await bus.WaitForInstanceAsync(superseded, i => i.Status == TaskInstanceState.Completed, "the superseded timeout is delivered to the saga");

        await Wait.UntilAsync(() => bus.Recorder.Of<CheckTimedOut>().Any(r => r.CorrelationId == correlationId), "the current timeout fires");
        await bus.WaitForInstanceAsync(current, i => i.Status == TaskInstanceState.Completed, "the current timeout's delivery completes");
        var handled = Assert.Single(bus.Recorder.Of<CheckTimedOut>(), r => r.CorrelationId == correlationId);
        Assert.Equal(current, handled.TokenId);
        Assert.True(handled.At >= started + CheckStateMachine.Delay, $"timed out at {handled.At:O}: the superseded timeout was taken for it");
    }
}

/// <summary>A message whose scheduling token is its id, as in MassTransit's reschedule spec.</summary>
public sealed record Check
{
    static Check() => ScheduleTokenId.UseTokenId<Check>(x => x.Id);

    public required Guid Id { get; init; }

    public required string Name { get; init; }
}

internal sealed record CheckReceipt(Check Check, DateTimeOffset ReceivedAt, Guid? TokenId, DateTimeOffset? Scheduled, DateTimeOffset? Sent,
    DateTimeOffset? NextScheduled, DateTimeOffset? PreviousSent, string? ScheduleId);

/// <summary>Records each <see cref="Check"/> with what MassTransit's scheduling helpers read from it.</summary>
internal sealed class CheckConsumer(Recorder recorder, TimeProvider time) : IConsumer<Check>
{
    public Task Consume(ConsumeContext<Check> context)
    {
        recorder.Add(new CheckReceipt(context.Message, time.GetUtcNow(), context.GetSchedulingTokenId(), context.GetQuartzScheduled(), context.GetQuartzSent(),
            context.GetQuartzNextScheduled(), context.GetQuartzPreviousSent(), context.GetQuartzScheduleId()));
        return Task.CompletedTask;
    }
}

public sealed record StartCheck
{
    public required Guid CorrelationId { get; init; }
}

public sealed record CheckTimeout
{
    public required Guid CorrelationId { get; init; }
}

public sealed class CheckState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string? CurrentState { get; set; }

    public Guid? TimeoutTokenId { get; set; }
}

internal sealed record CheckScheduled(Guid CorrelationId, Guid TokenId);

internal sealed record CheckTimedOut(Guid CorrelationId, Guid? TokenId, DateTimeOffset At);

/// <summary>Starts, schedules a timeout 4 s ahead with MassTransit's <c>Schedule</c>, and records the token it got and the timeout it
/// handles (any unhandled one in another state would fault the message).</summary>
internal sealed class CheckStateMachine : MassTransitStateMachine<CheckState>
{
    public const string Queue = "check-saga";

    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(4);

    public CheckStateMachine(Recorder recorder)
    {
        InstanceState(x => x.CurrentState);
        Event(() => Start, x => x.CorrelateById(c => c.Message.CorrelationId));
        Schedule(() => Timeout, x => x.TimeoutTokenId, s =>
        {
            s.Delay = Delay;
            s.Received = e => e.CorrelateById(c => c.Message.CorrelationId);
        });

        Initially(When(Start)
            .Schedule(Timeout, c => new CheckTimeout { CorrelationId = c.Saga.CorrelationId })
            .Then(c => recorder.Add(new CheckScheduled(c.Saga.CorrelationId, c.Saga.TimeoutTokenId!.Value)))
            .TransitionTo(Waiting));
        During(Waiting, When(Timeout!.Received)
            .Then(c => recorder.Add(new CheckTimedOut(c.Saga.CorrelationId, c.GetSchedulingTokenId(), TimeProvider.System.GetUtcNow())))
            .TransitionTo(TimedOut));
    }

    public State? Waiting { get; private set; }

    public State? TimedOut { get; private set; }

    public Event<StartCheck>? Start { get; private set; }

    public Schedule<CheckState, CheckTimeout>? Timeout { get; private set; }
}
