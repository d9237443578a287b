using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Follows the node's report endpoint (the task instance saga's queue, <see cref="SchedulerEndpoints.TaskInstanceSaga"/>): while it does not
/// consume, workers' reports cannot reach this node, so its runner claims no expired attempt (silence proves nothing then); when it consumes
/// again, every running attempt gets its ExpireAfter again from that moment (<see cref="LoopSignals.ReportsResumed"/>).
/// </summary>
internal sealed class ReportEndpointObserver(LoopSignals signals, IOptions<SchedulerOptions> options) : IReceiveEndpointObserver
{
    private readonly string _queue = new SchedulerEndpoints(options.Value.ClusterName).TaskInstanceSaga;
    private int _interrupted;

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (IsReportEndpoint(ready))
        {
            signals.ReportsArriving = true;
            if (Interlocked.Exchange(ref _interrupted, 0) == 1)
            {
                signals.ReportsResumed?.Invoke();
            }
        }

        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Interrupted(stopping);

    public Task Completed(ReceiveEndpointCompleted completed) => Interrupted(completed);

    public Task Faulted(ReceiveEndpointFaulted faulted) => Interrupted(faulted);

    private Task Interrupted(ReceiveEndpointEvent change)
    {
        if (IsReportEndpoint(change))
        {
            signals.ReportsArriving = false;
            Interlocked.Exchange(ref _interrupted, 1);
        }

        return Task.CompletedTask;
    }

    private bool IsReportEndpoint(ReceiveEndpointEvent change) =>
        string.Equals(change.InputAddress.AbsolutePath.TrimStart('/').Split('/')[^1], _queue, StringComparison.Ordinal);
}
