using static StockSync.Inventory.Tests.Movements;

namespace StockSync.Inventory.Tests;

/// <summary>The reference ledger: idempotency by (source system, message id) and positions projected from lines.</summary>
public sealed class InMemoryLedgerTests
{
    private readonly InMemoryLedger _ledger = new();

    [Fact]
    public void A_duplicate_sale_is_applied_once()
    {
        _ledger.Apply(Receipt(10));
        var sale = Sale(3);

        _ledger.Apply(sale);
        var second = _ledger.Apply(sale);

        Assert.Empty(Assert.IsType<MovementOutcome.Applied>(second).Changes);
        Assert.Equal(7, _ledger.GetPosition(StoreKey).OnHand);
        Assert.Equal(2, _ledger.Lines.Count);
    }

    [Fact]
    public void A_reused_id_with_different_content_is_refused_and_changes_nothing()
    {
        _ledger.Apply(Receipt(10));
        var sale = Sale(3);
        _ledger.Apply(sale);

        var outcome = _ledger.Apply(sale with { Quantity = 5, OccurredAt = sale.OccurredAt.AddDays(1) });

        var rejected = Assert.IsType<MovementOutcome.Rejected>(outcome);
        Assert.Equal(RejectionKind.ConflictingDuplicate, rejected.Kind);
        Assert.Contains($"{sale.SourceSystem}/{sale.SourceMessageId} was applied before with different content", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(7, _ledger.GetPosition(StoreKey).OnHand);
        Assert.Equal(2, _ledger.Lines.Count);
    }

    [Fact]
    public void A_redelivery_that_states_the_same_instant_in_another_offset_is_a_duplicate()
    {
        _ledger.Apply(Receipt(10));
        var sale = Sale(3);
        _ledger.Apply(sale);

        var outcome = _ledger.Apply(sale with { OccurredAt = sale.OccurredAt.ToOffset(TimeSpan.FromHours(-5)) });

        Assert.Empty(Assert.IsType<MovementOutcome.Applied>(outcome).Changes);
        Assert.Equal(7, _ledger.GetPosition(StoreKey).OnHand);
    }

    [Fact]
    public void The_same_message_id_from_another_source_system_is_a_different_movement()
    {
        _ledger.Apply(Receipt(10));
        var sale = Sale(3);
        _ledger.Apply(sale);

        _ledger.Apply(sale with { SourceSystem = "pos:store-0002" });

        Assert.Equal(4, _ledger.GetPosition(StoreKey).OnHand);
    }

    [Fact]
    public void A_duplicate_count_is_applied_once()
    {
        var count = Count(7, minute: 10);
        _ledger.Apply(count);
        _ledger.Apply(Sale(2, minute: 20));

        _ledger.Apply(count);

        Assert.Equal(5, _ledger.GetPosition(StoreKey).OnHand);
        Assert.Equal(2, _ledger.Lines.Count);
    }

    [Fact]
    public void A_rejected_movement_changes_nothing_and_can_be_retried_once_stock_arrives()
    {
        var sale = Sale(3);

        Assert.IsType<MovementOutcome.Rejected>(_ledger.Apply(sale));
        Assert.Empty(_ledger.Lines);
        Assert.Empty(_ledger.Positions);

        _ledger.Apply(Receipt(5));
        var retry = _ledger.Apply(sale);

        Assert.Single(Assert.IsType<MovementOutcome.Applied>(retry).Changes);
        Assert.Equal(2, _ledger.GetPosition(StoreKey).OnHand);
    }

    [Fact]
    public void A_transfer_writes_one_ledger_line_per_location()
    {
        _ledger.Apply(Receipt(10));

        _ledger.Apply(Ship(4, from: Store, to: Warehouse, minute: 3));

        var lines = _ledger.Lines.Skip(1).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains(new LedgerLine(StoreKey, new BucketDelta(OnHand: -4), At(3), "TransferShipped"), lines);
        Assert.Contains(new LedgerLine(WarehouseKey, new BucketDelta(InTransit: 4), At(3), "TransferShipped"), lines);
    }

    [Fact]
    public void Unknown_master_data_given_to_the_ledger_is_refused()
    {
        var ledger = new InMemoryLedger(isKnownSku: s => s == Sku, isKnownLocation: l => l == Store);

        var outcome = ledger.Apply(Ship(1, from: Store, to: Warehouse));

        var rejected = Assert.IsType<MovementOutcome.Rejected>(outcome);
        Assert.Equal(RejectionKind.UnknownReference, rejected.Kind);
        Assert.Contains("'DC-1'", rejected.Reason, StringComparison.Ordinal);
        Assert.Empty(ledger.Lines);
    }

    [Fact]
    public void OnHand_deltas_after_an_instant_are_summed_strictly_after_it()
    {
        _ledger.Apply(Receipt(10, minute: 0));
        _ledger.Apply(Sale(2, minute: 10));
        _ledger.Apply(Receipt(5, minute: 20));
        _ledger.Apply(Return(1, minute: 30));

        Assert.Equal(6, _ledger.SumOnHandDeltasAfter(StoreKey, At(10)));
        Assert.Equal(0, _ledger.SumOnHandDeltasAfter(WarehouseKey, At(0)));
    }
}
