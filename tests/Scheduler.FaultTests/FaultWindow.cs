using Npgsql;
using Scheduler.FaultTests.Records;

namespace Scheduler.FaultTests;

/// <summary>
/// What was in flight while a fault lasted, measured rather than guessed: every 250 ms the test reads the instances that are Claimed (by which
/// node) or Dispatched, from just before the fault until the system has recovered, and afterwards the workers' printed lines tell which
/// handlers were running at some moment of it. A fault may repeat the delivery of these and of nothing else.
/// </summary>
internal sealed class FaultWindow : IAsyncDisposable
{
    private readonly FaultSystem _system;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private readonly Dictionary<Guid, string?> _claimed = [];
    private readonly HashSet<Guid> _dispatched = [];
    private readonly HashSet<Guid> _lapsed = [];

    private FaultWindow(FaultSystem system)
    {
        _system = system;
        Start = FaultSystem.Now;
        _watching = WatchAsync(_stop.Token);
    }

    /// <summary>When the watch began (just before the fault).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>When the watch ended (the system recovered).</summary>
    public DateTimeOffset End { get; private set; }

    /// <summary>Instances seen Claimed during the window, with the node that held each (the last one seen).</summary>
    public IReadOnlyDictionary<Guid, string?> Claimed => _claimed;

    /// <summary>Claims seen past their lease during the window (their holder froze, or its writes waited behind a frozen node's open
    /// transaction): another node takes each over with the same attempt, which its holder may have published already.</summary>
    public IReadOnlySet<Guid> Lapsed => _lapsed;

    /// <summary>Instances seen Dispatched during the window: out with a worker, or waiting in its queue.</summary>
    public IReadOnlySet<Guid> Dispatched => _dispatched;

    /// <summary>Instances whose handler ran at some moment of the window (received before its end, not done before its start).</summary>
    public IReadOnlySet<Guid> InHandler { get; private set; } = new HashSet<Guid>();

    /// <summary>Everything in flight: claimed, dispatched, or in a handler.</summary>
    public IReadOnlySet<Guid> All => _claimed.Keys.Concat(_dispatched).Concat(InHandler).ToHashSet();

    /// <summary>The claims <paramref name="node"/> was seen holding.</summary>
    public IReadOnlySet<Guid> ClaimedBy(string node) => _claimed.Where(c => c.Value == node).Select(c => c.Key).ToHashSet();

    /// <summary>Starts watching <paramref name="system"/>'s database.</summary>
    public static async Task<FaultWindow> OpenAsync(FaultSystem system)
    {
        var window = new FaultWindow(system);
        await window.ReadOnceAsync(); // what is in flight as the fault begins
        return window;
    }

    /// <summary>Stops watching and reads the workers' handlers.</summary>
    public async Task CloseAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watching;
        }
        catch (OperationCanceledException)
        {
        }

        End = FaultSystem.Now;
        InHandler = _system.Deliveries().Where(d => d.ReceivedAt <= End && (d.DoneAt is not { } done || done >= Start)).Select(d => d.InstanceId).ToHashSet();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await CloseAsync();
        }

        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(250, cancellationToken);
            await ReadOnceAsync();
        }
    }

    private async Task ReadOnceAsync()
    {
        try
        {
            await using var connection = await _system.Database.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT id, status, lease_owner, lease_expires_at < clock_timestamp() FROM task_instances WHERE status IN (1, 5)", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var seen = new List<(Guid Id, int Status, string? Owner, bool Lapsed)>();
            while (await reader.ReadAsync())
            {
                seen.Add((reader.GetGuid(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), !reader.IsDBNull(3) && reader.GetBoolean(3)));
            }

            lock (_claimed)
            {
                foreach (var (id, status, owner, lapsed) in seen)
                {
                    if (status == InstanceRow.Claimed)
                    {
                        _claimed[id] = owner;
                        if (lapsed)
                        {
                            _lapsed.Add(id);
                        }
                    }
                    else
                    {
                        _dispatched.Add(id);
                    }
                }
            }
        }
        catch (NpgsqlException)
        {
            // The database is the fault: nothing changes in it meanwhile.
        }
    }
}
