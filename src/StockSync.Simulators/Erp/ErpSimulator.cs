using System.Text.Json.Nodes;

namespace StockSync.Simulators.Erp;

/// <summary>
/// The faults the simulated ERP is told to show. The counted and timed ones apply to every call of its API that
/// StockSync makes (<c>POST /erp/postings</c>, and <c>GET</c> of <c>/erp/items</c>, <c>/erp/sites</c>,
/// <c>/erp/documents</c> and <c>/erp/snapshot</c>), each answered through <see cref="ErpSimulator.NextAnswer"/>; the
/// control calls of tests and the demo never fault.
/// </summary>
public sealed record ErpFaults
{
    /// <summary>Every call fails with 503 until switched off.</summary>
    public bool Outage { get; init; }

    /// <summary>Each call is answered only after this many milliseconds.</summary>
    public int DelayMs { get; init; }

    /// <summary>The next N calls fail with 503.</summary>
    public int FailNext { get; init; }

    /// <summary>The next N calls are throttled with 429 and <see cref="RetryAfterSeconds"/>.</summary>
    public int ThrottleNext { get; init; }

    /// <summary>The Retry-After of a throttled call.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>The next N calls are refused as a whole with 400 (a malformed request, as the ERP sees it).</summary>
    public int RefuseNext { get; init; }

    /// <summary>Postings the ERP refuses (400 in their result) every time they arrive, until the faults change.</summary>
    public IReadOnlyList<string> RefusePostingIds { get; init; } = [];

    /// <summary>Each document appears twice in a page of <c>GET /erp/documents</c>, with the same cursor.</summary>
    public bool DuplicateDocuments { get; init; }

    /// <summary>The documents of a page of <c>GET /erp/documents</c> come in a shuffled order.</summary>
    public bool ShuffleDocuments { get; init; }

    /// <summary>The shuffle's seed, for a reproducible order (random when null).</summary>
    public int? Seed { get; init; }
}

/// <summary>A posting the simulated ERP has booked: when it first arrived, and how many times it was delivered.</summary>
public sealed record BookedPosting(string PostingId, long? Sequence, string? Kind, DateTimeOffset ArrivedAt, int Deliveries, JsonNode Document);

/// <summary>One call to the posting API and how the ERP answered it.</summary>
public sealed record PostingCall(DateTimeOffset ReceivedAt, int Status, IReadOnlyList<string> PostingIds, IReadOnlyList<string> Refused);

/// <summary>The simulated ERP's answer to one posting of a batch.</summary>
public sealed record PostingResult(string PostingId, int Status, string? Error);

/// <summary>
/// The state of the simulated ERP: its faults and its posting book (every posting booked once, in arrival order, with
/// its delivery count; every call with its answer), so a test or the demo can check what the ERP saw; and its own side,
/// which StockSync reads: the item master (item numbers, with the canonical SKU, order unit and barcodes) and the site
/// master (site codes, with the canonical location id), both versioned by one change counter; the documents feed
/// (purchase receipts, transfer shipments and receipts, each with a cursor); and the stock book per site and item in
/// eaches, moved by the documents and by each newly booked posting (canonical ids mapped back through the master),
/// read as a snapshot. <see cref="Clear"/> forgets the postings and calls; <see cref="ClearData"/> the master data, the
/// documents and the stock book (the version and cursor counters keep counting up).
/// </summary>
public sealed partial class ErpSimulator
{
    private readonly Lock _gate = new();
    private readonly List<BookedPosting> _booked = [];
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly List<PostingCall> _calls = [];
    private ErpFaults _faults = new();

    /// <summary>The faults in force.</summary>
    public ErpFaults Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults;
            }
        }
    }

    /// <summary>Sets (replaces) the faults.</summary>
    public void SetFaults(ErpFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        lock (_gate)
        {
            _faults = faults;
        }
    }

    /// <summary>Decides the status of the next call (consuming one of the counted faults), its Retry-After and delay.</summary>
    public (int Status, int? RetryAfterSeconds, int DelayMs) NextAnswer()
    {
        lock (_gate)
        {
            var faults = _faults;
            if (faults.Outage)
            {
                return (StatusCodes.Status503ServiceUnavailable, null, faults.DelayMs);
            }

            if (faults.FailNext > 0)
            {
                _faults = faults with { FailNext = faults.FailNext - 1 };
                return (StatusCodes.Status503ServiceUnavailable, null, faults.DelayMs);
            }

            if (faults.ThrottleNext > 0)
            {
                _faults = faults with { ThrottleNext = faults.ThrottleNext - 1 };
                return (StatusCodes.Status429TooManyRequests, faults.RetryAfterSeconds, faults.DelayMs);
            }

            if (faults.RefuseNext > 0)
            {
                _faults = faults with { RefuseNext = faults.RefuseNext - 1 };
                return (StatusCodes.Status400BadRequest, null, faults.DelayMs);
            }

            return (StatusCodes.Status200OK, null, faults.DelayMs);
        }
    }

    /// <summary>Books a batch the ERP accepted as a request: each posting is booked, recognised as a repeat, or refused.</summary>
    public IReadOnlyList<PostingResult> Book(IReadOnlyList<JsonObject> postings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(postings);
        lock (_gate)
        {
            var results = new List<PostingResult>();
            foreach (var posting in postings)
            {
                var id = posting["postingId"]!.GetValue<string>();
                if (_faults.RefusePostingIds.Contains(id, StringComparer.Ordinal))
                {
                    results.Add(new PostingResult(id, StatusCodes.Status400BadRequest, $"Posting '{id}' refused (simulated): the ERP cannot book it."));
                }
                else if (_byId.TryGetValue(id, out var index))
                {
                    _booked[index] = _booked[index] with { Deliveries = _booked[index].Deliveries + 1 };
                    results.Add(new PostingResult(id, StatusCodes.Status200OK, null));
                }
                else
                {
                    _byId[id] = _booked.Count;
                    _booked.Add(new BookedPosting(id, posting["sequence"]?.GetValue<long>(), posting["kind"]?.GetValue<string>(), now, 1, posting.DeepClone()));
                    BookPosting(posting);
                    results.Add(new PostingResult(id, StatusCodes.Status201Created, null));
                }
            }

            _calls.Add(new PostingCall(now, StatusCodes.Status200OK, [.. postings.Select(p => p["postingId"]!.GetValue<string>())], [.. results.Where(r => r.Status >= 400).Select(r => r.PostingId)]));
            return results;
        }
    }

    /// <summary>Records a call answered with a fault (nothing booked).</summary>
    public void RecordFault(int status, IReadOnlyList<string> postingIds, DateTimeOffset now)
    {
        lock (_gate)
        {
            _calls.Add(new PostingCall(now, status, postingIds, []));
        }
    }

    /// <summary>The booked postings, in arrival order.</summary>
    public IReadOnlyList<BookedPosting> Booked
    {
        get
        {
            lock (_gate)
            {
                return [.. _booked];
            }
        }
    }

    /// <summary>Every posting call, oldest first.</summary>
    public IReadOnlyList<PostingCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Forgets every posting and call (the faults, the master data, the documents and the stock book stay).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _booked.Clear();
            _byId.Clear();
            _calls.Clear();
        }
    }
}
