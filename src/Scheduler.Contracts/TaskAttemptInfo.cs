namespace Scheduler.Contracts;

/// <summary>One attempt of a task instance, as the attempt history keeps it (<see cref="TaskInstanceInfo.Attempts"/>): who claimed and ran it,
/// when, and how it ended. Times are UTC instants; <see cref="ClaimedAt"/>, <see cref="DispatchedAt"/> and <see cref="FinishedAt"/> are the
/// scheduler node's clock, <see cref="StartedAt"/> the worker's.</summary>
public sealed record TaskAttemptInfo
{
    /// <summary>The attempt number, from 1 (<see cref="TaskDue.Attempt"/>).</summary>
    public required int Attempt { get; init; }

    /// <summary>The scheduler node that claimed it (its node id); <see langword="null"/> if no node claimed it yet.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>When it was claimed.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>When its <see cref="TaskDue"/> was sent.</summary>
    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>When a worker's handler started it (worker's clock).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its outcome was recorded; <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How it ended; <see langword="null"/> while it is claimed or running.</summary>
    public AttemptOutcome? Outcome { get; init; }

    /// <summary>The failure (the handler's exception, the broker's refusal) or why it expired; <see langword="null"/> otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>The worker that ran it, as it reported itself (<c>host/process id</c>); <see langword="null"/> when no report named one.</summary>
    public string? Worker { get; init; }

    /// <summary>How long it ran: <see cref="FinishedAt"/> minus <see cref="StartedAt"/> (a worker's clock against a node's), or
    /// <see langword="null"/> while either is unknown.</summary>
    public TimeSpan? Duration => StartedAt is { } started && FinishedAt is { } finished ? finished - started : null;
}
