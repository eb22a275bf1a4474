using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace StockSync.Simulators.Pos;

/// <summary>Where the simulated tills upload their journals (<c>Pos</c> section of the simulators' configuration).</summary>
public sealed class PosSimulatorOptions
{
    public const string Section = "Pos";

    /// <summary>StockSync's base URL: journals go to <c>{StockSyncUrl}/pos/journals</c>.</summary>
    public string StockSyncUrl { get; set; } = "http://localhost:5080";

    /// <summary>How many entries one upload carries when a store sends more than that at once (a replay).</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>How long one upload may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The faults a simulated store shows when it uploads its journal.</summary>
public sealed record PosFaults
{
    /// <summary>Every batch is uploaded twice.</summary>
    public bool DuplicateDelivery { get; init; }

    /// <summary>The batches of one delivery are uploaded in a shuffled order.</summary>
    public bool OutOfOrder { get; init; }

    /// <summary>
    /// The next N entries are numbered and journaled but not uploaded (a lost journal line): StockSync sees a gap in the
    /// store's sequence until the whole journal is re-sent (<c>POST …/replay</c> with <c>"all": true</c>).
    /// </summary>
    public int WithholdNext { get; init; }

    /// <summary>The shuffle's seed, for a reproducible order (random when null).</summary>
    public int? Seed { get; init; }
}

/// <summary>One line of a sale or return, as the till journals it.</summary>
public sealed record PosLine(string Barcode, int Quantity);

/// <summary>One journal entry in the POS wire format (<c>POST /pos/journals</c>).</summary>
public sealed record PosEntry
{
    public required long Sequence { get; init; }

    /// <summary><c>Sale</c>, <c>Return</c> or <c>PickupHandover</c>.</summary>
    public required string Type { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public required string TransactionId { get; init; }

    public IReadOnlyList<PosLine>? Lines { get; init; }

    public string? OrderId { get; init; }

    public string? OriginalTransactionId { get; init; }
}

/// <summary>An entry in a store's journal, with what became of it.</summary>
public sealed record JournalRecord(PosEntry Entry, bool Delivered, bool Withheld);

/// <summary>One upload the store made: the sequence numbers it carried, and StockSync's answer.</summary>
public sealed record PosDelivery(int Batch, IReadOnlyList<long> Sequences, bool Duplicate, DateTimeOffset SentAt, int? Status, string? Error)
{
    /// <summary>StockSync accepted it.</summary>
    public bool Accepted => Status is 202;
}

/// <summary>What one store looks like to a test or an operator.</summary>
public sealed record PosStoreView(
    string StoreNumber,
    bool Online,
    long LastSequence,
    int JournalEntries,
    int PendingEntries,
    int WithheldEntries,
    PosFaults Faults,
    IReadOnlyList<PosDelivery> Deliveries);

/// <summary>The result of a new entry or a replay: the entry (if one was made) and the uploads it caused.</summary>
public sealed record PosDeliveryReport(PosEntry? Entry, bool Online, IReadOnlyList<PosDelivery> Deliveries, int PendingEntries);

/// <summary>
/// Simulated store tills. Each store numbers its journal entries 1, 2, 3, … and, while online, uploads each new entry
/// (with anything still unsent) to StockSync's <c>POST /pos/journals</c> over HTTP. Offline, it buffers; on replay it
/// uploads the whole buffer in batches, with the faults switched on: every batch twice, batches shuffled, entries
/// withheld. A failed upload leaves its entries in the buffer.
/// </summary>
public sealed class PosSimulator(IHttpClientFactory clients, IOptionsMonitor<PosSimulatorOptions> options)
{
    /// <summary>The name of the HttpClient the stores upload with.</summary>
    public const string HttpClientName = "pos-simulator";

    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Dictionary<string, Store> _stores = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Every store seen so far.</summary>
    public IReadOnlyList<PosStoreView> Stores()
    {
        lock (_gate)
        {
            return [.. _stores.Values.Select(s => s.View())];
        }
    }

