using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

/// <summary>Issue #23, item 1: cron macros are accepted wherever cron is, and fire exactly as the fields they stand for, DST included.</summary>
public class CronMacroTests
{
    public static TheoryData<string, string> MacrosAndExpansions => new()
    {
        { "@yearly", "0 0 1 1 *" },
        { "@annually", "0 0 1 1 *" },
        { "@monthly", "0 0 1 * *" },
        { "@weekly", "0 0 * * 0" },
        { "@daily", "0 0 * * *" },
        { "@midnight", "0 0 * * *" },
        { "@hourly", "0 * * * *" },
        { "@every_minute", "* * * * *" },
        { "@every_second", "* * * * * *" },
    };

    [Theory]
    [MemberData(nameof(MacrosAndExpansions))]
    public void Parse_AcceptsMacro_AsItsExpansion_WhateverTheRequiredFieldCount(string macro, string expansion)
    {
        foreach (var required in new int?[] { null, 5, 6 })
        {
            var trigger = CronTrigger.Parse(macro.ToUpperInvariant(), DateTimeZone.Utc, required);

            Assert.Equal((macro, expansion, true), (trigger.Expression, trigger.Expansion, trigger.IsMacro));
            Assert.Equal(expansion.Split(' ').Length == 6, trigger.HasSeconds);
        }
    }

    /// <summary>Over a year of DST changes in zones with a gap at midnight (São Paulo 2018), a negative DST (Dublin), a 30-minute shift
    /// (Lord Howe) and the usual ones, a macro's fire times are its expansion's: a fixed time (@daily) fires once after a gap and once in an
    /// overlap, an interval (@hourly) in both offsets.</summary>
    [Theory]
    [InlineData("America/Sao_Paulo", "2018-01-01T00:00:00Z")]
    [InlineData("America/New_York", "2025-01-01T00:00:00Z")]
    [InlineData("Europe/Dublin", "2025-01-01T00:00:00Z")]
    [InlineData("Australia/Lord_Howe", "2025-01-01T00:00:00Z")]
    public void Macro_FiresAsItsExpansion_AcrossDstChanges(string zone, string from)
    {
        var start = Fires.Instant(from);
        var timeZone = TimeZones.Find(zone);
        // From shortly before each offset change of the year (where the DST policy matters), and over the whole year for the daily ones.
        var changes = timeZone.GetZoneIntervals(Instant.FromDateTimeOffset(start), Instant.FromDateTimeOffset(start.AddYears(1)))
            .Skip(1).Select(i => i.Start.ToDateTimeOffset()).ToList();
        Assert.True(changes.Count >= 2, $"{zone} changes its offset in the year from {from}");
        foreach (var (macro, expansion) in MacrosAndExpansions.Select(row => ((string)row[0], (string)row[1])))
        {
            var before = macro == "@every_second" ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1);
            foreach (var at in changes.Select(change => change - before).Prepend(start))
            {
                var count = macro switch { "@every_second" or "@every_minute" => 150, "@hourly" => 30, _ => at == start ? 400 : 3 };
                var viaMacro = Fires.Next(TriggerFactory.Create(TriggerKind.Cron, macro, zone, at), at, count);
                var viaFields = Fires.Next(TriggerFactory.Create(TriggerKind.Cron, expansion, zone, at), at, count);

                Assert.Equal(viaFields, viaMacro);
            }
        }
    }

    [Fact]
    public void Daily_FiresAtTheFirstInstantAfterAMidnightGap_AsItsExpansion()
    {
        // São Paulo skipped 2018-11-04 00:00-01:00 (spring forward at midnight).
        var trigger = TriggerFactory.Create(TriggerKind.Detect, "@daily", "America/Sao_Paulo", Fires.Instant("2018-11-03T12:00:00-03:00"));

        Assert.Equal(["2018-11-04T01:00:00-02:00", "2018-11-05T00:00:00-02:00"], Fires.Next(trigger, Fires.Instant("2018-11-03T12:00:00-03:00"), 2));
    }

    [Theory]
    [MemberData(nameof(MacrosAndExpansions))]
    public void Describe_OfAMacro_IsItsExpansions_AndReadsBackToTheSameFireTimes(string macro, string expansion)
    {
        var from = Fires.Instant("2025-01-01T10:30:00Z");
        var trigger = CronTrigger.Parse(macro, DateTimeZone.Utc);

        Assert.Equal(CronTrigger.Parse(expansion, DateTimeZone.Utc).Describe(), trigger.Describe());
        var readBack = TriggerFactory.Create(TriggerKind.Text, trigger.Describe(), "UTC", from);
        Assert.Equal(Fires.Next(trigger, from, 5), Fires.Next(readBack, from, 5));
    }

    [Theory]
    [InlineData("@reboot")]
    [InlineData("@fortnightly")]
    public void Parse_Throws_NamingTheMacroAndTheSupportedOnes_WhenMacroIsUnknown(string macro)
    {
        var ex = Assert.Throws<TriggerFormatException>(() => CronTrigger.Parse(macro, DateTimeZone.Utc));

        Assert.Contains($"'{macro}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("@yearly (or @annually), @monthly, @weekly, @daily (or @midnight), @hourly", ex.Message, StringComparison.Ordinal);
    }
}
