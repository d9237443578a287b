using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Triggers;

namespace Scheduler.Core.Tests.Definitions;

/// <summary>Extreme and malformed commands: each is rejected with a <see cref="TaskValidationException"/> naming the value, or accepted
/// with a trigger the scheduler loop can plan; no other exception escapes.</summary>
public class TaskDefinitionFactoryExtremeInputTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<ScheduleTask, string> RejectedCommands => new()
    {
        // Instants outside the supported range, however they are written.
        { new ScheduleTask { Trigger = "0001-01-01T00:00:00Z" }, "first fires at 0001-01-01T00:00:00.0000000+00:00, which is outside the supported range" },
        { new ScheduleTask { Trigger = "1969-12-31T23:59:59Z" }, "first fires at 1969-12-31T23:59:59.0000000+00:00, which is outside the supported range" },
        { new ScheduleTask { Trigger = "0001-01-01T00:00:00", TimeZone = "Asia/Tokyo" }, "is outside the supported range" },
        { new ScheduleTask { Trigger = "0001-01-01T00:00:00+14:00" }, "is outside the supported range" },
        { new ScheduleTask { Trigger = "9999-12-31T23:59:59Z" }, "first fires at 9999-12-31T23:59:59.0000000+00:00, which is outside the supported range" },
        { new ScheduleTask { Trigger = "9999-12-31T23:59:59", TimeZone = "Pacific/Kiritimati" }, "is outside the supported range" },
        { new ScheduleTask { Trigger = "at 9999-12-31 23:59", TimeZone = "America/New_York" }, "Trigger 'at 9999-12-31 23:59' cannot be evaluated" },
        { new ScheduleTask { Trigger = "in 100000 weeks", StartAt = TriggerInstants.Max }, "Trigger 'in 100000 weeks' cannot be evaluated" },
        { new ScheduleTask { Trigger = "* * * * *", StartAt = DateTimeOffset.MaxValue }, "StartAt 9999-12-31T23:59:59.9999999+00:00 is outside the supported range" },
        { new ScheduleTask { Trigger = "* * * * *", StartAt = DateTimeOffset.MinValue }, "StartAt 0001-01-01T00:00:00.0000000+00:00 is outside the supported range" },
        { new ScheduleTask { Trigger = "FREQ=DAILY", StartAt = DateTimeOffset.MaxValue }, "StartAt 9999-12-31T23:59:59.9999999+00:00 is outside" },
        { new ScheduleTask { Trigger = "every other tuesday at 9am", StartAt = DateTimeOffset.MinValue }, "StartAt 0001-01-01T00:00:00.0000000+00:00 is outside" },
        { new ScheduleTask { Trigger = "in 2 hours", StartAt = DateTimeOffset.MaxValue }, "StartAt 9999-12-31T23:59:59.9999999+00:00 is outside" },
        { new ScheduleTask { Trigger = "in 2 hours", StartAt = DateTimeOffset.MinValue }, "StartAt 0001-01-01T00:00:00.0000000+00:00 is outside" },
        { new ScheduleTask { Trigger = "DTSTART:99991231T235959Z\nRRULE:FREQ=SECONDLY" }, "never fires" },
        { new ScheduleTask { Trigger = "FREQ=DAILY;UNTIL=99991231T235959Z", TimeZone = "Pacific/Kiritimati", StartAt = new DateTimeOffset(9999, 12, 30, 0, 0, 0, TimeSpan.Zero) }, "is outside the supported range" },

        // Rules that never match are "never fires", not an evaluation crash.
        { new ScheduleTask { Trigger = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" }, "Trigger 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' never fires" },
        { new ScheduleTask { Trigger = "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99" }, "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99" },

        // Time zone ids that are files or directories, or carry white space.
        { new ScheduleTask { Trigger = "* * * * *", TimeZone = "America" }, "Unknown time zone 'America'" },
        { new ScheduleTask { Trigger = "* * * * *", TimeZone = "America/New_York " }, "Unknown time zone 'America/New_York ' (it has leading or trailing white space)" },

        // Non-ASCII digits in phrases.
        { new ScheduleTask { Trigger = "every day at ９am" }, "Could not understand the trigger 'every day at ９am'" },
        { new ScheduleTask { Trigger = "every ２ hours" }, "Could not understand the trigger 'every ２ hours'" },

        // Text that is not valid UTF-16 cannot be stored (PostgreSQL) or sent (UTF-8 JSON).
        { new ScheduleTask { Trigger = "* * * * *", Metadata = new Dictionary<string, string> { ["k"] = "a\uD800b" } }, "Metadata 'k' contains an unpaired surrogate U+D800 at index 1" },
        { new ScheduleTask { Trigger = "* * * * *", Metadata = new Dictionary<string, string> { ["\uDC00"] = "v" } }, "Metadata key contains an unpaired surrogate U+DC00 at index 0" },
        { new ScheduleTask { Trigger = "* * * * *", Payload = "{}\uD800" }, "Payload contains an unpaired surrogate U+D800 at index 2" },
        { new ScheduleTask { Trigger = "* * * * *", IdempotencyKey = "\uDBFF\uDBFF" }, "IdempotencyKey contains an unpaired surrogate U+DBFF at index 0" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "q\uDFFF" }, "DestinationQueue 'q\\uDFFF' contains U+DFFF, which is not allowed in a queue name" },

        // Destinations RabbitMQ or MassTransit refuse, or that would address something else, are refused when the task is scheduled (issue #8).
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "amq.tasks" }, "DestinationQueue 'amq.tasks' starts with 'amq.', a prefix RabbitMQ reserves" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "AMQ.gen-1" }, "DestinationQueue 'AMQ.gen-1' starts with 'amq.'" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "../other-vhost/q" }, "DestinationQueue '../other-vhost/q' contains '/', which is not allowed" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "billing\"q" }, "DestinationQueue 'billing\"q' contains '\"', which is not allowed" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "billing q" }, "DestinationQueue 'billing q' contains white space" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = ".." }, "DestinationQueue '..' is only dots" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = "" }, "DestinationQueue is empty" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = new string('q', 256) }, "is 256 bytes long; RabbitMQ allows at most 255" },
        { new ScheduleTask { Trigger = "* * * * *", DestinationQueue = new string('é', 128) }, "is 256 bytes long; RabbitMQ allows at most 255" },

        // Durations the stores cannot hold as given (PostgreSQL intervals keep microseconds) are refused, not silently rounded.
        { new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.FromTicks(1) }, "ExpireAfter 00:00:00.0000001 is out of range" },
        { new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.FromMilliseconds(999) }, "at least 1 second" },
        { new ScheduleTask { Trigger = "* * * * *", ExpireAfter = TimeSpan.FromTicks((TimeSpan.TicksPerSecond * 5) + 1) }, "ExpireAfter 00:00:05.0000001 has a fraction of a millisecond" },
        { new ScheduleTask { Trigger = "* * * * *", Retry = new RetryPolicy { InitialBackoff = TimeSpan.FromTicks(5) } }, "Retry.InitialBackoff 00:00:00.0000005 has a fraction of a millisecond" },
        { new ScheduleTask { Trigger = "every day at 9am \uD800" }, "Trigger contains an unpaired surrogate U+D800 at index 17" },
    };

    [Theory]
    [MemberData(nameof(RejectedCommands))]
    public void Create_RejectsNamingTheValue_WhenAValueIsExtremeOrMalformed(ScheduleTask command, string expected)
    {
        var ex = Assert.Throws<TaskValidationException>(() => TaskDefinitionFactory.Create(command, Now));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<ScheduleTask> AcceptedCommands => new()
    {
        new ScheduleTask { Trigger = "FREQ=YEARLY;INTERVAL=9000" },
        new ScheduleTask { Trigger = "FREQ=MONTHLY;INTERVAL=2147483647" },
        new ScheduleTask { Trigger = "FREQ=DAILY;INTERVAL=2147483647" },
        new ScheduleTask { Trigger = "FREQ=WEEKLY;INTERVAL=2147483647" },
        new ScheduleTask { Trigger = "FREQ=SECONDLY;INTERVAL=2147483647" },
        new ScheduleTask { Trigger = "* * * * * *", StartAt = TriggerInstants.Max.AddSeconds(-2) },
        new ScheduleTask { Trigger = "FREQ=SECONDLY", StartAt = TriggerInstants.Max.AddSeconds(-2), TimeZone = "Pacific/Kiritimati" },
        new ScheduleTask { Trigger = "every day at 11pm", StartAt = TriggerInstants.Max.AddDays(-1), TimeZone = "Pacific/Pago_Pago" },
        new ScheduleTask { Trigger = "DTSTART:00010101T000000Z\nRRULE:FREQ=YEARLY", TimeZone = "Asia/Tokyo" },
    };

    /// <summary>The scheduler loop plans every occurrence up to the end of the supported range and then ends the definition, without throwing.</summary>
    [Theory]
    [MemberData(nameof(AcceptedCommands))]
    public void Create_GivesADefinitionThePlannerCanRunToItsEnd_WhenValuesAreAtTheEdges(ScheduleTask command)
    {
        var definition = TaskDefinitionFactory.Create(command, Now);
        var trigger = new TriggerCache().Get(definition);

        foreach (var now in new[] { definition.NextFireTime!.Value, TriggerInstants.Max.AddSeconds(-1), TriggerInstants.Max })
        {
            var plan = OccurrencePlanner.Plan(definition, trigger, now, now + TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), 1000);

            Assert.All(plan.Instances, i => Assert.InRange(i.FireTime, TriggerInstants.Min, TriggerInstants.Max));
            Assert.True(plan.NextFireTime is null || plan.NextFireTime <= TriggerInstants.Max, $"next {plan.NextFireTime:O}");
            definition.NextFireTime = plan.NextFireTime ?? definition.NextFireTime;
        }

        Assert.Null(trigger.GetNextFireTime(TriggerInstants.Max));
    }
}
