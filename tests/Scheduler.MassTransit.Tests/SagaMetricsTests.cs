using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Tests;

/// <summary>
/// Issue #12, item 5: the saga's outcomes are counted once the store applied them — failed attempts, the retry, and the dead letter of the
/// last failed attempt (cause <c>failed</c>), beside the runner's causes. MassTransit's test harness, fake time.
/// </summary>
public class SagaMetricsTests
{
    [Fact]
    public async Task WorkerFailures_AreCountedAsFailedAttempts_ARetry_AndADeadLetterWithCauseFailed()
    {
        await using var f = await BusFixture.StartAsync();
        var counts = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        var meters = f.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var cause = "";
            foreach (var tag in tags)
            {
                cause = tag.Key == "scheduler.cause" ? "/" + tag.Value : cause;
            }

            counts.AddOrUpdate(instrument.Name + cause, value, (_, sum) => sum + value);
        });
        listener.Start();

        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = BusFixture.Start.ToString("O", CultureInfo.InvariantCulture),
            Metadata = new Dictionary<string, string> { ["behavior"] = "fail-always" },
            Retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1), Jitter = false },
        }));
        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Scheduled && i.Attempt == 1);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Failed);
        await BusFixture.Eventually(() => counts.GetValueOrDefault("scheduler.instances.dead_lettered/failed") == 1, "the dead letter is counted");

        Assert.Equal(2, counts.GetValueOrDefault("scheduler.attempts.failed"));
        Assert.Equal(1, counts.GetValueOrDefault("scheduler.attempts.retried"));
        Assert.Equal(2, counts.GetValueOrDefault("messaging.client.sent.messages"));
        Assert.Equal(0, counts.GetValueOrDefault("scheduler.instances.completed"));
    }
}
