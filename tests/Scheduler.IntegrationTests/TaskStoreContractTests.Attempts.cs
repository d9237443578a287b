using Scheduler.Contracts;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of the attempt history (<see cref="IAttemptReader"/>): every transition of an attempt writes its row, as the store's
/// transition does, and the rows go with their instance.</summary>
public abstract partial class TaskStoreContractTests
{
    private async Task<IReadOnlyList<TaskAttemptInfo>> HistoryAsync(Guid id) =>
        TaskInstanceLifecycle.History((await Store.GetInstanceAsync(id))!, await Store.GetAttemptsAsync([id]));

    [Fact]
    public async Task Attempts_KeepEveryAttempt_AcrossAFailure_ARetry_AnExpiry_AndTheCompletion()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        Assert.Empty(await Store.GetAttemptsAsync([id])); // none before the first claim

        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(id, 1, T0)));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([new InstanceOutcome(id, 1, OutcomeKind.Started, T0.AddSeconds(1)) { StartedAt = T0.AddSeconds(1), Worker = "w1/11" }]));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([new InstanceOutcome(id, 1, OutcomeKind.Heartbeat, T0.AddSeconds(2)) { StartedAt = T0.AddSeconds(1) }]));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Failed(id, 1, T0.AddSeconds(3), retryAt: T0.AddSeconds(10)) with { Worker = "w1/11" }]));

        var second = T0.AddSeconds(10);
        Assert.Equal(2, Assert.Single(await ClaimAsync(Claim("node-b", second))).Instance.Attempt);
        await Store.RecordDispatchesAsync(Record("node-b", new DispatchOutcome(id, 2, second)));

        var third = second + definition.ExpireAfter + TimeSpan.FromSeconds(1); // attempt 2 never started: it expired
        Assert.Equal(3, Assert.Single(await ClaimAsync(Claim("node-a", third))).Instance.Attempt);
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(id, 3, third)));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([new InstanceOutcome(id, 3, OutcomeKind.Completed, third.AddSeconds(5))
        {
            StartedAt = third.AddSeconds(1), ReportedCompletedAt = third.AddSeconds(4), Worker = "w2/22",
        }]));

        var history = await HistoryAsync(id);
        Assert.Equal([1, 2, 3], history.Select(a => a.Attempt));
        var (one, two, three) = (history[0], history[1], history[2]);
        Assert.Equal(("node-a", T0, T0, T0.AddSeconds(1), T0.AddSeconds(3)), (one.ClaimedBy, one.ClaimedAt, one.DispatchedAt, one.StartedAt, one.FinishedAt));
        Assert.Equal((AttemptOutcome.Failed, "System.Exception: boom", "w1/11", TimeSpan.FromSeconds(2)), (one.Outcome, one.Error, one.Worker, one.Duration));
        Assert.Equal(("node-b", second, second, (DateTimeOffset?)null), (two.ClaimedBy, two.ClaimedAt, two.DispatchedAt, two.StartedAt));
        Assert.Equal((AttemptOutcome.Expired, TaskInstanceLifecycle.NotStartedReason), (two.Outcome, two.Error));
        Assert.Equal(("node-a", third, third.AddSeconds(1), third.AddSeconds(5)), (three.ClaimedBy, three.DispatchedAt, three.StartedAt, three.FinishedAt));
        Assert.Equal((AttemptOutcome.Completed, (string?)null, "w2/22"), (three.Outcome, three.Error, three.Worker));
    }

    [Fact]
    public async Task Attempts_AReleasedClaimStartsOver_ADispatchRefusedForGoodIsADeadLetter_AndARequeueAddsTheNextAttempt()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        await ClaimAsync(Claim("node-a", T0));
        await Store.ReleaseClaimsAsync(new ReleaseRequest { Owner = "node-a", Claims = [new ClaimToken(id, 1)] });
        Assert.Equal(AttemptOutcome.Released, Assert.Single(await HistoryAsync(id)).Outcome);

        await ClaimAsync(Claim("node-b", T0.AddSeconds(1))); // the same attempt number, claimed again
        var claimed = Assert.Single(await HistoryAsync(id));
        Assert.Equal((1, "node-b", T0.AddSeconds(1), (AttemptOutcome?)null), (claimed.Attempt, claimed.ClaimedBy, claimed.ClaimedAt, claimed.Outcome));

        await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-b", Failures = [new DispatchFailure(id, 1, T0.AddSeconds(2), "The broker refused it.", RetryAt: null)],
        });
        var deadLetter = Assert.Single(await HistoryAsync(id));
        Assert.Equal((AttemptOutcome.DeadLettered, "The broker refused it.", T0.AddSeconds(2)), (deadLetter.Outcome, deadLetter.Error, deadLetter.FinishedAt));

        Assert.Single(await Store.RequeueDeadLettersAsync([id], T0.AddMinutes(1)));
        Assert.Equal(2, Assert.Single(await ClaimAsync(Claim("node-a", T0.AddMinutes(1)))).Instance.Attempt);
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(id, 2, T0.AddMinutes(1))));
        await Store.ApplyOutcomesAsync([Completed(id, 2, T0.AddMinutes(2))]);

        var history = await HistoryAsync(id);
        Assert.Equal([(1, AttemptOutcome.DeadLettered, "node-b"), (2, AttemptOutcome.Completed, "node-a")],
            history.Select(a => (a.Attempt, a.Outcome!.Value, a.ClaimedBy!)));
    }

    [Fact]
    public async Task Attempts_TheLastAttemptExpired_IsWrittenExpired_WithItsReason()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        var at = T0;
        for (var attempt = 1; attempt <= definition.Retry.MaxAttempts; attempt++)
        {
            Assert.Single(await ClaimAsync(Claim("node-a", at)));
            await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(id, attempt, at)));
            at += definition.ExpireAfter + TimeSpan.FromSeconds(1);
        }

        await Store.ApplyOutcomesAsync([Started(id, definition.Retry.MaxAttempts, at - definition.ExpireAfter)]);
        at += definition.ExpireAfter;
        Assert.Single((await Store.ClaimDueInstancesAsync(Claim("node-b", at))).DeadLettered);

        var history = await HistoryAsync(id);
        Assert.Equal(Enumerable.Repeat(AttemptOutcome.Expired, definition.Retry.MaxAttempts), history.Select(a => a.Outcome!.Value));
        Assert.Equal(TaskInstanceLifecycle.NotStartedReason, history[0].Error);
        Assert.Equal((TaskInstanceLifecycle.ExpiredReason, at), (history[^1].Error, history[^1].FinishedAt));
    }

    [Fact]
    public async Task Attempts_GoWithTheirInstance_ByRetentionAndByDelete()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        var ids = instances.Select(i => i.Id).ToList();
        await ClaimAsync(Claim("node-a", T0.AddSeconds(1)));
        await Store.RecordDispatchesAsync(Record("node-a", [.. ids.Select(id => new DispatchOutcome(id, 1, T0.AddSeconds(1)))]));
        await Store.ApplyOutcomesAsync([Completed(ids[0], 1, T0.AddSeconds(2)), Completed(ids[1], 1, T0.AddSeconds(3))]);
        Assert.Equal(2, (await Store.GetAttemptsAsync(ids)).Count);

        await Store.DeleteInstanceAsync(ids[1]);
        Assert.Equal([ids[0]], (await Store.GetAttemptsAsync(ids)).Select(a => a.InstanceId));

        Assert.Equal(1, (await Store.CleanupAsync(new CleanupRequest { FinishedBefore = T0.AddDays(1), MaxCount = 100 })).Instances);
        Assert.Empty(await Store.GetAttemptsAsync(ids));
    }
}
