using System.Globalization;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: a worker dies in the middle of its handlers; the other worker of the queue finishes their tasks.</summary>
public sealed class WorkerFaultTests(ITestOutputHelper output)
{
    private const string Victim = "worker-1";
    private static readonly TimeSpan HandlerDelay = TimeSpan.FromMilliseconds(500);

    /// <remarks>
    /// Each handler takes 500 ms, so the killed worker has several in progress, unacknowledged: the broker hands them to worker-2 again
    /// (the same attempt), or, once their ExpireAfter ran out, a node dispatches the next attempt. Only what the killed worker had received
    /// shortly before it died may repeat.
    /// </remarks>
    [Fact]
    public Task WorkerKilledMidHandler_TheOtherWorkerFinishesItsTasks_EveryTaskCompletes() =>
        FaultSystem.RunAcrossFaultAsync(output, "worker kill -9 mid-handler", async system =>
        {
            var killedAt = FaultSystem.Now;
            await system.Worker(Victim).KillAsync();
            var received = system.Deliveries().Where(d => d.Worker == Victim).ToList();
            var inHandler = received.Count(d => d.ReceivedAt > killedAt - HandlerDelay);
            system.Log($"{Victim} killed (kill -9) with {inHandler} handlers started within the last {HandlerDelay.TotalMilliseconds:F0} ms");
            Assert.True(inHandler > 0, $"{Victim} was killed mid-handler (a handler started within {HandlerDelay.TotalMilliseconds:F0} ms before the kill)");

            // What it may not have acknowledged yet: received within the last 5 s (a 500 ms handler, then the acknowledgement on a loaded machine).
            var unacknowledged = received.Where(d => d.ReceivedAt > killedAt - TimeSpan.FromSeconds(5)).Select(d => d.InstanceId).ToHashSet();
            return FaultAllowance.Only(unacknowledged,
                $"the {unacknowledged.Count} instances {Victim} received within 5 s before it was killed, whose unacknowledged messages the broker redelivers",
                sameAttemptMayRepeat: true);
        }, new Dictionary<string, string> { ["Worker:HandlerDelay"] = HandlerDelay.ToString("c", CultureInfo.InvariantCulture) });
}