    /// <summary>A store's state (a store exists from its first use).</summary>
    public PosStoreView View(string storeNumber) => StoreOf(storeNumber).View();

    /// <summary>A store's whole journal, oldest first.</summary>
    public IReadOnlyList<JournalRecord> Journal(string storeNumber) => StoreOf(storeNumber).JournalSnapshot();

    /// <summary>Sets a store's faults.</summary>
    public PosStoreView SetFaults(string storeNumber, PosFaults faults)
    {
        var store = StoreOf(storeNumber);
        store.SetFaults(faults);
        return store.View();
    }

    /// <summary>Takes a store offline (entries are buffered) or back online (without uploading yet).</summary>
    public PosStoreView SetOnline(string storeNumber, bool online)
    {
        var store = StoreOf(storeNumber);
        store.SetOnline(online);
        return store.View();
    }

    /// <summary>Journals an entry (numbered by the store) and, when the store is online, uploads everything unsent.</summary>
    public async Task<PosDeliveryReport> RecordAsync(string storeNumber, Func<long, PosEntry> entry, CancellationToken ct)
    {
        var store = StoreOf(storeNumber);
        await store.Uploads.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var made = store.Append(entry);
            var deliveries = store.IsOnline ? await DeliverAsync(store, store.Unsent(all: false), ct).ConfigureAwait(false) : [];
            return new PosDeliveryReport(made, store.IsOnline, deliveries, store.View().PendingEntries);
        }
        finally
        {
            store.Uploads.Release();
        }
    }

    /// <summary>
    /// Brings the store online and uploads its buffered entries (with <paramref name="all"/>, the whole journal again,
    /// withheld entries included), in batches of <paramref name="batchSize"/> (default: configured).
    /// </summary>
    public async Task<PosDeliveryReport> ReplayAsync(string storeNumber, bool all, int? batchSize, CancellationToken ct)
    {
        var store = StoreOf(storeNumber);
        await store.Uploads.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            store.SetOnline(true);
            var deliveries = await DeliverAsync(store, store.Unsent(all), ct, batchSize).ConfigureAwait(false);
            return new PosDeliveryReport(null, true, deliveries, store.View().PendingEntries);
        }
        finally
        {
            store.Uploads.Release();
        }
    }

