using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: PostgreSQL restarts at once (every connection dropped, uncommitted work lost) while tasks fall due.</summary>
public sealed class PostgresFaultTests(ITestOutputHelper output)
{
    /// <remarks>
    /// A node that published a TaskDue but could not record it may dispatch the instance again with the next attempt (at-least-once), only an
    /// instance in flight at the restart; never the same attempt twice, as no broker redelivery is involved.
    /// </remarks>
    [Fact]
    public Task PostgresRestartedImmediately_EveryTaskCompletes_NoneStrandedEarlyOrOutOfOrder() =>
        FaultSystem.RunAcrossFaultAsync(output, "PostgreSQL restart -m immediate", async system =>
        {
            await system.Database.RestartImmediatelyAsync();
            return FaultAllowance.InFlight(sameAttemptMayRepeat: false);
        });
}
