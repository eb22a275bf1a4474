using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockSync.Persistence;
using StockSync.Persistence.Erp;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>Queuing postings: a posting id is one row, however often and however concurrently it is queued.</summary>
public sealed class ErpPostingStoreTests : IAsyncLifetime
{
    private ErpTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ErpTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_posting_queued_twice_is_one_row_and_its_first_document_stays()
    {
        await _bed.EnqueueAsync("P1", "P2", "P1");
        await using (var scope = _bed.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<ErpPostingStore>();
            var added = await store.EnqueueAsync([ErpTestBed.Posting("P2") with { LocationId = "ELSEWHERE" }, ErpTestBed.Posting("P3")], default);
            await scope.ServiceProvider.GetRequiredService<StockSyncDbContext>().SaveChangesAsync();
            Assert.Equal(1, added);
        }

        var rows = await _bed.RowsAsync();
        Assert.Equal(["P1", "P2", "P3"], rows.Select(r => r.PostingId));
        Assert.True(rows[0].Sequence < rows[1].Sequence && rows[1].Sequence < rows[2].Sequence);
        Assert.DoesNotContain("ELSEWHERE", rows[1].Payload, StringComparison.Ordinal);
        Assert.All(rows, r => Assert.Equal((ErpPostingStatus.Pending, 0, ErpTestBed.Start.UtcDateTime), (r.Status, r.Attempts, r.CreatedAt)));
    }

    [Fact]
    public async Task Two_transactions_queuing_the_same_new_posting_meet_on_its_unique_id_and_the_loser_fails_to_be_retried()
    {
        await using var first = _bed.Services.CreateAsyncScope();
        await using var second = _bed.Services.CreateAsyncScope();
        // Both look before either saves: each believes the posting is new.
        Assert.Equal(1, await first.ServiceProvider.GetRequiredService<ErpPostingStore>().EnqueueAsync([ErpTestBed.Posting("P1")], default));
        Assert.Equal(1, await second.ServiceProvider.GetRequiredService<ErpPostingStore>().EnqueueAsync([ErpTestBed.Posting("P1")], default));

        await first.ServiceProvider.GetRequiredService<StockSyncDbContext>().SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateException>(() => second.ServiceProvider.GetRequiredService<StockSyncDbContext>().SaveChangesAsync());

        // The retry (a fresh unit of work) finds the row and adds nothing.
        Assert.Equal(0, await _bed.WithStoreAsync(s => s.EnqueueAsync([ErpTestBed.Posting("P1")], default)));
        Assert.Single(await _bed.RowsAsync());
    }

    [Fact]
    public async Task A_posting_whose_id_does_not_fit_the_table_is_refused_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _bed.WithStoreAsync(s => s.EnqueueAsync([ErpTestBed.Posting(new string('x', 301))], default)));

        Assert.Contains("at most 300 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operators_list_postings_by_status_in_queue_order_and_page_by_sequence()
    {
        _bed.Erp.RefusedIds.Add("P2");
        await _bed.EnqueueAsync("P1", "P2", "P3", "P4");
        await _bed.RoundAsync();

        var pending = await _bed.WithStoreAsync(s => s.ListAsync(ErpPostingStatus.Pending, 0, 10, default));
        var posted = await _bed.WithStoreAsync(s => s.ListAsync(ErpPostingStatus.Posted, 0, 10, default));
        var all = await _bed.WithStoreAsync(s => s.ListAsync(null, 0, 2, default));
        var next = await _bed.WithStoreAsync(s => s.ListAsync(null, all[^1].Sequence, 2, default));

        Assert.Equal(["P2", "P4"], pending.Select(p => p.PostingId));
        Assert.Equal(["P1", "P3"], posted.Select(p => p.PostingId));
        Assert.Equal(["P1", "P2", "P3", "P4"], all.Concat(next).Select(p => p.PostingId));
    }
}
