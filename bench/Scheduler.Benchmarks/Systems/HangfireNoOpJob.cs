namespace Scheduler.Benchmarks.Systems;

/// <summary>Hangfire's no-op job: a static method (no activation), recording its start.</summary>
public static class HangfireNoOpJob
{
    public static void Run(string runId, int index) => RunRecorder.Record(runId, index);
}
