using System.Collections.Concurrent;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// The instances this node sent whose dispatch is not yet recorded: begun, though the store does not know it yet (the overlap check asks,
/// and a lost claim among them was settled by its worker's outcome, not lost).
/// </summary>
internal sealed class UnrecordedSends
{
    private readonly ConcurrentDictionary<Guid, byte> _unrecorded = new();

    /// <summary>Marks <paramref name="instanceId"/> sent and not yet recorded.</summary>
    public void Sent(Guid instanceId) => _unrecorded.TryAdd(instanceId, 0);

    /// <summary>Whether <paramref name="instanceId"/> was sent and its dispatch is not yet recorded.</summary>
    public bool Contains(Guid instanceId) => _unrecorded.ContainsKey(instanceId);

    /// <summary>Unmarks <paramref name="instanceId"/> once its outcome is written (or given up on).</summary>
    public void Recorded(Guid instanceId) => _unrecorded.TryRemove(instanceId, out _);
}
