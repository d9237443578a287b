using System.Diagnostics.Metrics;
using Scheduler.MassTransit.Worker;

namespace Scheduler.Benchmarks.Systems;

/// <summary>Counts the worker's <c>TaskReportBatch</c> messages and the reports they carried, from its <c>scheduler.worker.reports.batch.size</c>
/// histogram (meter <see cref="TaskReportingOptions.MeterName"/>).</summary>
internal sealed class ReportMessageCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _messages;
    private long _reports;

    public ReportMessageCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TaskReportingOptions.MeterName && instrument.Name == "scheduler.worker.reports.batch.size")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, reports, _, _) =>
        {
            Interlocked.Increment(ref _messages);
            Interlocked.Add(ref _reports, reports);
        });
        _listener.Start();
    }

    /// <summary>Messages and reports since the last call.</summary>
    public (long Messages, long Reports) Take() => (Interlocked.Exchange(ref _messages, 0), Interlocked.Exchange(ref _reports, 0));

    public void Dispose() => _listener.Dispose();
}
