namespace Scheduler.Benchmarks.Systems;

/// <summary>The bus ceiling's message: which run, which task.</summary>
public sealed record BenchPing
{
    public required string RunId { get; init; }

    public required int Index { get; init; }
}
