namespace Scheduler.FaultTests.Records;

/// <summary>One row of <c>task_instances</c>, as the fault tests read it.</summary>
internal sealed record InstanceRow(Guid Id, Guid DefinitionId, int Status, int Attempt, int MaxAttempts, DateTimeOffset FireTime, string? LeaseOwner,
    DateTimeOffset? DispatchedAt, DateTimeOffset? CompletedAt, string? LastError)
{
    public const int Scheduled = 0;
    public const int Dispatched = 1;
    public const int Completed = 2;
    public const int Failed = 3;
    public const int Cancelled = 4;
    public const int Claimed = 5;

    public static string StatusName(int status) => status switch
    {
        Scheduled => "Scheduled",
        Dispatched => "Dispatched",
        Completed => "Completed",
        Failed => "Failed",
        Cancelled => "Cancelled",
        Claimed => "Claimed",
        _ => $"status {status}",
    };

    public override string ToString() =>
        $"instance {Id} of task {DefinitionId}: {StatusName(Status)}, attempt {Attempt}/{MaxAttempts}, fire time {FireTime:HH:mm:ss.fff}, " +
        $"lease owner {LeaseOwner ?? "-"}, dispatched {DispatchedAt?.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}" +
        (LastError is null ? "" : $", last error \"{LastError}\"");
}
