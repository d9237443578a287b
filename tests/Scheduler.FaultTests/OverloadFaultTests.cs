using Scheduler.Contracts;
using Scheduler.FaultTests.Records;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Issue #8: the workers' reports of success wait in the queue longer than ExpireAfter (the scheduler is overloaded: here both nodes are frozen
/// right after a wave of 300 tasks was dispatched). The late successes must count: no task whose handler succeeded is dead-lettered.
/// </summary>
public sealed class OverloadFaultTests(ITestOutputHelper output)
{
    private const int WaveSize = 300;

    /// <summary>Over how long the other 700 tasks fall due: 17.5 a second, so the tasks that fall due while the nodes are frozen come due
    /// together when they resume and wait in the workers' queue, some longer than ExpireAfter: a wait in the queue does not count against it.</summary>
    private static readonly TimeSpan RestSpread = TimeSpan.FromSeconds(40);

    /// <remarks>
    /// The tasks allow one attempt (<see cref="RetryPolicy.None"/>), so that a node resuming after the pause finds the wave's attempts expired
    /// and, if it did not count the queued successes, would dead-letter them at once; and any claim lapsed during the pause that were taken
    /// over with a second attempt would show as an attempt above the maximum. Handlers take 1 s, so most of the wave's reports are sent after
    /// the nodes froze.
    /// </remarks>
    [Fact]
    public async Task CompletionsDelayedPastExpireAfter_BothNodesPaused_LateSuccessesCount_NothingDeadLettered()
    {
        await using var system = await FaultSystem.StartAsync(output, new Dictionary<string, string> { ["Worker:HandlerDelay"] = "00:00:01" });
        var first = FaultSystem.Now + TimeSpan.FromSeconds(20);
        var waveDue = first + TimeSpan.FromSeconds(10);
        var wave = Enumerable.Range(0, WaveSize).Select(i => FaultSystem.NewTask(waveDue + TimeSpan.FromMilliseconds(i))).ToList();
        var rest = FaultSystem.Tasks(1000 - WaveSize, first, RestSpread);
        var tasks = wave.Concat(rest).Select(t => t with { Retry = RetryPolicy.None }).ToList();
        var taskIds = await system.ScheduleAsync(tasks);
        var waveIds = taskIds.Take(WaveSize).ToArray();

        await system.UntilAsync(async connection =>
        {
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM task_instances WHERE definition_id = ANY(@ids) AND status IN (1, 2)", connection);
            command.Parameters.AddWithValue("ids", waveIds);
            return (long)(await command.ExecuteScalarAsync())! == WaveSize;
        }, $"the wave of {WaveSize} tasks is dispatched", TimeSpan.FromMinutes(2));
        await using var window = await FaultWindow.OpenAsync(system);
        var faultStart = FaultSystem.Now;
        await Task.WhenAll(system.Node("node-1").PauseAsync(), system.Node("node-2").PauseAsync());
        var pause = FaultSystem.ExpireAfter + TimeSpan.FromSeconds(10);
        system.Log($"both nodes paused (SIGSTOP) for {pause.TotalSeconds:F0} s (ExpireAfter {FaultSystem.ExpireAfter.TotalSeconds:F0} s)");
        await Task.Delay(pause);
        await Task.WhenAll(system.Node("node-1").ResumeAsync(), system.Node("node-2").ResumeAsync());
        var faultEnd = FaultSystem.Now;
        system.Log("both nodes resumed (SIGCONT)");
        var recovered = await system.WaitForRecoveryAsync(faultEnd);
        await window.CloseAsync();

        await system.WaitUntilFinalAsync(taskIds, first + RestSpread);
        await FaultVerdict.VerifyAsync(system, new FaultExpectation(
            "completions delayed past ExpireAfter (both nodes SIGSTOP 30 s after a wave of 300)", taskIds, faultStart, faultEnd,
            FaultAllowance.NodesFrozen(window))
        {
            RecoveredAt = recovered,
        }, output);
    }
}
