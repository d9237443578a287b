using Microsoft.Extensions.Time.Testing;

namespace Scheduler.Cli.Tests;

public class SchedulerCliTests
{
    private static (int ExitCode, string[] Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var exitCode = SchedulerCli.Run(args, output, error, clock);
        return (exitCode, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    [Theory]
    // arguments (|-separated), expected lines (space-separated), source
    [InlineData("next|every other tuesday at 9:34am|--tz|America/New_York|--from|2025-01-01T00:00:00-05:00|--count|2",
        "2025-01-07T09:34:00-05:00 2025-01-21T09:34:00-05:00", "issue #4 example")]
    [InlineData("next|every weekday at 9am|--tz|Europe/Berlin|--from|2025-01-03T12:00:00+01:00|--count|2",
        "2025-01-06T09:00:00+01:00 2025-01-07T09:00:00+01:00", "calendar: 2025-01-03 is a Friday")]
    [InlineData("next|every 15 minutes|--count|2", "2025-01-01T00:15:00+00:00 2025-01-01T00:30:00+00:00", "hand-computed from the fake clock's now, 2025-01-01T00:00Z")]
    [InlineData("next|every 2 hours|--count|1", "2025-01-01T02:00:00+00:00", "hand-computed")]
    [InlineData("next|every day at 17:00|--tz|Asia/Kathmandu|--count|1", "2025-01-01T17:00:00+05:45", "tzdata: Kathmandu +05:45")]
    [InlineData("next|first monday of every month at noon|--count|2", "2025-01-06T12:00:00+00:00 2025-02-03T12:00:00+00:00", "calendar")]
    [InlineData("next|last friday of the month at 17:00|--count|2", "2025-01-31T17:00:00+00:00 2025-02-28T17:00:00+00:00", "calendar")]
    [InlineData("next|every 2nd and 4th thursday at 10:00|--count|2", "2025-01-09T10:00:00+00:00 2025-01-23T10:00:00+00:00", "calendar")]
    [InlineData("next|every month on the 15th at 9am|--count|2", "2025-01-15T09:00:00+00:00 2025-02-15T09:00:00+00:00", "calendar")]
    [InlineData("next|every day at 17:00 except weekends|--from|2025-01-03T18:00:00Z|--count|1", "2025-01-06T17:00:00+00:00", "calendar: 2025-01-04/05 weekend")]
    [InlineData("next|tomorrow at 8am|--tz|America/New_York|--from|2025-01-01T00:00:00-05:00", "2025-01-02T08:00:00-05:00", "hand-computed")]
    [InlineData("next|in 2 hours|--from|2025-01-01T10:00:00Z", "2025-01-01T12:00:00+00:00", "hand-computed")]
    [InlineData("next|at 2026-01-05 14:30|--tz|Europe/Berlin", "2026-01-05T14:30:00+01:00", "hand-computed")]
    [InlineData("next|30 2 * * *|--kind|cron|--tz|America/New_York|--from|2025-03-08T12:00:00-05:00|--count|2", "2025-03-09T03:00:00-04:00 2025-03-10T02:30:00-04:00", "tzdata: New York DST starts 2025-03-09 02:00")]
    [InlineData("next|*/10 * * * * *|--kind|cron6|--count|2", "2025-01-01T00:00:10+00:00 2025-01-01T00:00:20+00:00", "hand-computed")]
    [InlineData("next|FREQ=DAILY;COUNT=2|--kind|rrule|--from|2025-01-01T09:00:00", "2025-01-02T09:00:00+00:00", "RFC 5545: DTSTART (= --from) is the first instance, and next is strictly after --from")]
    [InlineData("next|2025-06-01T12:00:00Z|--kind|once|--tz|Asia/Kolkata", "2025-06-01T17:30:00+05:30", "tzdata: Kolkata +05:30")]
    public void Next_PrintsFireTimes(string args, string expected, string source)
    {
        var (exitCode, output, error) = Run(args.Split('|'));

        Assert.Equal(expected.Split(' '), output);
        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.NotEmpty(source);
    }

    [Fact]
    public void Explain_PrintsDescriptionAndNormalizedForm()
    {
        var (exitCode, output, _) = Run("explain", "every other tuesday at 9:34am", "--tz", "America/New_York", "--from", "2025-01-01T00:00:00-05:00");

        Assert.Equal(0, exitCode);
        Assert.Equal(
            [
                "kind: text",
                "time zone: America/New_York",
                "description: every 2 weeks on tuesday at 9:34am starting 2025-01-07",
                "reading: 'every 2 weeks' counts from the first occurrence at or after the start, 2025-01-07; write 'starting 2025-01-14' to count from the one after.",
                "normalized (rrule):",
                "DTSTART;TZID=America/New_York:20250107T093400",
                "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            ], output);
    }

    [Theory]
    [InlineData("0 9 * * 1-5", "description: every weekday at 9am", "normalized (cron):")]
    [InlineData("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=0;BYSECOND=0", "description: every month on the last friday at 5pm starting 2025-01-31", "normalized (rrule):")]
    [InlineData("@daily", "description: every day at midnight", "normalized (cron):")]
    [InlineData("in 90 minutes", "description: on 2025-01-01 at 1:30am", "normalized (instant):")]
    public void Explain_DescribesCronRRuleAndOnceInTheGrammar(string trigger, string description, string form)
    {
        var (exitCode, output, _) = Run("explain", trigger);

        Assert.Equal(0, exitCode);
        Assert.Contains(description, output);
        Assert.Contains(form, output);
    }

    /// <summary>Issue #23, item 1: a macro is accepted by --kind cron and cron6 too, and explain shows what it expands to.</summary>
    [Theory]
    [InlineData("@weekly", "cron", "expansion: 0 0 * * 0")]
    [InlineData("@hourly", "cron6", "expansion: 0 * * * *")]
    [InlineData("@every_second", "cron", "expansion: * * * * * *")]
    public void Explain_ShowsAMacrosExpansion_UnderEveryCronKind(string macro, string kind, string expansion)
    {
        var (exitCode, output, _) = Run("explain", macro, "--kind", kind);

        Assert.Equal(0, exitCode);
        Assert.Contains(expansion, output);
        Assert.Equal(macro, output[^1]);
    }

    /// <summary>Issue #23, item 4: a phrase's end ("until …", "for …", "N times") ends the listed fire times, and explain names it.</summary>
    [Theory]
    [InlineData("every day at 9am 3 times", "2025-01-01T09:00:00+00:00 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00", "max occurrences: 3, the last at 2025-01-03T09:00:00+00:00")]
    [InlineData("every day at 9am until 2025-01-02", "2025-01-01T09:00:00+00:00 2025-01-02T09:00:00+00:00", "end at: 2025-01-02T23:59:59.999+00:00")]
    [InlineData("every 12 hours for 2 days", "2025-01-01T12:00:00+00:00 2025-01-02T00:00:00+00:00 2025-01-02T12:00:00+00:00", "end at: 2025-01-02T23:59:59.999+00:00")]
    public void NextAndExplain_HonourAndNameThePhrasesEnd(string phrase, string fires, string end)
    {
        var (exitCode, output, error) = Run("next", phrase, "--count", "10");
        var explained = Run("explain", phrase);

        Assert.Equal((0, ""), (exitCode, error));
        Assert.Equal(fires.Split(' '), output);
        Assert.Contains(end, explained.Output);
    }

    [Fact]
    public void Explain_PrintsCron_WhenPhraseMapsToCron()
    {
        var (exitCode, output, _) = Run("explain", "every weekday at 9am");

        Assert.Equal(0, exitCode);
        Assert.Equal(["normalized (cron):", "0 9 * * 1-5"], output[^2..]);
    }

    [Theory]
    [InlineData("next|every blue moon", "'blue', 'moon'")]
    [InlineData("next|0 9 * * *|--tz|Mars/Base", "Mars/Base")]
    [InlineData("next|*/10 * * * *|--kind|cron6", "has 5 fields")]
    [InlineData("next|*/10 * * * * *|--kind|cron", "has 6 fields")]
    [InlineData("next|every day at 9am|--from|yesterday", "--from 'yesterday'")]
    [InlineData("next|every day at 9am|--count|0", "--count must be between 1 and 10000")]
    [InlineData("next|every day at 9am|--kind|sometimes", "sometimes")]
    [InlineData("next", "Required argument missing")]
    [InlineData("explain|FREQ=SOMETIMES", "FREQ=SOMETIMES")]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("next|* * * * * *|--kind|cron6|--from|9999-12-31T23:59:58Z", "--from '9999-12-31T23:59:58Z' is outside the supported range")]
    [InlineData("next|every day at 9am|--from|0001-01-01T00:00:00+14:00", "--from '0001-01-01T00:00:00+14:00' is outside the supported range")]
    [InlineData("next|FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99|--kind|rrule", "Trigger 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99' cannot be evaluated")]
    [InlineData("next|at 9999-12-31 23:59|--tz|America/New_York", "Trigger 'at 9999-12-31 23:59' cannot be evaluated")]
    [InlineData("next|every day at ９am", "Could not understand the trigger 'every day at ９am'")]
    [InlineData("next|0 9 * * *|--tz|America", "Unknown time zone 'America'")]
    public void Run_ExitsWith2AndWritesStderr_WhenInputIsInvalid(string args, string fragment)
    {
        var (exitCode, output, error) = Run(args.Split('|'));

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Theory]
    // Arguments that start with '@' are triggers (cron macros), not response files.
    [InlineData("@daily", "2025-01-02T00:00:00+00:00 2025-01-03T00:00:00+00:00")]
    [InlineData("@hourly", "2025-01-01T01:00:00+00:00 2025-01-01T02:00:00+00:00")]
    [InlineData("@weekly", "2025-01-05T00:00:00+00:00 2025-01-12T00:00:00+00:00")]
    public void Next_ReadsAtArgumentsAsTriggers(string trigger, string expected)
    {
        var (exitCode, output, error) = Run("next", trigger, "--count", "2");

        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
        Assert.Equal(expected.Split(' '), output);
    }

    [Fact]
    public void Next_PrintsTheDescriptionBesideTheTimes_WhenExplainIsGiven()
    {
        var (exitCode, output, _) = Run("next", "every weekday at 9am", "--tz", "Europe/Berlin", "--count", "2", "--explain");

        Assert.Equal(0, exitCode);
        Assert.Equal(
            [
                "# every weekday at 9am (Europe/Berlin)",
                "2025-01-01T09:00:00+01:00  Wednesday 1 January 2025, 9:00am",
                "2025-01-02T09:00:00+01:00  Thursday 2 January 2025, 9:00am",
            ], output);
    }

    [Fact]
    public void Help_NamesTheCommandScheduler()
    {
        var (exitCode, output, _) = Run("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("  scheduler [command] [options]", output);
        Assert.DoesNotContain(output, line => line.Contains("Scheduler.Cli", StringComparison.Ordinal));
    }

    [Fact]
    public void Version_PrintsTheTzDatabaseVersion()
    {
        var (exitCode, output, _) = Run("--version");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("scheduler ", output[0], StringComparison.Ordinal);
        Assert.Equal($"tz database {Triggers.TimeZones.TzdbVersion} (embedded in NodaTime 3.3.7)", output[1]);
    }

    [Fact]
    public void Run_PrintsUsageAndExitsWith2_WhenNoCommandIsGiven()
    {
        var (exitCode, output, error) = Run();

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("Usage: scheduler next \"<trigger>\"", error, StringComparison.Ordinal);
    }
}
