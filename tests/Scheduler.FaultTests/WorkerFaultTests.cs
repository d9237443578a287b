using System.Globalization;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: a worker dies in the middle of its handlers; the other worker of the queue finishes their tasks.</summary>
public sealed class WorkerFaultTests(ITestOutputHelper output)
{
    private const string Victim = "worker-1";
    private static readonly TimeSpan HandlerDelay = TimeSpan.FromMilliseconds(500);

    /// <remarks>
    /// Each handler takes 500 ms, so the killed worker has several in progress, unacknowledged: the broker hands them to worker-2 again (the
    /// same attempt). Only what the killed worker was running may repeat.
    /// </remarks>
    [Fact]
    public async Task WorkerKilledMidHandler_TheOtherWorkerFinishesItsTasks_OnlyWhatItWasRunningRepeats()
    {
        var running = new HashSet<Guid>();
        await FaultSystem.RunAcrossFaultAsync(output, "worker kill -9 mid-handler", async system =>
        {
            await system.Worker(Victim).KillAsync();
            // What it had started and not finished (no done line) when it died: exactly its handlers in flight.
            running = system.Deliveries().Where(d => d.Worker == Victim && d.DoneAt is null).Select(d => d.InstanceId).ToHashSet();
            system.Log($"{Victim} killed (kill -9) with {running.Count} handlers running");
            Assert.True(running.Count > 0, $"{Victim} was killed mid-handler (a handler ran when it died)");
        }, (system, _) => FaultAllowance.WorkerFault(system.Deliveries(), Victim, running),
            new Dictionary<string, string> { ["Worker:HandlerDelay"] = HandlerDelay.ToString("c", CultureInfo.InvariantCulture) });
    }
}
