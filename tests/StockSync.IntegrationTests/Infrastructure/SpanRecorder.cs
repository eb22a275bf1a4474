using System.Collections.Concurrent;
using System.Diagnostics;

namespace StockSync.IntegrationTests.Infrastructure;

/// <summary>
/// Records the spans of the named activity sources that end while it listens (everything in this process: filter by
/// trace id, which is unique to a test).
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name, StringComparer.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The ended spans of one trace.</summary>
    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => [.. _stopped.Where(a => a.TraceId == traceId)];

    /// <summary><paramref name="span"/> and its recorded ancestors, nearest first.</summary>
    public IReadOnlyList<Activity> Ancestry(Activity span)
    {
        var trace = InTrace(span.TraceId).ToDictionary(a => a.SpanId);
        var chain = new List<Activity> { span };
        while (trace.TryGetValue(chain[^1].ParentSpanId, out var parent) && !chain.Contains(parent))
        {
            chain.Add(parent);
        }

        return chain;
    }

    public void Dispose() => _listener.Dispose();
}
