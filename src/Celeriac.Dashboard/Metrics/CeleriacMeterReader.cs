using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Celeriac.Core.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// Listens to the "Celeriac" meter of this process (the same instruments an OpenTelemetry exporter reads) so that
/// <c>/metrics</c> serves them next to the dashboard's own figures, which come from every worker's events: the
/// meters count what this process's worker did, with nothing extra to wire.
/// </summary>
internal sealed class CeleriacMeterReader : IHostedService, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Series, Aggregate> _series = new();

    public CeleriacMeterReader()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TaskTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
    }

    // Started with the host, not on the first scrape: a listener hears only what is measured after it starts.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One instrument with one set of tags, ordered by tag name.</summary>
    public sealed record Series(string Instrument, string Kind, string Unit, string Description, (string Name, string Value)[] Tags)
    {
        public bool Equals(Series? other) => other is not null && Instrument == other.Instrument && Tags.SequenceEqual(other.Tags);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(Instrument);
            foreach (var tag in Tags)
            {
                hash.Add(tag);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>A counter's or up-down counter's total (<see cref="Sum"/>), or a histogram's count and sum.</summary>
    public sealed class Aggregate
    {
        private long _count;
        private double _sum;
        private readonly Lock _gate = new();

        public long Count { get { lock (_gate) { return _count; } } }

        public double Sum { get { lock (_gate) { return _sum; } } }

        public void Add(double value)
        {
            lock (_gate)
            {
                _count++;
                _sum += value;
            }
        }
    }

    /// <summary>Every series seen so far, ordered by instrument and tags.</summary>
    public IReadOnlyList<(Series Series, long Count, double Sum)> Snapshot() => _series
        .Select(p => (p.Key, p.Value.Count, p.Value.Sum))
        .OrderBy(s => s.Key.Instrument, StringComparer.Ordinal)
        .ThenBy(s => string.Join(',', s.Key.Tags.Select(t => t.Value)), StringComparer.Ordinal)
        .ToArray();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new (string Name, string Value)[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            copied[i] = (tags[i].Key, tags[i].Value?.ToString() ?? "");
        }

        Array.Sort(copied, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var kind = instrument switch
        {
            Histogram<double> => "histogram",
            UpDownCounter<long> => "gauge",
            _ => "counter",
        };
        var series = new Series(instrument.Name, kind, instrument.Unit ?? "", instrument.Description ?? "", copied);
        _series.GetOrAdd(series, static _ => new Aggregate()).Add(value);
    }
}
