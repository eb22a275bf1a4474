using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using StockSync.Contracts.Inventory;

namespace StockSync.Benchmarks;

/// <summary>One <see cref="AvailabilityChanged"/> as the benchmark received it.</summary>
public readonly record struct AvailabilityObservation(string Sku, string LocationId, DateTimeOffset LatestMovementOccurredAt, DateTimeOffset ReceivedAt);

/// <summary>
/// What the host publishes, seen from a queue of the benchmark's own (<c>benchmark-observer</c>, bound to the
/// <see cref="AvailabilityChanged"/> and <see cref="MovementsApplied"/> exchanges): every availability change with its
/// arrival time, and the number of this run's movements applied, with the arrival time of each
/// <see cref="MovementsApplied"/> (the ledger publishes one per batch, in the batch's transaction).
/// </summary>
public sealed class HostObserver(IReadOnlyCollection<string> sourceSystems)
{
    private readonly HashSet<string> _sources = [.. sourceSystems];
    private readonly ConcurrentQueue<AvailabilityObservation> _availability = new();
    private readonly ConcurrentQueue<(long Ticks, int Count)> _applied = new();
    private long _appliedTotal;

    /// <summary>Movements of this run the host reported applied so far.</summary>
    public long Applied => Interlocked.Read(ref _appliedTotal);

    /// <summary>Every availability change received so far.</summary>
    public IReadOnlyCollection<AvailabilityObservation> Availability => _availability;

    /// <summary>Movements of this run reported applied between two <see cref="Stopwatch"/> timestamps.</summary>
    public long AppliedBetween(long fromTimestamp, long toTimestamp) =>
        _applied.Where(a => a.Ticks >= fromTimestamp && a.Ticks < toTimestamp).Sum(a => (long)a.Count);

    /// <summary>Adds the observer's receive endpoint to a bus.</summary>
    public void Configure(IRabbitMqBusFactoryConfigurator cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        cfg.ReceiveEndpoint("benchmark-observer", e =>
        {
            e.PrefetchCount = 2000;
            e.Handler<AvailabilityChanged>(context =>
            {
                var m = context.Message;
                _availability.Enqueue(new AvailabilityObservation(m.Sku, m.LocationId, m.LatestMovementOccurredAt, DateTimeOffset.UtcNow));
                return Task.CompletedTask;
            });
            e.Handler<MovementsApplied>(context =>
            {
                var ours = context.Message.Movements.Count(m => _sources.Contains(m.SourceSystem));
                if (ours > 0)
                {
                    _applied.Enqueue((Stopwatch.GetTimestamp(), ours));
                    Interlocked.Add(ref _appliedTotal, ours);
                }

                return Task.CompletedTask;
            });
        });
    }
}

/// <summary>
/// The raw-transport baseline's consumer: the same movement types on a queue of its own in a vhost of its own, no
/// database work, each consume counted with its time.
/// </summary>
public sealed class BaselineCounter
{
    private readonly ConcurrentQueue<long> _consumed = new();

    /// <summary>Messages consumed so far.</summary>
    public int Consumed => _consumed.Count;

    /// <summary>Messages consumed between two <see cref="Stopwatch"/> timestamps.</summary>
    public long ConsumedBetween(long fromTimestamp, long toTimestamp) => _consumed.Count(t => t >= fromTimestamp && t < toTimestamp);

    /// <summary>Adds the baseline's receive endpoint (<c>baseline-movements</c>) to a bus.</summary>
    public void Configure(IRabbitMqBusFactoryConfigurator cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        cfg.ReceiveEndpoint("baseline-movements", e =>
        {
            e.PrefetchCount = 1000;
            Count<SaleRecorded>(e);
            Count<StockReserved>(e);
            Count<ReservationCommitted>(e);
            Count<ReturnReceived>(e);
            Count<TransferShipped>(e);
            Count<TransferReceived>(e);
            Count<ReceiptPosted>(e);
            Count<InventoryAdjusted>(e);
            Count<StockCounted>(e);
        });
    }

    private void Count<T>(IRabbitMqReceiveEndpointConfigurator e)
        where T : class =>
        e.Handler<T>(_ =>
        {
            _consumed.Enqueue(Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        });
}
