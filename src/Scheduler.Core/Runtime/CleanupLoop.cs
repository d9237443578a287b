using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>The cleanup loop: deletes finished task instances and finished definitions once they are older than the retention.</summary>
internal sealed partial class CleanupLoop : BackgroundService
{
    private readonly ICleanupStore _store;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CleanupLoop> _logger;

    /// <summary>Creates the loop.</summary>
    public CleanupLoop(ICleanupStore store, IOptions<SchedulerOptions> options, TimeProvider timeProvider, ILogger<CleanupLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        Heartbeat = new LoopHeartbeat("cleanup", _options.CleanupInterval, timeProvider);
    }

    /// <summary>When this loop last completed a pass (<see cref="RunOnceAsync"/>), for the readiness check.</summary>
    public LoopHeartbeat Heartbeat { get; }

    /// <summary>Runs one cleanup pass and returns what it deleted.</summary>
    public async Task<CleanupResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var result = await _store.CleanupAsync(new CleanupRequest
        {
            FinishedBefore = _timeProvider.GetUtcNow() - _options.Retention,
            MaxCount = _options.CleanupBatchSize,
        }, cancellationToken).ConfigureAwait(false);
        Heartbeat.Beat();
        return result;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.CleanupInterval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var result = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                    if (result.Instances + result.Definitions > 0)
                    {
                        LogDeleted(result.Instances, result.Definitions);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleanup deleted {Instances} task instances and {Definitions} task definitions")]
    private partial void LogDeleted(int instances, int definitions);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cleanup failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}
