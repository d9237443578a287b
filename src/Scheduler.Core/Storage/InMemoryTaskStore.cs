using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// An <see cref="ITaskStore"/> in process memory, for tests and toys: nothing survives the process, and only the nodes of one process share it.
/// Every operation runs under one lock, which makes each atomic. Objects handed out are copies.
/// </summary>
public sealed partial class InMemoryTaskStore : ITaskStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, TaskDefinition> _definitions = [];
    private readonly Dictionary<string, Guid> _idempotencyKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, TaskInstance> _instances = [];
    private readonly Dictionary<(Guid InstanceId, int Attempt), TaskAttempt> _attempts = [];
    private readonly HashSet<(Guid DefinitionId, DateTimeOffset FireTime)> _occurrences = [];
    private readonly Dictionary<string, Calendars.TaskCalendar> _calendars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeRunRecord> _nodeRuns = new(StringComparer.Ordinal);
    private ClusterIdentity? _identity;

    /// <summary>Creates an empty store that belongs to no cluster yet: the first node that starts on it records its cluster name.</summary>
    public InMemoryTaskStore()
    {
    }

    /// <summary>Creates an empty store that belongs to cluster <paramref name="clusterName"/> already, as a database started by a node of that
    /// cluster would (for tests of a node that joins the wrong database).</summary>
    /// <param name="clusterName">The cluster name recorded as the owner.</param>
    public InMemoryTaskStore(string clusterName) => _identity = new ClusterIdentity(clusterName, Guid.NewGuid());
}
