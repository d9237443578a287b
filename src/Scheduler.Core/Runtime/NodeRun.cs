using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// This process's run of its <see cref="SchedulerOptions.NodeId"/>: started before the loops (<see cref="StartAsync"/>), kept alive by a sign
/// of life in the store every third of <see cref="SchedulerOptions.NodeLivenessTimeout"/>, ended when the node stops.
/// </summary>
/// <remarks>
/// <para>At start (<see cref="INodeStore.StartNodeRunAsync"/>) the run takes the node id over and ends the claims its earlier run left leased
/// (a node killed and restarted under the same node id): they are claimed again at once, each with its attempt number, instead of after
/// their lease. If another run of the node id showed a sign of life within the liveness timeout, the start waits: a run that shows no new
/// sign within it was a process that died, and is taken over; one that shows a new sign is a live process under the same node id, and the
/// start fails with <see cref="NodeIdInUseException"/>, having taken nothing.</para>
/// <para>A run only acts on its claims while it is live: from its last sign of life recorded (its start) for the liveness timeout
/// (<see cref="IsLive"/>, <see cref="LiveUntil"/>). A node that cannot record one for that long (its database unreachable, the process frozen)
/// stops claiming and sending and forgets its claims without touching them, since a new run of its node id may take them over from then on;
/// it resumes once a sign of life is recorded again. A run that finds its node id taken over by another run stops the host.</para>
/// </remarks>
internal sealed partial class NodeRun : BackgroundService
{
    private readonly INodeStore _store;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger<NodeRun> _logger;
    private readonly LoopSignals? _signals;
    private long _liveUntilTicks; // UTC ticks; 0 before the start
    private volatile bool _lost;
    private bool _lapseLogged;

    public NodeRun(INodeStore store, IOptions<SchedulerOptions> options, TimeProvider timeProvider, ILogger<NodeRun> logger,
        IHostApplicationLifetime? lifetime = null, LoopSignals? signals = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _timeProvider = timeProvider;
        _lifetime = lifetime;
        _logger = logger;
        _signals = signals;
    }

    /// <summary>The release this node runs (Scheduler.Core's informational version), recorded with its run for operators.</summary>
    internal static string? Release { get; } = typeof(NodeRun).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;

    /// <summary>This run's id, new per process.</summary>
    public Guid RunId { get; } = Guid.CreateVersion7();

    /// <summary>Until when (UTC, this node's clock) the run is live: its last recorded sign of life plus the liveness timeout.</summary>
    public DateTimeOffset LiveUntil => new(Interlocked.Read(ref _liveUntilTicks), TimeSpan.Zero);

    /// <summary>Whether the run started (<see cref="StartAsync"/> took the node id).</summary>
    public bool Started => Interlocked.Read(ref _liveUntilTicks) != 0;

    /// <summary>Whether the run holds the node id now: started, not taken over, and a sign of life recorded within the liveness timeout.</summary>
    public bool IsLive => !_lost && _timeProvider.GetUtcNow() < LiveUntil;

    private TimeSpan Interval => _options.NodeLivenessTimeout / 3;

