using Scheduler.Contracts;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IAdminStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task GetInstances_OrdersByFireTime()
    {
        var (definition, _) = await SeedAsync(Store, T0.AddSeconds(3), T0.AddSeconds(1), T0.AddSeconds(2));

        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], (await Store.GetInstancesAsync(definition.Id)).Select(i => i.FireTime));
    }

    [Fact]
    public async Task RequeueDeadLetters_SchedulesEachDeadLetterNow_WithAFreshAttemptBudget_AndLeavesOthersAlone()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        var claims = await ClaimAsync(Claim("node-a", T0.AddSeconds(1)));
        var dead = claims.Single(c => c.Instance.Id == instances[0].Id).Instance;
        Assert.Single(await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-a",
            Failures = [new DispatchFailure(dead.Id, dead.Attempt, T0.AddSeconds(2), "invalid destination", null)],
        }));
        var before = (await Store.GetInstanceAsync(dead.Id))!;
        var budget = definition.Retry.MaxAttempts;
        var now = T0.AddMinutes(5);

        // The claimed (not dead) instance and a missing id are left out; a repeated id counts once.
        var requeued = await Store.RequeueDeadLettersAsync([dead.Id, instances[1].Id, Guid.NewGuid(), dead.Id], now);

        Assert.Equal([dead.Id], requeued);
        var stored = (await Store.GetInstanceAsync(dead.Id))!;
        Assert.Equal(TaskInstanceState.Scheduled, stored.Status);
        Assert.Equal(now, stored.DueAt);
        Assert.Equal(before.Attempt, stored.Attempt);
        Assert.Equal(before.Attempt + budget, stored.MaxAttempts);
        Assert.Equal(definition.Retry, stored.Retry);
        Assert.Null(stored.FailedAt);
        Assert.Null(stored.FinishedAt);
        Assert.Equal("invalid destination", stored.LastError);
        Assert.Equal(before.Version + 1, stored.Version);
        Assert.Equal(TaskInstanceState.Claimed, (await Store.GetInstanceAsync(instances[1].Id))!.Status);
        Assert.Empty(await Store.RequeueDeadLettersAsync([dead.Id], now)); // Scheduled now: not a dead letter

        // A report of the dead attempt stays fenced out. The fresh budget's attempts run with the policy's backoff from its first delay
        // (3 s doubling), and the last one's failure dead-letters it again.
        Assert.Equal([false], await Store.ApplyOutcomesAsync([Started(dead.Id, before.Attempt, now)]));
        var at = now;
        var delays = new List<TimeSpan>();
        for (var attempt = before.Attempt + 1; ; attempt++)
        {
            var claim = Assert.Single(await ClaimAsync(Claim("node-a", at)), c => c.Instance.Id == dead.Id).Instance;
            Assert.Equal((attempt, before.Attempt + budget), (claim.Attempt, claim.MaxAttempts));
            var retryAt = TaskInstanceLifecycle.RetryAt(claim, attempt, at);
            Assert.Single(await Store.FailDispatchesAsync(new DispatchFailureRequest
            {
                Owner = "node-a",
                Failures = [new DispatchFailure(dead.Id, attempt, at, "still invalid", retryAt)],
            }));
            if (retryAt is not { } next)
            {
                break;
            }

            delays.Add(next - at);
            at = next;
        }

        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(12)], delays);
        var again = (await Store.GetInstanceAsync(dead.Id))!;
        Assert.Equal((TaskInstanceState.Failed, before.Attempt + budget), (again.Status, again.Attempt));

        // A second requeue gives the same budget again, counted from where it stands.
        Assert.Equal([dead.Id], await Store.RequeueDeadLettersAsync([dead.Id], at));
        Assert.Equal(before.Attempt + 2 * budget, (await Store.GetInstanceAsync(dead.Id))!.MaxAttempts);
    }

    [Fact]
    public async Task RequeueMatchingDeadLetters_RequeuesTheOldestMatches_UpToTheLimit_AndSaysWhetherMoreMatch()
    {
        var (reports, _) = await SeedAsync(Store);
        var mail = Definition(nextFireTime: null, destinationQueue: "mail");
        await Store.AddDefinitionAsync(mail);
        var r1 = await AddDeadLetterAsync(reports, T0.AddMinutes(1), failedAt: T0.AddMinutes(13));
        var r2 = await AddDeadLetterAsync(reports, T0.AddMinutes(2), failedAt: T0.AddMinutes(11));
        var r3 = await AddDeadLetterAsync(reports, T0.AddMinutes(3), failedAt: T0.AddMinutes(12));
        var m1 = await AddDeadLetterAsync(mail, T0.AddMinutes(1), failedAt: T0.AddMinutes(10));
        var now = T0.AddHours(1);

        var first = await Store.RequeueMatchingDeadLettersAsync(Request(now, new() { Limit = 2, TaskId = reports.Id }));
        var second = await Store.RequeueMatchingDeadLettersAsync(Request(now, new() { Limit = 2, TaskId = reports.Id }));
        var none = await Store.RequeueMatchingDeadLettersAsync(Request(now, new() { Limit = 2, TaskId = reports.Id }));

        Assert.Equal([r2, r3], first.Requeued);
        Assert.True(first.More);
        Assert.Equal([r1], second.Requeued);
        Assert.False(second.More);
        Assert.Empty(none.Requeued);
        Assert.False(none.More);
        var requeued = (await Store.GetInstanceAsync(r1))!;
        Assert.Equal((TaskInstanceState.Scheduled, now, 4 + reports.Retry.MaxAttempts), (requeued.Status, requeued.DueAt, requeued.MaxAttempts));
        Assert.Equal(TaskInstanceState.Failed, (await Store.GetInstanceAsync(m1))!.Status); // another task's
    }

    [Fact]
    public async Task RequeueMatchingDeadLetters_FiltersByTimeAndQueue_AndLeavesWhatIsNoDeadLetterAlone()
    {
        var (reports, live) = await SeedAsync(Store, T0);
        var mail = Definition(nextFireTime: null, destinationQueue: "mail");
        await Store.AddDefinitionAsync(mail);
        var early = await AddDeadLetterAsync(reports, T0.AddMinutes(1), failedAt: T0.AddMinutes(9));
        var atSince = await AddDeadLetterAsync(reports, T0.AddMinutes(2), failedAt: T0.AddMinutes(10));
        var inside = await AddDeadLetterAsync(mail, T0.AddMinutes(3), failedAt: T0.AddMinutes(15));
        var atUntil = await AddDeadLetterAsync(reports, T0.AddMinutes(4), failedAt: T0.AddMinutes(20));
        var now = T0.AddHours(1);
        var window = new DeadLetterFilter { Since = T0.AddMinutes(10), Until = T0.AddMinutes(20) };

        var byQueue = await Store.RequeueMatchingDeadLettersAsync(Request(now, window with { DestinationQueue = "reports" }));
        var byTime = await Store.RequeueMatchingDeadLettersAsync(Request(now, window));
        var repeat = await Store.RequeueMatchingDeadLettersAsync(Request(now, window));
        var all = await Store.RequeueMatchingDeadLettersAsync(Request(now, new()));

        Assert.Equal([atSince], byQueue.Requeued);
        Assert.False(byQueue.More);
        Assert.Equal([inside], byTime.Requeued);
        Assert.Empty(repeat.Requeued);
        Assert.Equal([early, atUntil], all.Requeued); // oldest first; the live (Scheduled) instance is no dead letter
        Assert.Equal(TaskInstanceState.Scheduled, (await Store.GetInstanceAsync(live[0].Id))!.Status);
        Assert.Equal(T0, (await Store.GetInstanceAsync(live[0].Id))!.DueAt);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.RequeueMatchingDeadLettersAsync(Request(now, new() { Limit = 0 })));
    }

    private static DeadLetterRequeueRequest Request(DateTimeOffset now, DeadLetterFilter filter) => new() { Now = now, Filter = filter };

    /// <summary>Adds to <paramref name="definition"/> a dead letter, as the saga leaves one: Failed at <paramref name="failedAt"/> after its
    /// policy's last attempt.</summary>
    private async Task<Guid> AddDeadLetterAsync(Core.Definitions.TaskDefinition definition, DateTimeOffset fireTime, DateTimeOffset failedAt)
    {
        var instance = Instance(definition, fireTime);
        instance.Status = TaskInstanceState.Failed;
        instance.DueAt = null;
        instance.Attempt = definition.Retry.MaxAttempts;
        instance.DispatchedAt = failedAt.AddSeconds(-1);
        instance.FailedAt = failedAt;
        instance.FinishedAt = failedAt;
        instance.LastError = "System.Exception: boom";
        Assert.True((await Store.AddInstanceAsync(instance)).Added);
        return instance.Id;
    }
}
