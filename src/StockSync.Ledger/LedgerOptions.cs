using System.ComponentModel.DataAnnotations;

namespace StockSync.Ledger;

/// <summary>The <c>Ledger</c> configuration section: how movements are batched.</summary>
public sealed class LedgerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Ledger";

    /// <summary>The queue the ledger's batch consumers read from.</summary>
    public const string EndpointName = "inventory-ledger";

    /// <summary>
    /// The queue that applies one movement at a time: movements refused inside a batch are forwarded here, applied
    /// on their own if they have become valid, and otherwise faulted with their reason into
    /// <c>inventory-ledger-isolated_error</c>.
    /// </summary>
    public const string IsolatedEndpointName = "inventory-ledger-isolated";

    /// <summary>The most movements of one type applied in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchMessageLimit { get; set; } = 200;

    /// <summary>How long a partial batch waits for more movements before it is applied.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan BatchTimeLimit { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How many batches of one movement type may be in the ledger at once. They no longer collide: the partitions
    /// serialise the writes of each SKU × location. More batches in flight let a partition's transaction take more at once.
    /// </summary>
    [Range(1, 64)]
    public int BatchConcurrencyLimit { get; set; } = 64;

    /// <summary>
    /// How many single writers the ledger has in each process: movements are routed to one by a hash of their SKU ×
    /// location, and each applies its queue in one transaction at a time. More partitions mean more transactions in
    /// parallel (and more database connections), but smaller ones; on the 2-core benchmark machine 2 did best.
    /// </summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 2;

    /// <summary>The most movements a partition applies in one transaction (it takes whole batches, so it may go a batch over).</summary>
    [Range(1, 100_000)]
    public int MaxMovementsPerTransaction { get; set; } = 1000;

    /// <summary>How many unacknowledged messages the ledger queue holds; at least one full batch.</summary>
    [Range(1, 100_000)]
    public int PrefetchCount { get; set; } = 1000;

    /// <summary>
    /// How long the isolated queue waits before re-trying a movement refused because a bucket would go negative.
    /// Movements of different types are batched separately, so a sale can race the receipt it depends on; these
    /// retries let such races settle. After the last one the movement faults to the error queue with its reason.
    /// Invalid movements and unknown SKUs or locations are never retried.
    /// </summary>
    /// <remarks>Empty means the default, 0.25 s, 1 s, 3 s (the configuration binder appends to an array's initial items, so the default is not one).</remarks>
    public TimeSpan[] NegativeBucketRetryIntervals { get; set; } = [];

    /// <summary>The negative-bucket retry intervals in force.</summary>
    public TimeSpan[] NegativeBucketRetries => NegativeBucketRetryIntervals.Length > 0
        ? NegativeBucketRetryIntervals
        : [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>Retries, with growing intervals, of a transaction that failed on a conflict with another writer or a transient database error.</summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 10;
}
