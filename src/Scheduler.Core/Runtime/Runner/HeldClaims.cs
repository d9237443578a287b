using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// The runner's claims in memory: those waiting in a heap for their due time, every claim held (waiting, or being sent and not yet
/// recorded), the due claims of tasks being changed through this node (deferred until the change is done), and the sends and changes of
/// each task (<see cref="TaskChangeHolds"/>). One lock guards it all, so every concern of the runner sees the claims consistent.
/// At most <c>maxHeld</c> (<see cref="SchedulerOptions.MaxHeld"/>) are held; the runner is woken when there is room to claim again.
/// </summary>
internal sealed class HeldClaims(int maxHeld, LoopSignals signals)
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ClaimedInstance, DateTimeOffset> _held = new();
    private readonly Dictionary<Guid, ClaimedInstance> _claims = [];
    private readonly TaskChangeHolds _changes = new();
    // Due claims of tasks being changed, put back once the change is done (and their claims checked).
    private readonly List<ClaimedInstance> _deferred = [];
    // Claims taken off the heap to be dispatched and not yet settled: begun, for the overlap check of a batch dispatched beside theirs.
    private readonly Dictionary<Guid, ClaimedInstance> _taken = [];
    private bool _full;

    /// <summary>The instances sent whose dispatch is not yet recorded.</summary>
    public UnrecordedSends Unrecorded { get; } = new();

    /// <summary>Set when claims were put in the heap, so the dispatch loop looks at its next due time again.</summary>
    public Signal Changed { get; } = new();

    /// <summary>How many claims wait for their due time (or for a change of their task).</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count + _deferred.Count;
            }
        }
    }

    /// <summary>How many claims are held in all: waiting, or being dispatched and not yet recorded.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _claims.Count;
            }
        }
    }

    /// <summary>The claim token (instance and attempt) of <paramref name="claim"/>.</summary>
    public static ClaimToken Token(ClaimedInstance claim) => new(claim.Instance.Id, claim.Instance.Attempt);

    /// <summary>How many of the claims held are due at <paramref name="now"/> and not yet dispatched.</summary>
    public int DueCount(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _claims.Values.Count(c => (c.Instance.DueAt ?? c.Instance.FireTime) <= now);
        }
    }

    /// <summary>How many more claims may be held; when none, the node is full and <see cref="Forget"/> wakes the runner once half are gone.</summary>
    public int Room()
    {
        lock (_lock)
        {
            var room = maxHeld - _claims.Count;
            _full = room <= 0;
            return room;
        }
    }

    /// <summary>Holds <paramref name="claimed"/>, each until its due time (<paramref name="now"/> when it has none).</summary>
    /// <returns>The claims on cancelled tasks, not held.</returns>
    public List<ClaimToken> Hold(IEnumerable<ClaimedInstance> claimed, DateTimeOffset now)
    {
        var dropped = new List<ClaimToken>();
        lock (_lock)
        {
            foreach (var claim in claimed)
            {
                if (claim.TaskCancelled)
                {
                    dropped.Add(Token(claim)); // a retry, or an expired attempt, of a cancelled task: never a new attempt
                    continue;
                }

                _claims[claim.Instance.Id] = claim;
                _held.Enqueue(claim, claim.Instance.DueAt ?? now);
            }
        }

        return dropped;
    }

    /// <summary>Takes the claims due at <paramref name="now"/> off the heap, deferring those of tasks being changed.</summary>
    public List<ClaimedInstance> TakeDue(DateTimeOffset now, out DateTimeOffset? nextDue)
    {
        var batch = new List<ClaimedInstance>();
        lock (_lock)
        {
            while (_held.TryPeek(out var claim, out var due) && due <= now)
            {
                _held.Dequeue();
                if (!IsHeld(claim))
                {
                    continue; // lost at a renewal
                }

                if (_changes.IsChanging(claim.Instance.DefinitionId))
                {
                    _deferred.Add(claim); // its task is being changed: put back once the change is done and the claim checked
                    continue;
                }

                batch.Add(claim);
                _taken[claim.Instance.Id] = claim;
            }

            nextDue = _held.TryPeek(out _, out var next) ? next : null;
        }

        return batch;
    }

    /// <summary>The lease of <paramref name="claim"/>; <see langword="null"/> when it is no longer held.</summary>
    public DateTimeOffset? LeaseOf(ClaimedInstance claim)
    {
        lock (_lock)
        {
            return IsHeld(claim) ? claim.Instance.LeaseExpiresAt : null;
        }
    }

    /// <summary>The claims held that <paramref name="which"/> selects.</summary>
    public List<ClaimToken> Tokens(Func<ClaimedInstance, bool> which)
    {
        lock (_lock)
        {
            return _claims.Values.Where(which).Select(Token).ToList();
        }
    }

    /// <summary>Drops <paramref name="claim"/> (recorded, released or given up); wakes the runner when that leaves room to claim again.</summary>
    public void Forget(ClaimedInstance claim)
    {
        bool wake;
        lock (_lock)
        {
            if (IsHeld(claim))
            {
                Remove(claim.Instance.Id);
            }
            else if (_taken.TryGetValue(claim.Instance.Id, out var taken) && ReferenceEquals(taken, claim))
            {
                _taken.Remove(claim.Instance.Id);
            }

            wake = _full && _claims.Count <= maxHeld / 2;
            if (wake)
            {
                _full = false;
            }
        }

        if (wake)
        {
            signals.WakeRunner(); // room again: claim the next batch now rather than at the next poll
        }
    }

    /// <summary>Drops the claims on the instances of <paramref name="tokens"/>, whatever their attempt.</summary>
    public void Drop(IEnumerable<ClaimToken> tokens)
    {
        lock (_lock)
        {
            foreach (var token in tokens)
            {
                Remove(token.InstanceId);
            }
        }
    }

    /// <summary>Drops the claims of <paramref name="tokens"/> still held with the same attempt.</summary>
    public void DropSameAttempt(IEnumerable<ClaimToken> tokens)
    {
        lock (_lock)
        {
            foreach (var token in tokens)
            {
                if (_claims.TryGetValue(token.InstanceId, out var claim) && claim.Instance.Attempt == token.Attempt)
                {
                    Remove(token.InstanceId);
                }
            }
        }
    }

    /// <summary>Applies a renewal of <paramref name="chosen"/>: those in <paramref name="renewed"/> get their lease until <paramref name="until"/>,
    /// the others still held with the same attempt are dropped and handed to <paramref name="lost"/> (called under the lock).</summary>
    public void Renewed(IReadOnlyList<ClaimToken> chosen, HashSet<Guid> renewed, DateTimeOffset until, Action<ClaimToken> lost)
    {
        lock (_lock)
        {
            foreach (var token in chosen)
            {
                if (!_claims.TryGetValue(token.InstanceId, out var claim) || claim.Instance.Attempt != token.Attempt)
                {
                    continue;
                }

                if (renewed.Contains(token.InstanceId))
                {
                    claim.Instance.LeaseExpiresAt = until;
                }
                else
                {
                    Remove(token.InstanceId); // lost: whoever holds it now dispatches it; the dispatch loop skips it
                    lost(token);
                }
            }
        }
    }

    /// <summary>Takes every claim waiting (in the heap or deferred) out of what is held, for release.</summary>
    public List<ClaimToken> TakeWaiting()
    {
        lock (_lock)
        {
            var tokens = _held.UnorderedItems.Select(item => Token(item.Element)).Concat(_deferred.Select(Token)).ToList();
            foreach (var token in tokens)
            {
                Remove(token.InstanceId);
            }

            _held.Clear();
            _deferred.Clear();
            return tokens;
        }
    }

    /// <summary>Forgets every claim waiting without touching the store.</summary>
    public void ForgetWaiting() => TakeWaiting();

    /// <summary>Whether <paramref name="claim"/> may be sent now: it is still held, and its task is not being changed (then it is deferred
    /// until the change is done). Counts it as sending until <see cref="EndSend"/>.</summary>
    public bool BeginSend(ClaimedInstance claim)
    {
        lock (_lock)
        {
            if (!IsHeld(claim))
            {
                return false; // lost at a renewal (taken over, or cancelled): logged there, and no longer ours to release
            }

            var taskId = claim.Instance.DefinitionId;
            if (_changes.IsChanging(taskId))
            {
                _taken.Remove(claim.Instance.Id);
                _deferred.Add(claim);
                return false;
            }

            _changes.BeginSend(taskId);
            return true;
        }
    }

    /// <summary>The end of a send <see cref="BeginSend"/> counted: the last of its task's lets a change waiting for them go on.</summary>
    public void EndSend(ClaimedInstance claim)
    {
        TaskCompletionSource? done;
        lock (_lock)
        {
            done = _changes.EndSend(claim.Instance.DefinitionId);
        }

        done?.TrySetResult(); // outside the lock
    }

    /// <summary>Counts a change of task <paramref name="taskId"/> as begun (its claims are not sent from now on).</summary>
    /// <returns>Completes once the task's sends in flight are recorded (or released).</returns>
    public Task BeginChange(Guid taskId)
    {
        lock (_lock)
        {
            return _changes.BeginChange(taskId);
        }
    }

    /// <summary>Counts a change of task <paramref name="taskId"/> as done: after the last, its deferred claims go back in the heap.</summary>
    public void EndChange(Guid taskId)
    {
        lock (_lock)
        {
            if (_changes.EndChange(taskId))
            {
                foreach (var claim in _deferred.Where(c => c.Instance.DefinitionId == taskId).ToList())
                {
                    _deferred.Remove(claim);
                    _held.Enqueue(claim, claim.Instance.DueAt ?? claim.Instance.FireTime);
                }
            }
        }

        Changed.Set();
    }

    /// <summary>
    /// Whether the claim on <paramref name="instanceId"/> was taken off the heap to be dispatched and is not yet settled (sent and recorded,
    /// released, skipped or lost). The overlap check counts such an occurrence as begun: a batch checked beside the one dispatching it must
    /// not dispatch a later occurrence of its task too, though the store does not show it begun yet.
    /// </summary>
    public bool IsTaken(Guid instanceId)
    {
        lock (_lock)
        {
            return _taken.TryGetValue(instanceId, out var taken) && _claims.TryGetValue(instanceId, out var held) && ReferenceEquals(taken, held);
        }
    }

    private void Remove(Guid instanceId)
    {
        _claims.Remove(instanceId);
        _taken.Remove(instanceId);
    }

    private bool IsHeld(ClaimedInstance claim) => _claims.TryGetValue(claim.Instance.Id, out var held) && ReferenceEquals(held, claim);
}
