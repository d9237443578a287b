using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Issue #8: a scheduler node dies or freezes while holding claims; the other node takes them over once their lease ran out, with the same
/// attempt number. Only what the stricken node held may reach a worker twice (it may have published a claim before it died or froze).
/// </summary>
public sealed class NodeFaultTests(ITestOutputHelper output)
{
    private const string Victim = "node-1";

    [Fact]
    public Task NodeKilled_NotRestarted_OtherNodeTakesOverAfterTheLease_OnlyItsClaimsRepeat() =>
        FaultSystem.RunAcrossFaultAsync(output, "node kill -9, no restart", KillAsync, (_, window) => FaultAllowance.NodeFault(window, Victim, andItsReports: false));

    [Fact]
    public Task NodeKilled_ThenRestarted_EveryTaskCompletes_OnlyItsClaimsRepeat() =>
        FaultSystem.RunAcrossFaultAsync(output, "node kill -9, restarted", async system =>
        {
            await KillAsync(system);
            await system.StartNodeAsync(Victim);
            system.Log($"{Victim} running again");
        }, (_, window) => FaultAllowance.NodeFault(window, Victim, andItsReports: false));

    /// <remarks>
    /// The frozen node keeps its connections, so nothing tells the others it is gone; its claims lapse and node-2 takes them over with the
    /// same attempt number. Resumed, the node must not publish on the claims it lost, so an instance may reach a worker twice only if the node
    /// was in the middle of publishing it when it froze (the same attempt), or if the worker's report of its success went to the frozen node's
    /// saga endpoint, which holds what it prefetched unacknowledged, and the attempt expired before the node resumed (the next attempt).
    /// </remarks>
    [Fact]
    public Task NodePausedLongerThanTheLease_ThenResumed_OnlyItsClaimsRepeatTheSameAttempt() =>
        FaultSystem.RunAcrossFaultAsync(output, "node SIGSTOP 20 s (2 leases), SIGCONT", async system =>
        {
            var pause = FaultSystem.LeaseDuration * 2;
            await system.Node(Victim).PauseAsync();
            system.Log($"{Victim} paused (SIGSTOP) for {pause.TotalSeconds:F0} s (the lease is {FaultSystem.LeaseDuration.TotalSeconds:F0} s)");
            await Task.Delay(pause);
            await system.Node(Victim).ResumeAsync();
        }, (_, window) => FaultAllowance.NodeFault(window, Victim, andItsReports: true));

    private static async Task KillAsync(FaultSystem system)
    {
        await system.Node(Victim).KillAsync();
        system.Log($"{Victim} killed (kill -9)");
    }
}
