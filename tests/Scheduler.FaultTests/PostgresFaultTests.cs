using System.Data;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: PostgreSQL restarts at once (every connection dropped, uncommitted work lost) while tasks fall due.</summary>
public sealed class PostgresFaultTests(ITestOutputHelper output)
{
    /// <remarks>
    /// A node that published a TaskDue but could not record it dispatches the same attempt again once its claim lapses; a completion the saga
    /// could not store in time makes its attempt expire and run again; only instances in flight during the restart. Run at PostgreSQL's default
    /// isolation (ReadCommitted), what PostgreSQL users run; the other fault tests run at SERIALIZABLE, what CockroachDB runs.
    /// </remarks>
    [Fact]
    public Task PostgresRestartedImmediately_AtReadCommitted_EveryTaskCompletes_OnlyWhatWasInFlightRepeats() =>
        FaultSystem.RunAcrossFaultAsync(output, "PostgreSQL restart -m immediate (ReadCommitted)",
            system => system.Database.RestartImmediatelyAsync(),
            (_, window) => FaultAllowance.DatabaseFault(window), isolation: IsolationLevel.ReadCommitted);
}