    private async Task<IReadOnlyList<PosDelivery>> DeliverAsync(Store store, IReadOnlyList<PosEntry> entries, CancellationToken ct, int? batchSize = null)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        var settings = options.CurrentValue;
        var faults = store.Faults;
        var plan = PosDeliveryPlan.Make(entries, batchSize ?? settings.BatchSize, faults, faults.Seed is { } seed ? new Random(seed) : Random.Shared);
        var client = clients.CreateClient(HttpClientName);
        var url = new Uri($"{settings.StockSyncUrl.TrimEnd('/')}/pos/journals");
        var deliveries = new List<PosDelivery>();
        foreach (var upload in plan)
        {
            var sentAt = DateTimeOffset.UtcNow;
            int? status = null;
            string? error = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(settings.Timeout);
            try
            {
                using var response = await client.PostAsJsonAsync(url, new { storeNumber = store.Number, entries = upload.Entries }, Wire, timeout.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    error = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (HttpRequestException ex)
            {
                error = $"StockSync could not be reached at {url}: {ex.Message}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = $"StockSync did not answer within {settings.Timeout.TotalSeconds:0.#} s.";
            }

            var delivery = new PosDelivery(upload.Batch, [.. upload.Entries.Select(e => e.Sequence)], upload.Duplicate, sentAt, status, error);
            if (delivery.Accepted)
            {
                store.MarkDelivered(delivery.Sequences);
            }

            store.Log(delivery);
            deliveries.Add(delivery);
        }

        return deliveries;
    }

    private Store StoreOf(string storeNumber)
    {
        lock (_gate)
        {
            if (!_stores.TryGetValue(storeNumber, out var store))
            {
                store = new Store(storeNumber);
                _stores[storeNumber] = store;
            }

            return store;
        }
    }

    private sealed class Store(string number)
    {
        private const int KeptDeliveries = 1000;
        private readonly Lock _gate = new();
        private readonly List<JournalRecord> _journal = [];
        private readonly Queue<PosDelivery> _deliveries = new();
        private bool _online = true;
        private PosFaults _faults = new();

        public string Number { get; } = number;

        /// <summary>One upload (live or replay) at a time per store, like one till's uploader.</summary>
        public SemaphoreSlim Uploads { get; } = new(1, 1);

        public bool IsOnline
        {
            get
            {
                lock (_gate)
                {
                    return _online;
                }
            }
        }

        public PosFaults Faults
        {
            get
            {
                lock (_gate)
                {
                    return _faults;
                }
            }
        }

        public void SetFaults(PosFaults faults)
        {
            lock (_gate)
            {
                _faults = faults;
            }
        }

        public void SetOnline(bool online)
        {
            lock (_gate)
            {
                _online = online;
            }
        }

        public PosEntry Append(Func<long, PosEntry> make)
        {
            lock (_gate)
            {
                var entry = make(_journal.Count + 1);
                var withheld = _faults.WithholdNext > 0;
                if (withheld)
                {
                    _faults = _faults with { WithholdNext = _faults.WithholdNext - 1 };
                }

                _journal.Add(new JournalRecord(entry, Delivered: false, Withheld: withheld));
                return entry;
            }
        }

        public IReadOnlyList<PosEntry> Unsent(bool all)
        {
            lock (_gate)
            {
                return [.. _journal.Where(r => all || (!r.Delivered && !r.Withheld)).Select(r => r.Entry)];
            }
        }

        public void MarkDelivered(IReadOnlyList<long> sequences)
        {
            lock (_gate)
            {
                foreach (var sequence in sequences)
                {
                    _journal[(int)sequence - 1] = _journal[(int)sequence - 1] with { Delivered = true, Withheld = false };
                }
            }
        }

        public void Log(PosDelivery delivery)
        {
            lock (_gate)
            {
                _deliveries.Enqueue(delivery);
                while (_deliveries.Count > KeptDeliveries)
                {
                    _deliveries.Dequeue();
                }
            }
        }

        public IReadOnlyList<JournalRecord> JournalSnapshot()
        {
            lock (_gate)
            {
                return [.. _journal];
            }
        }

        public PosStoreView View()
        {
            lock (_gate)
            {
                return new PosStoreView(
                    Number,
                    _online,
                    _journal.Count,
                    _journal.Count,
                    _journal.Count(r => !r.Delivered && !r.Withheld),
                    _journal.Count(r => r.Withheld),
                    _faults,
                    [.. _deliveries]);
            }
        }
    }
}

/// <summary>How a store uploads a run of entries: in batches, each maybe twice, maybe shuffled.</summary>
public static class PosDeliveryPlan
{
    /// <summary>One upload: its batch number (from 1, in journal order), its entries, and whether it repeats an earlier upload.</summary>
    public sealed record Upload(int Batch, IReadOnlyList<PosEntry> Entries, bool Duplicate);

    /// <summary>The uploads of <paramref name="entries"/> (journal order) under <paramref name="faults"/>.</summary>
    public static IReadOnlyList<Upload> Make(IReadOnlyList<PosEntry> entries, int batchSize, PosFaults faults, Random random)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(faults);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var uploads = new List<Upload>();
        foreach (var (chunk, index) in entries.Chunk(batchSize).Select((c, i) => (c, i)))
        {
            uploads.Add(new Upload(index + 1, chunk, Duplicate: false));
            if (faults.DuplicateDelivery)
            {
                uploads.Add(new Upload(index + 1, chunk, Duplicate: true));
            }
        }

        if (faults.OutOfOrder && uploads.Count > 1)
        {
            var shuffled = uploads.ToArray();
            random.Shuffle(shuffled);
            if (shuffled.SequenceEqual(uploads))
            {
                // A shuffle that left everything in place would not test anything: swap the first two.
                (shuffled[0], shuffled[1]) = (shuffled[1], shuffled[0]);
            }

            return shuffled;
        }

        return uploads;
    }
}
