using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Scheduler.Benchmarks;

/// <summary>Writes the hosts' warnings and errors to stderr (the first 50 of each kind) and counts them per system, for the report.</summary>
internal sealed class WarningLog
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    /// <summary>The system whose hosts are logging now.</summary>
    public string System { get; set; } = "";

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public ILoggerProvider For(string host) => new Provider(this, host);

    private void Write(string host, string category, LogLevel level, string message)
    {
        var key = $"{System} {level}";
        var count = _counts.AddOrUpdate(key, 1, (_, c) => c + 1);
        if (count <= 50)
        {
            Console.Error.WriteLine($"[{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {level} {System}/{host} {category}] {message}");
        }
    }

    private sealed class Provider(WarningLog log, string host) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log, host, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(WarningLog log, string host, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(host, category, logLevel, formatter(state, exception) + (exception is null ? "" : $" {exception.GetType().Name}: {exception.Message}"));
            }
        }
    }
}
