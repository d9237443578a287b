using Microsoft.Extensions.Logging;

namespace Scheduler.AspNetCore.Api;

/// <summary>The log lines of the operators' endpoints of issue #20.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} tried to create a task, refused: {Reason}")]
    public static partial void CreateRefused(ILogger logger, string caller, string reason);
}
