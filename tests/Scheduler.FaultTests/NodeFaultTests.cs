using Scheduler.FaultTests.Records;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Issue #8: a scheduler node dies or freezes while holding claims; the other node takes them over once their lease ran out, with the same
/// attempt number. Only what the stricken node held may reach a worker twice (it may have published a claim before it died or froze).
/// </summary>
public sealed class NodeFaultTests(ITestOutputHelper output)
{
    private const string Victim = "node-1";

    /// <summary>
    /// How many workers' reports a paused node can hold unacknowledged: its saga endpoint's prefetch (TaskInstanceSagaDefinition, 256). The
    /// broker hands them to no one else while the node's connection stays open, so their instances expire and are dispatched again.
    /// </summary>
    private const int PausedReports = 256;

    [Fact]
    public Task NodeKilled_NotRestarted_OtherNodeTakesOverAfterTheLease_EveryTaskCompletes() =>
        FaultSystem.RunAcrossFaultAsync(output, "node kill -9, no restart", KillAsync);

    [Fact]
    public Task NodeKilled_ThenRestarted_EveryTaskCompletes_OnlyItsClaimsRepeat() =>
        FaultSystem.RunAcrossFaultAsync(output, "node kill -9, restarted", async system =>
        {
            var allowance = await KillAsync(system);
            await system.StartNodeAsync(Victim);
            system.Log($"{Victim} running again");
            return allowance;
        });

    /// <remarks>
    /// The frozen node keeps its connections, so nothing tells the others it is gone; its claims lapse and node-2 takes them over with the
    /// next attempt. Resumed, the node must not publish on the claims it lost, so an instance may reach a worker twice only if the node was
    /// in the middle of publishing it when it froze, or if the worker's report of its success went to the frozen node's saga endpoint (which
    /// had prefetched it) and the attempt expired before the node resumed.
    /// </remarks>
    [Fact]
    public Task NodePausedLongerThanTheLease_ThenResumed_EveryTaskCompletes_NoAttemptTwice() =>
        FaultSystem.RunAcrossFaultAsync(output, "node SIGSTOP 20 s (2 leases), SIGCONT", async system =>
        {
            var pause = FaultSystem.LeaseDuration * 2;
            await system.Node(Victim).PauseAsync();
            var held = await system.InstancesAsync([InstanceRow.Claimed], Victim); // a frozen node writes nothing: exactly its claims
            system.Log($"{Victim} paused (SIGSTOP) holding {held.Count} claims, for {pause.TotalSeconds:F0} s (the lease is {FaultSystem.LeaseDuration.TotalSeconds:F0} s)");
            await Task.Delay(pause);
            await system.Node(Victim).ResumeAsync();
            return FaultAllowance.Claims(held, $"the {held.Count} claims {Victim} held when paused (taken over with the same attempt; it may have published some), and at most " +
                $"{PausedReports} instances in flight whose TaskCompleted {Victim} had prefetched and held unacknowledged while paused (its saga endpoint's " +
                "prefetch), so they expired and were dispatched again") with
            {
                InFlightWindow = true,
                MaxInFlight = PausedReports,
            };
        });

    private static async Task<FaultAllowance> KillAsync(FaultSystem system)
    {
        await system.Node(Victim).KillAsync();
        var held = await system.InstancesAsync([InstanceRow.Claimed], Victim); // exactly its claims: a dead node writes nothing
        system.Log($"{Victim} killed (kill -9) holding {held.Count} claims");
        return FaultAllowance.Claims(held, $"the {held.Count} claims {Victim} held when killed (taken over with the same attempt; it may have published some)");
    }
}
