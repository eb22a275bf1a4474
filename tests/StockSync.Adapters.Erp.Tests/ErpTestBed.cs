using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockSync.Persistence;
using StockSync.Persistence.Erp;
using StockSync.Persistence.Sqlite;
using StockSync.Sagas;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>
/// The ERP adapter's services over a migrated SQLite database of its own, on a <see cref="FakeTimeProvider"/>, with a
/// scripted ERP (<see cref="ScriptedErp"/>) in place of the HTTP client. Tests drive the dispatcher round by round
/// (<see cref="RoundAsync"/>) and move the clock themselves, so backoff is checked to the millisecond without waiting.
/// </summary>
public sealed class ErpTestBed : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly string _path;

    private ErpTestBed(ServiceProvider services, FakeTimeProvider clock, ScriptedErp erp, string path)
    {
        Services = services;
        Clock = clock;
        Erp = erp;
        _path = path;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; }

    public ScriptedErp Erp { get; }

    public ErpPostingDispatcher Dispatcher => Services.GetRequiredService<ErpPostingDispatcher>();

    public ErpPostingOptions Options => Services.GetRequiredService<IOptions<ErpPostingOptions>>().Value;

    /// <summary>
    /// Batches of 3, 3 attempts before the exception queue, backoff 1 s doubling to 8 s, unless
    /// <paramref name="settings"/> say otherwise (keys under <c>Erp:Postings</c>).
    /// </summary>
    public static async Task<ErpTestBed> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"stocksync-erp-{Guid.NewGuid():N}.db");
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={path};Pooling=False",
            ["Erp:Postings:Url"] = "http://erp.test/postings",
            ["Erp:Postings:BatchSize"] = "3",
            ["Erp:Postings:MaxAttempts"] = "3",
            ["Erp:Postings:RetryBaseDelay"] = "00:00:01",
            ["Erp:Postings:MaxRetryDelay"] = "00:00:08",
            ["Erp:Postings:RequestTimeout"] = "00:00:10",
            ["Erp:Postings:Lease"] = "00:00:30",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[$"Erp:Postings:{key}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var clock = new FakeTimeProvider(Start);
        var erp = new ScriptedErp();
        var registrations = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddStockSyncDatabase(configuration, new SqliteProviderConfigurator())
            .AddStockSyncSagaMaps([.. OrderFlowRegistration.SagaMaps])
            .AddStockSyncErpAdapter(configuration);
        registrations.Replace(ServiceDescriptor.Singleton<IErpClient>(erp));
        var services = registrations.BuildServiceProvider(true);
        try
        {
            // What a host checks before it starts: a bad Erp:Postings setting fails here.
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }

        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().Database.MigrateAsync();
        }

        return new ErpTestBed(services, clock, erp, path);
    }

    /// <summary>Queues postings as the consumer does (one transaction), named by id, of kind Sale.</summary>
    public async Task EnqueueAsync(params string[] postingIds)
    {
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ErpPostingStore>();
        await store.EnqueueAsync(postingIds.Select(Posting), default);
        await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().SaveChangesAsync();
    }

    /// <summary>A sale posting named <paramref name="postingId"/>.</summary>
    public static ErpPostingDocument Posting(string postingId) => new()
    {
        PostingId = postingId,
        Kind = ErpPostingKind.Sale,
        OccurredAt = Start,
        LocationId = "STORE-1",
        Lines = [new ErpPostingLine { Sku = "SKU-1", Quantity = 1 }],
    };

    /// <summary>One dispatcher round on the current fake time.</summary>
    public Task<ErpDispatchRound> RoundAsync() => Dispatcher.DispatchOnceAsync(default);

    /// <summary>Runs rounds until one finds nothing due (or the ERP is being waited for); returns how many sent a batch.</summary>
    public async Task<int> DrainAsync()
    {
        var sent = 0;
        for (var i = 0; i < 1000; i++)
        {
            var round = await RoundAsync();
            if (round.Outcome != ErpDispatchOutcome.Sent)
            {
                return sent;
            }

            sent++;
        }

        throw new InvalidOperationException("The queue did not drain in 1000 rounds.");
    }

    /// <summary>Every posting row, in sequence order.</summary>
    public async Task<List<ErpPostingRecord>> RowsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().ErpPostings.AsNoTracking().OrderBy(p => p.Sequence).ToListAsync();
    }

    public async Task<ErpPostingRecord> RowAsync(string postingId) => (await RowsAsync()).Single(p => p.PostingId == postingId);

    /// <summary>Runs <paramref name="work"/> with the store of a fresh scope.</summary>
    public async Task<T> WithStoreAsync<T>(Func<ErpPostingStore, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ErpPostingStore>());
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }
}

/// <summary>
/// An ERP that answers as the test tells it: unavailable (with an optional Retry-After), refusing the whole request,
/// or refusing some posting ids; everything else is booked (a repeated id is accepted again, as a real ERP would).
/// It records every request's posting ids, and every posting it booked, in order.
/// </summary>
public sealed class ScriptedErp : IErpClient
{
    private readonly ConcurrentQueue<IReadOnlyList<string>> _requests = new();
    private readonly ConcurrentQueue<string> _booked = new();

    public ErpBatchOutcome.Unavailable? Unavailable { get; set; }

    public string? RefuseRequest { get; set; }

    public HashSet<string> RefusedIds { get; } = new(StringComparer.Ordinal);

    /// <summary>How long each request takes (real time), to let concurrent dispatchers overlap.</summary>
    public TimeSpan Latency { get; set; }

    public IReadOnlyList<IReadOnlyList<string>> Requests => [.. _requests];

    public IReadOnlyList<string> Booked => [.. _booked];

    public async Task<ErpBatchOutcome> PostAsync(IReadOnlyList<ErpPostingRecord> postings, CancellationToken ct)
    {
        _requests.Enqueue([.. postings.Select(p => p.PostingId)]);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, ct);
        }

        if (Unavailable is { } unavailable)
        {
            return unavailable;
        }

        if (RefuseRequest is { } refusal)
        {
            return new ErpBatchOutcome.Refused(refusal);
        }

        var results = new List<ErpPostingResult>();
        foreach (var posting in postings)
        {
            if (RefusedIds.Contains(posting.PostingId))
            {
                results.Add(new ErpPostingResult(posting.PostingId, false, $"HTTP 400: posting {posting.PostingId} cannot be booked"));
            }
            else
            {
                _booked.Enqueue(posting.PostingId);
                results.Add(new ErpPostingResult(posting.PostingId, true, null));
            }
        }

        return new ErpBatchOutcome.Answered(results);
    }
}