    /// <summary>Starts the run (see the remarks of the class), then the loop that records its signs of life.</summary>
    /// <exception cref="NodeIdInUseException">Another live process runs under this node id.</exception>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var timeout = _options.NodeLivenessTimeout;
        (Guid RunId, DateTimeOffset SeenAt)? seen = null;
        while (true)
        {
            var now = _timeProvider.GetUtcNow();
            var start = await BoundedAsync(ct => _store.StartNodeRunAsync(
                new NodeRunRequest { NodeId = _options.NodeId, RunId = RunId, Now = now, LivenessTimeout = timeout, Version = Release }, ct), cancellationToken).ConfigureAwait(false);
            if (start.Started)
            {
                Interlocked.Exchange(ref _liveUntilTicks, (now + timeout).UtcTicks);
                LogStarted(_options.NodeId, RunId, start.ClaimsTakenBack);
                break;
            }

            var holder = (start.HolderRunId!.Value, start.HolderSeenAt!.Value);
            if (seen is { } before && holder != before)
            {
                throw new NodeIdInUseException(string.Create(CultureInfo.InvariantCulture,
                    $"Another process runs as scheduler node '{_options.NodeId}' (run {holder.Item1}, last seen {holder.Item2:O}) on this database. " +
                    $"Give every node its own Scheduler:NodeId (environment variable Scheduler__NodeId), or stop the other process first."));
            }

            if (seen is null)
            {
                LogWaiting(_options.NodeId, holder.Item1, holder.Item2, timeout);
            }

            seen = holder;
            // Until its liveness would lapse, and at least once per interval of its signs of life: a new one proves it live.
            var wait = holder.Item2 + timeout - now;
            await Task.Delay(wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : wait < Interval ? wait : Interval, _timeProvider, cancellationToken)
                .ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _timeProvider);
        try
        {
            while (!_lost && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Records a sign of life of the run; wakes the loops when it makes the run live again (they did nothing while it was not, and
    /// would otherwise wait for their next interval); stops the host when the node id was taken over.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var wasLive = IsLive;
        try
        {
            var offset = (_timeProvider as SchedulerClock)?.MeasuredOffset; // the node's clock (tests may run the run on a plain TimeProvider)
            if (await BoundedAsync(ct => _store.RefreshNodeRunAsync(_options.NodeId, RunId, now, offset, ct), cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref _liveUntilTicks, (now + _options.NodeLivenessTimeout).UtcTicks);
                if (!wasLive)
                {
                    _signals?.WakeScheduler();
                    _signals?.WakeRunner();
                }

                if (_lapseLogged)
                {
                    _lapseLogged = false;
                    LogLiveAgain(_options.NodeId);
                }

                return;
            }

            _lost = true;
            LogTakenOver(_options.NodeId, RunId);
            _lifetime?.StopApplication();
            return;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRefreshFailed(ex, _options.NodeId);
        }

        if (!IsLive && !_lapseLogged)
        {
            _lapseLogged = true;
            LogLapsed(_options.NodeId, _options.NodeLivenessTimeout);
        }
    }

    /// <summary>Stops the loop, then ends the run in the store (after the runner, registered later, stopped and released its claims), so the
    /// node's next start need not wait for this run's liveness to lapse.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_lost || Interlocked.Read(ref _liveUntilTicks) == 0)
        {
            return;
        }

        try
        {
            await BoundedAsync(ct => _store.EndNodeRunAsync(_options.NodeId, RunId, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogEndFailed(ex, _options.NodeId); // the next start of the node id waits for this run's liveness to lapse
        }
    }

    /// <summary>Runs one store call bounded by a third of the liveness timeout.</summary>
    private async Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Interval);
        return await call(bound.Token).WaitAsync(Interval, _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler node {NodeId} run {RunId} started; {Count} claims its earlier run left were ended, to be claimed again at once")]
    private partial void LogStarted(string nodeId, Guid runId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler node {NodeId} is held by run {RunId}, last seen at {SeenAt}: waiting up to {Timeout} (Scheduler:NodeLivenessTimeout) for it to lapse; if it shows a new sign of life, another process runs under this node id and this one refuses to start")]
    private partial void LogWaiting(string nodeId, Guid runId, DateTimeOffset seenAt, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduler node {NodeId}: recording a sign of life failed; trying again")]
    private partial void LogRefreshFailed(Exception exception, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler node {NodeId} recorded no sign of life for {Timeout} (Scheduler:NodeLivenessTimeout): it claims and dispatches nothing until it does")]
    private partial void LogLapsed(string nodeId, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler node {NodeId} recorded a sign of life again: it claims and dispatches again")]
    private partial void LogLiveAgain(string nodeId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduler node {NodeId}: another process started under this node id and took it over from run {RunId} (this one showed no sign of life for Scheduler:NodeLivenessTimeout); this process stops. Give every node its own Scheduler:NodeId")]
    private partial void LogTakenOver(string nodeId, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler node {NodeId}: could not end its run in the store; its next start waits for the run's liveness to lapse")]
    private partial void LogEndFailed(Exception exception, string nodeId);
}
