using System.Diagnostics;
using MassTransit;
using StockSync.Contracts.Inventory;

namespace StockSync.Benchmarks;

/// <summary>A sale the benchmark published: its key and OccurredAt (which is also when it was published).</summary>
public readonly record struct SentSale(string Sku, string LocationId, DateTimeOffset OccurredAt);

/// <summary>What one load phase published.</summary>
public sealed record PublishResult(long Movements, TimeSpan Elapsed, IReadOnlyList<SentSale> Sales, IReadOnlyDictionary<string, long> ByType)
{
    /// <summary>Movements per second actually offered.</summary>
    public double OfferedPerSecond => Movements / Elapsed.TotalSeconds;
}

/// <summary>
/// Publishes the mix on a bus, as an adapter would (MassTransit publish, one message per movement), at a fixed rate or
/// as fast as the broker confirms, with at most <see cref="BenchmarkOptions.InFlight"/> publishes in flight. The two
/// movements of one action (a reservation and its commit, a shipment and its receipt) are published one after the other.
/// Also keeps the totals the end check compares the ledger with.
/// </summary>
public sealed class LoadDriver(MovementMix mix, BenchmarkOptions options)
{
    private readonly Lock _gate = new();

    /// <summary>Every movement published by this driver.</summary>
    public long Published { get; private set; }

    /// <summary>Sum of quantities sent per bucket that the ledger changes predictably (all but OnHand, which counts reset).</summary>
    public ExpectedTotals Expected { get; } = new();

    /// <summary>Publishes for <paramref name="duration"/>; <paramref name="rate"/> null means as fast as possible.</summary>
    public async Task<PublishResult> RunAsync(IPublishEndpoint bus, int? rate, TimeSpan duration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var sales = new List<SentSale>();
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        using var inFlight = new SemaphoreSlim(options.InFlight);
        var failures = new List<Exception>();
        var pending = new List<Task>();
        long sent = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            if (rate is { } r)
            {
                var due = (long)(r * watch.Elapsed.TotalSeconds);
                if (sent >= due)
                {
                    await Task.Delay(2, ct);
                    continue;
                }
            }

            await inFlight.WaitAsync(ct);
            var action = mix.Next(DateTimeOffset.UtcNow);
            sent += action.Length;
            Record(action, sales, byType);
            pending.Add(PublishAsync(bus, action, inFlight, failures, ct));
            if (pending.Count > 10_000)
            {
                pending.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(pending);
        watch.Stop();
        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} publishes failed.", failures);
        }

        Published += sent;
        return new PublishResult(sent, watch.Elapsed, sales, byType);
    }

    private static async Task PublishAsync(IPublishEndpoint bus, StockMovement[] action, SemaphoreSlim inFlight, List<Exception> failures, CancellationToken ct)
    {
        try
        {
            foreach (var movement in action)
            {
                // The runtime type, not StockMovement: the ledger subscribes to the concrete types.
                await bus.Publish(movement, movement.GetType(), ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lock (failures)
            {
                failures.Add(ex);
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private void Record(StockMovement[] action, List<SentSale> sales, Dictionary<string, long> byType)
    {
        lock (_gate)
        {
            foreach (var movement in action)
            {
                var type = movement.GetType().Name;
                byType[type] = byType.GetValueOrDefault(type) + 1;
                Expected.Add(movement);
                if (movement is SaleRecorded sale)
                {
                    sales.Add(new SentSale(sale.Sku, sale.LocationId, sale.OccurredAt));
                }
            }
        }
    }
}

/// <summary>
/// The bucket totals the movements sent must produce, for the buckets no count resets: Reserved (reservations minus
/// commits), Allocated (commits), Quarantine (returns), InTransit (shipments minus receipts), Damaged and SafetyStock
/// (never touched: zero).
/// </summary>
public sealed class ExpectedTotals
{
    /// <summary>Expected sum of reserved_delta over the run's ledger rows.</summary>
    public long Reserved { get; private set; }

    /// <summary>Expected sum of allocated_delta.</summary>
    public long Allocated { get; private set; }

    /// <summary>Expected sum of quarantine_delta.</summary>
    public long Quarantine { get; private set; }

    /// <summary>Expected sum of in_transit_delta.</summary>
    public long InTransit { get; private set; }

    /// <summary>Adds one movement's effect.</summary>
    public void Add(StockMovement movement)
    {
        switch (movement)
        {
            case StockReserved r:
                Reserved += r.Quantity;
                break;
            case ReservationCommitted c:
                Reserved -= c.Quantity;
                Allocated += c.Quantity;
                break;
            case ReturnReceived ret:
                Quarantine += ret.Quantity;
                break;
            case TransferShipped s:
                InTransit += s.Quantity;
                break;
            case TransferReceived rcv:
                InTransit -= rcv.Quantity;
                break;
        }
    }
}
