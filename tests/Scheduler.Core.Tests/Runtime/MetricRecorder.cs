using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>Records the measurements of the meters one <see cref="IMeterFactory"/> created (one fixture's node), with their tags.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new();

    public MetricRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded (with <paramref name="tag"/> when given).</summary>
    public double Sum(string instrument, (string Key, string Value)? tag = null) =>
        _measurements.Where(m => m.Instrument == instrument && (tag is not { } t || Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))
            .Sum(m => m.Value);

    /// <summary>Every value <paramref name="instrument"/> recorded, in order.</summary>
    public IReadOnlyList<double> Values(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).ToList();

    /// <summary>The current value of the observable gauge <paramref name="instrument"/>.</summary>
    public double Observe(string instrument)
    {
        _measurements.Clear();
        _listener.RecordObservableInstruments();
        return Assert.Single(Values(instrument));
    }

    /// <summary>The instruments of the scope's meters, by name.</summary>
    public IReadOnlyDictionary<string, Instrument> Instruments => _instruments;

    /// <summary>The tags of every measurement of <paramref name="instrument"/> so far.</summary>
    public IReadOnlyList<Dictionary<string, object?>> TagsOf(string instrument) =>
        _measurements.Where(m => m.Instrument == instrument).Select(m => m.Tags).ToList();

    /// <summary>The tags of every measurement so far.</summary>
    public IEnumerable<Dictionary<string, object?>> Tags => _measurements.Select(m => m.Tags);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    public void Dispose() => _listener.Dispose();
}
