using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Tests;

/// <summary>
/// A scheduler node and a worker on MassTransit's test harness (in-memory transport), with the node's real loops running on a fake clock:
/// time moves only when a test advances it, so "at the fire time, never before" is checked exactly.
/// </summary>
internal sealed class BusFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    private BusFixture(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Store = provider.GetRequiredService<ITaskStore>();
        Runner = provider.GetRequiredService<RunnerLoop>();
    }

    public FakeTimeProvider Time => (FakeTimeProvider)_provider.GetRequiredService<TimeProvider>();

    public ITestHarness Harness { get; }

    public ITaskStore Store { get; }

    public RunnerLoop Runner { get; }

    public IServiceProvider Services => _provider;

    public static async Task<BusFixture> StartAsync()
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Start))
            .AddLogging();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddSchedulerNode(o => o.NodeId = "test-node").UseInMemoryStore();
            x.AddConsumer<ScriptedTaskConsumer>();
            x.AddTaskReporting();
        });
        var fixture = new BusFixture(services.BuildServiceProvider(validateScopes: true));
        await fixture.Harness.Start();
        return fixture;
    }

    /// <summary>Publishes the command and returns the reply the node published for it.</summary>
    public async Task<object> ScheduleAsync(ScheduleTask command)
    {
        var taskId = command.TaskId ?? Guid.NewGuid();
        await Harness.Bus.Publish(command with { TaskId = taskId });
        await Eventually(async () =>
            await Harness.Published.Any<TaskScheduled>(m => m.Context.Message.TaskId == taskId)
            || await Harness.Published.Any<TaskRejected>(m => m.Context.Message.TaskId == taskId));
        var scheduled = Harness.Published.Select<TaskScheduled>(m => m.Context.Message.TaskId == taskId).FirstOrDefault();
        return scheduled is not null
            ? scheduled.Context.Message
            : Harness.Published.Select<TaskRejected>(m => m.Context.Message.TaskId == taskId).First().Context.Message;
    }

    public async Task<TaskInstance> WaitForInstanceAsync(Guid taskId, Func<TaskInstance, bool> condition)
    {
        TaskInstance? found = null;
        await Eventually(async () =>
        {
            found = (await Store.GetInstancesAsync(taskId)).FirstOrDefault(condition);
            return found is not null;
        });
        return found!;
    }

    public IReadOnlyList<TaskDue> ConsumedTaskDue(Guid taskId) =>
        Harness.Consumed.Select<TaskDue>(m => m.Context.Message.TaskId == taskId).Select(m => m.Context.Message).OrderBy(m => m.Attempt).ToList();

    /// <summary>Waits (in real time, bounded) for asynchronous bus and loop work to reach a state.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string? because = null)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"Condition not reached within 10 s{(because is null ? "" : ": " + because)}.");
    }

    public static Task Eventually(Func<bool> condition, string? because = null) => Eventually(() => Task.FromResult(condition()), because);

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

/// <summary>A worker's consumer whose behaviour the task's metadata scripts: "behavior" = fail-once | fail-always | hang-first | hang-always.</summary>
internal sealed class ScriptedTaskConsumer : IConsumer<TaskDue>
{
    public async Task Consume(ConsumeContext<TaskDue> context)
    {
        var due = context.Message;
        switch (due.Metadata.GetValueOrDefault("behavior"))
        {
            case "fail-once" when due.Attempt == 1:
            case "fail-always":
                throw new InvalidOperationException($"scripted failure of attempt {due.Attempt}");
            case "hang-first" when due.Attempt == 1:
            case "hang-always":
                await Task.Delay(Timeout.Infinite, context.CancellationToken); // a worker that never finishes (as if it died)
                break;
        }
    }
}
