using Microsoft.Extensions.Logging;

namespace Scheduler.AspNetCore.Api;

/// <summary>The log lines of the operators' endpoints of issue #20.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} tried to create a task, refused: {Reason}")]
    public static partial void CreateRefused(ILogger logger, string caller, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} {Done} {Count} instances matching {Filter} ({LeftAlone} left alone, more match: {More}): {Instances}")]
    public static partial void ActedOnMatching(ILogger logger, string caller, string done, int count, Core.Runtime.InstanceFilter filter, int leftAlone,
        bool more, IEnumerable<Guid> instances);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Caller} asked for instances matching a filter to be {Done}, refused: {Reason}")]
    public static partial void ActOnMatchingRefused(ILogger logger, string caller, string done, string reason);
}
