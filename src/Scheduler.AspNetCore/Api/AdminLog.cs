using Microsoft.Extensions.Logging;

namespace Scheduler.AspNetCore.Api;

/// <summary>The admin API's log lines: every write, with who made it.</summary>
internal static partial class AdminLog
{
    /// <summary>The log category of the admin API.</summary>
    public const string Category = "Scheduler.AspNetCore.Admin";

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} {Action} task {TaskId}: {Outcome}")]
    public static partial void Write(ILogger logger, string caller, string action, Guid taskId, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} tried to {Action} task {TaskId}, refused: {Reason}")]
    public static partial void Refused(ILogger logger, string caller, string action, Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} {Action} {Target} {Id}: {Outcome}")]
    public static partial void WriteOne(ILogger logger, string caller, string action, string target, Guid id, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} requeued {Requeued} of {Asked} dead letters asked for: {Instances}")]
    public static partial void Requeued(ILogger logger, string caller, int requeued, int asked, IEnumerable<Guid> instances);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} requeued {Requeued} dead letters matching {Filter} (more match: {More}): {Instances}")]
    public static partial void RequeuedMatching(ILogger logger, string caller, int requeued, Contracts.DeadLetterFilter filter, bool more, IEnumerable<Guid> instances);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} tried to requeue dead letters, refused: {Reason}")]
    public static partial void RequeueRefused(ILogger logger, string caller, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} {Action} calendar {Calendar}: {Outcome}")]
    public static partial void CalendarWrite(ILogger logger, string caller, string action, string calendar, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin refused {Method} {Path} from {Address} ({Status}): {Reason}")]
    public static partial void Denied(ILogger logger, string method, string path, string address, int status, string reason);
}
