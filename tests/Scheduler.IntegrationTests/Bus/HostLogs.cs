using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// The Warnings and Errors that the hosts of one bus test logged (<see cref="BusServices"/> routes every host's log here and to the test's
/// output). A test without a fault must log none: a Warning means an operator must look. A test that provokes one on purpose allows it with
/// <see cref="Allow"/>, the reason written beside the call; <see cref="BusTest"/> fails the test on any other.
/// </summary>
public sealed class HostLogs
{
    private static readonly ConditionalWeakTable<ITestOutputHelper, HostLogs> ByTest = new();
    private readonly ConcurrentQueue<HostLogEntry> _entries = new();
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Fragment)> _allowed = new();

    /// <summary>The logs of the test whose output is <paramref name="output"/> (one per test: xUnit gives each test its own).</summary>
    public static HostLogs For(ITestOutputHelper output) => ByTest.GetValue(output, _ => new HostLogs());

    /// <summary>Allows Warnings or Errors at <paramref name="level"/> from logger <paramref name="category"/> (a full category name, or a
    /// namespace prefix ending in a dot) whose text (message, then exception) contains <paramref name="fragment"/>.</summary>
    public void Allow(LogLevel level, string category, string fragment) => _allowed.Enqueue((level, category, fragment));

    /// <summary>Allows what a worker logs when its handler fails on purpose (the tests' "scripted failure"): MassTransit's R-FAULT and the
    /// task reporting filter's "Handler … failed", both at Error.</summary>
    public void AllowScriptedHandlerFailures()
    {
        Allow(LogLevel.Error, "MassTransit.ReceiveTransport", "scripted failure");
        Allow(LogLevel.Error, "Scheduler.MassTransit.Worker.TaskReportingFilter", "scripted failure");
    }

    internal void Add(HostLogEntry entry) => _entries.Enqueue(entry);

    /// <summary>Fails with every entry no <see cref="Allow"/> covers.</summary>
    /// <exception cref="XunitException">A host logged a Warning or Error the test did not allow.</exception>
    public void AssertNoneUnexpected()
    {
        var unexpected = _entries.Where(e => !_allowed.Any(a => a.Level == e.Level && Matches(a.Category, e.Category)
            && e.Text.Contains(a.Fragment, StringComparison.Ordinal))).ToList();
        if (unexpected.Count > 0)
        {
            throw new XunitException($"The test's hosts logged {unexpected.Count} Warnings or Errors it does not allow (a run without a fault logs none; " +
                "a test that provokes one allows it with HostLogs.Allow, saying why):\n" + string.Join("\n", unexpected.Take(20).Select(e => e.Brief())));
        }
    }

    private static bool Matches(string allowed, string category) =>
        allowed.EndsWith('.') ? category.StartsWith(allowed, StringComparison.Ordinal) : category == allowed;
}

/// <summary>One Warning or Error a host logged.</summary>
internal sealed record HostLogEntry(DateTimeOffset At, LogLevel Level, string Category, string Text)
{
    public override string ToString() => $"[{At:HH:mm:ss.fff} {Level} {Category}] {Text}";

    /// <summary>The entry in one line of at most about 600 characters, for a failure message.</summary>
    public string Brief() => ToString() is var line && line.Length > 600 ? line[..600] + " …" : ToString();
}

/// <summary>A bus test class: after each test, passed or failed, it fails the test when a host logged a Warning or Error the test did not
/// allow (xUnit reports that beside the test's own failure, if any).</summary>
public abstract class BusTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The test's output (each host's Warnings and Errors go there too).</summary>
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>The Warnings and Errors of this test's hosts.</summary>
    protected HostLogs Logs { get; } = HostLogs.For(output);

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Logs.AssertNoneUnexpected();
        return Task.CompletedTask;
    }
}
