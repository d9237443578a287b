using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Tests.Definitions;

public class TaskDefinitionFactoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<ScheduleTask, string> InvalidCommands => new()
    {
        { new ScheduleTask { Trigger = "" }, "Trigger is empty" },
        { new ScheduleTask { Trigger = "   " }, "Trigger is empty" },
        { new ScheduleTask { Trigger = "* * * * *", Metadata = new Dictionary<string, string> { [" "] = "v" } }, "Metadata key is empty" },
        { new ScheduleTask { Trigger = "*/5 * * *" }, "'*/5 * * *' has 4 fields" },
        { new ScheduleTask { Trigger = "* * * * *", TimeZone = "Mars/Olympus_Mons" }, "Unknown time zone 'Mars/Olympus_Mons'" },
        { new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.Zero }, "ExpireAfter 00:00:00 is out of range" },
        { new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.FromSeconds(-5) }, "ExpireAfter -00:00:05 is out of range" },
        { new ScheduleTask { Trigger = "* * * * *", Retry = new RetryPolicy { MaxAttempts = 0 } }, "Retry.MaxAttempts 0" },
        { new ScheduleTask { Trigger = "* * * * *", Retry = new RetryPolicy { BackoffMultiplier = 0.5 } }, "Retry.BackoffMultiplier 0.5" },
        { new ScheduleTask { Trigger = "* * * * *", Retry = new RetryPolicy { MaxBackoff = TimeSpan.Zero } }, "Retry.MaxBackoff 00:00:00" },
        { new ScheduleTask { Trigger = "* * * * *", Payload = "a\0b" }, "Payload contains a NUL character" },
        { new ScheduleTask { Trigger = "* * * * *", Metadata = new Dictionary<string, string> { ["k"] = "v\0" } }, "Metadata 'k' contains a NUL" },
        { new ScheduleTask { Trigger = "* * * * *", Metadata = Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", i => "v") }, "Metadata has 65 entries" },
        { new ScheduleTask { Trigger = "* * * * *", Payload = new string('x', TaskDefinitionFactory.MaxPayloadLength + 1) }, "Payload is 262145 characters long" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "my queue" }, "DestinationQueue 'my queue' contains white space" },
        { new ScheduleTask { Trigger = "0 0 30 2 *" }, "Trigger '0 0 30 2 *' never fires" }, // February 30th
        { new ScheduleTask { Trigger = "* * * * *", TriggerKind = (TriggerKind)42 }, "TriggerKind 42 is unknown" },
    };

    [Theory]
    [MemberData(nameof(InvalidCommands))]
    public void Create_ThrowsNamingTheValue_WhenCommandIsInvalid(ScheduleTask command, string expected)
    {
        var ex = Assert.Throws<TaskValidationException>(() => TaskDefinitionFactory.Create(command, Now));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AppliesDefaultsAndFirstFireTime_WhenCommandIsMinimal()
    {
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "0 9 * * *", TimeZone = "Europe/Berlin" }, Now);

        Assert.Equal(TriggerKind.Cron, definition.TriggerKind);
        Assert.Equal(TaskDefinitionFactory.DefaultExpireAfter, definition.ExpireAfter);
        Assert.Equal(RetryPolicy.Default, definition.Retry);
        Assert.Equal(Now, definition.StartAt);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero), definition.NextFireTime); // 09:00 CET = 08:00Z
    }

    [Fact]
    public void Create_KeepsAPastExecuteOnceInstant_SoTheTaskFiresAtOnce()
    {
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "2024-12-31T23:59:00Z" }, Now);

        Assert.Equal(new DateTimeOffset(2024, 12, 31, 23, 59, 0, TimeSpan.Zero), definition.NextFireTime);
    }

    [Fact]
    public void Create_StartsAtStartAt_WhenGiven()
    {
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "0 * * * *", StartAt = Now.AddHours(5) }, Now);

        Assert.Equal(Now.AddHours(5), definition.NextFireTime);
    }
}

public class BackoffTests
{
    [Theory]
    // min(1 s × 2^(n-1), 5 min), hand-computed.
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 16)]
    [InlineData(9, 256)]
    [InlineData(10, 300)]
    [InlineData(60, 300)]
    public void Delay_GrowsExponentiallyUpToMaxBackoff(int failedAttempt, double expectedSeconds)
    {
        var policy = new RetryPolicy { Jitter = false };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Backoff.Delay(policy, failedAttempt, () => 0.99));
    }

    [Fact]
    public void Delay_AddsAtMostTwentyPercent_WhenJitterIsOn()
    {
        var policy = new RetryPolicy { InitialBackoff = TimeSpan.FromSeconds(10) };

        Assert.Equal(TimeSpan.FromSeconds(10), Backoff.Delay(policy, 1, () => 0));
        Assert.Equal(TimeSpan.FromSeconds(11), Backoff.Delay(policy, 1, () => 0.5));
    }
}
