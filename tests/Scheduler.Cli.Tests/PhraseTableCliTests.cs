using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Triggers.Tests;

namespace Scheduler.Cli.Tests;

/// <summary>The phrase table of the trigger tests through <c>scheduler next</c>, and the CLI as a separate process under different tzdata.</summary>
public class PhraseTableCliTests
{
    public static TheoryData<string, string, string> Accepted()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in PhraseTable.Accepted.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cells = row.Split(" | ", StringSplitOptions.TrimEntries);
            data.Add(cells[0], cells[1], cells[3]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Next_PrintsTheTableFireTimes(string phrase, string zone, string fires)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = SchedulerCli.Run(["next", phrase, "--tz", zone, "--from", "2025-01-01T10:30:00", "--count", "3"], output, error,
            new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal("", error.ToString());
        Assert.Equal(0, exitCode);
        Assert.Equal(fires.Split(' '), output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Next_GivesTheSameFireTimes_WhateverTheHostTzdata()
    {
        // Two processes stand for two nodes: one with the host's tzdata, one whose TZDIR holds a wrong America/New_York (UTC's rules) and
        // nothing else, and TZ set to it. Zones come from NodaTime's embedded database, so both print the same times (the DST change of
        // 2025-03-09 included), which the wrong tzdata would not give.
        var wrong = Directory.CreateTempSubdirectory("tzdir-");
        try
        {
            Directory.CreateDirectory(Path.Combine(wrong.FullName, "America"));
            File.Copy("/usr/share/zoneinfo/UTC", Path.Combine(wrong.FullName, "America", "New_York"));
            string[] args = ["next", "every day at 2:30am", "--tz", "America/New_York", "--from", "2025-03-07T12:00:00Z", "--count", "3"];

            var host = RunProcess(args, new Dictionary<string, string?> { ["TZDIR"] = null });
            var other = RunProcess(args, new Dictionary<string, string?> { ["TZDIR"] = wrong.FullName, ["TZ"] = "America/New_York" });
            var empty = RunProcess(args, new Dictionary<string, string?> { ["TZDIR"] = Path.Combine(wrong.FullName, "none") });

            Assert.Equal("2025-03-08T02:30:00-05:00\n2025-03-09T03:00:00-04:00\n2025-03-10T02:30:00-04:00\n", host.ReplaceLineEndings("\n"));
            Assert.Equal(host, other);
            Assert.Equal(host, empty);
        }
        finally
        {
            wrong.Delete(recursive: true);
        }
    }

    private static string RunProcess(string[] args, Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(SchedulerCli).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "scheduler did not exit within 60 s");
        Assert.True(process.ExitCode == 0, $"scheduler exited with {process.ExitCode}: {error}");
        return output;
    }
}
