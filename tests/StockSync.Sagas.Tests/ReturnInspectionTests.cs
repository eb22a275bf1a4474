using StockSync.Contracts.Inventory;
using StockSync.Contracts.Orders;
using StockSync.Sagas.ReturnInspection;

namespace StockSync.Sagas.Tests;

/// <summary>
/// The return-inspection machine in the harness: returned units wait in Quarantine (never sellable) until inspected;
/// each disposition moves them through the ledger; the SLA escalates a return nobody inspected.
/// </summary>
public sealed class ReturnInspectionTests : IAsyncLifetime
{
    private const string Sku = "SKU-1";
    private const string Sku2 = "SKU-2";
    private const string Store = "STORE-A";
    private SagaHarness _h = null!;

    public async Task InitializeAsync()
    {
        _h = await SagaHarness.StartAsync(new Dictionary<string, string?> { ["Orders:ReturnInspectionSla"] = "1.00:00:00" });
        await _h.StoreAsync(Store, 51.5, -0.12);
        await _h.ReceiveAsync(Sku, Store, 5);
        await _h.ReceiveAsync(Sku2, Store, 1);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Returned_units_are_quarantined_and_become_sellable_only_when_inspected_for_restock()
    {
        await _h.PublishAsync(Return("RMA-1", (Sku, 2)));

        var waiting = await WaitForStateAsync("RMA-1", "AwaitingInspection");
        Assert.Equal((2, SagaHarness.Start.UtcDateTime.AddDays(1)), (waiting.UninspectedUnits, waiting.InspectionDueAt));
        Assert.Equal((7, 2, 5), await BucketsAsync(Sku));

        await _h.PublishAsync(Inspection("RMA-1", (Sku, 2, QuarantineDisposition.Restock)));

        var inspected = await WaitForStateAsync("RMA-1", "Inspected");
        Assert.Equal((0, null), (inspected.UninspectedUnits, inspected.InspectionDueAt));
        Assert.Equal((7, 0, 7), await BucketsAsync(Sku));
        var refund = await _h.PublishedAsync<RefundRequested>(m => m.ReturnId == "RMA-1");
        Assert.Equal(("RMA-1:1", "ORD-1"), (refund.RefundId, refund.OrderId));
        var posting = await _h.PublishedAsync<ErpPostingRequested>(m => m.Reference == "RMA-1");
        Assert.Equal(("ReturnInspection", Store), (posting.Kind, posting.LocationId));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_damaged_disposition_never_reaches_available_to_sell_and_a_partial_inspection_keeps_the_rest_waiting()
    {
        await _h.PublishAsync(Return("RMA-2", (Sku, 3), (Sku2, 1)));
        await WaitForStateAsync("RMA-2", "AwaitingInspection");

        await _h.PublishAsync(Inspection("RMA-2", (Sku, 1, QuarantineDisposition.Damaged), (Sku, 1, QuarantineDisposition.Dispose)));
        var partial = await _h.WaitForAsync<ReturnInspectionState>("RMA-2", s => s.InspectionCount == 1, "the first inspection");
        Assert.Equal(("AwaitingInspection", 2), (partial.CurrentState, partial.UninspectedUnits));
        var sku1 = await _h.PositionAsync(Sku, Store);
        Assert.Equal((7, 1, 1, 5), (sku1.OnHand, sku1.Quarantine, sku1.Damaged, sku1.AvailableToSell));

        await _h.PublishAsync(Inspection("RMA-2", (Sku, 1, QuarantineDisposition.ReturnToVendor), (Sku2, 1, QuarantineDisposition.Restock)));
        await WaitForStateAsync("RMA-2", "Inspected");
        sku1 = await _h.PositionAsync(Sku, Store);
        Assert.Equal((6, 0, 1, 5), (sku1.OnHand, sku1.Quarantine, sku1.Damaged, sku1.AvailableToSell));
        Assert.Equal((2, 0, 2), await BucketsAsync(Sku2));
        // Each inspection's refund leaves through the outbox in its own transaction: wait for both, in any order.
        await _h.PublishedAsync<RefundRequested>(m => m.RefundId == "RMA-2:1");
        await _h.PublishedAsync<RefundRequested>(m => m.RefundId == "RMA-2:2");
        Assert.Equal(["RMA-2:1", "RMA-2:2"], _h.Delivered<RefundRequested>(m => m.ReturnId == "RMA-2").Select(r => r.RefundId).Order());
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    [Fact]
    public async Task A_return_nobody_inspects_is_escalated_at_its_SLA_and_can_still_be_inspected()
    {
        await _h.PublishAsync(Return("RMA-3", (Sku, 2)));
        await WaitForStateAsync("RMA-3", "AwaitingInspection");

        Assert.Equal(0, await _h.AdvanceAsync(TimeSpan.FromHours(23)));
        Assert.Equal(1, await _h.AdvanceAsync(TimeSpan.FromHours(1)));

        var overdue = await WaitForStateAsync("RMA-3", "InspectionOverdue");
        Assert.Equal((null, SagaHarness.Start.UtcDateTime.AddDays(1)), (overdue.InspectionDueAt, overdue.EscalatedAt));
        var escalation = await _h.PublishedAsync<ReturnInspectionOverdue>(m => m.ReturnId == "RMA-3");
        Assert.Equal([(Sku, 2)], escalation.Uninspected.Select(l => (l.Sku, l.Quantity)));
        Assert.Equal((7, 2, 5), await BucketsAsync(Sku));

        await _h.PublishAsync(Inspection("RMA-3", (Sku, 2, QuarantineDisposition.Restock)));
        await WaitForStateAsync("RMA-3", "Inspected");
        Assert.Equal((7, 0, 7), await BucketsAsync(Sku));
    }

    [Fact]
    public async Task An_inspection_of_more_than_waits_is_refused_and_changes_nothing()
    {
        await _h.PublishAsync(Return("RMA-4", (Sku, 1)));
        await WaitForStateAsync("RMA-4", "AwaitingInspection");

        await _h.PublishAsync(Inspection("RMA-4", (Sku, 2, QuarantineDisposition.Restock)));

        var refused = await _h.PublishedAsync<OrderEventRefused>(m => m.OrderId == "RMA-4");
        Assert.Equal((OrderFlow.ReturnInspection, "2 × SKU-1 inspected, but only 1 of it wait for inspection in return RMA-4."), (refused.Flow, refused.Reason));
        Assert.Equal("AwaitingInspection", (await _h.SagaAsync<ReturnInspectionState>("RMA-4"))!.CurrentState);
        Assert.Equal((6, 1, 5), await BucketsAsync(Sku));
    }

    [Fact]
    public async Task A_return_of_an_unknown_sku_or_an_invalid_return_is_rejected_with_the_reason()
    {
        await _h.PublishAsync(Return("RMA-5", ("SKU-NOPE", 1)));
        await _h.PublishAsync(Return("RMA-6", (Sku, 0)));

        var unknown = await WaitForStateAsync("RMA-5", "Rejected");
        Assert.Contains("SKU-NOPE", unknown.Reason, StringComparison.Ordinal);
        var invalid = await WaitForStateAsync("RMA-6", "Rejected");
        Assert.Contains("lines[0].quantity", invalid.Reason, StringComparison.Ordinal);
        Assert.Equal((5, 0, 5), await BucketsAsync(Sku));
    }

    [Fact]
    public async Task A_return_that_arrives_before_its_sale_is_accepted_and_the_late_sale_still_applies()
    {
        await _h.ReceiveAsync("SKU-NEW", Store, 1); // one unit on the shelf; the till sells it, but the sale reaches StockSync late
        await _h.PublishAsync(Return("RMA-7", ("SKU-NEW", 1)));
        await WaitForStateAsync("RMA-7", "AwaitingInspection");

        await _h.ApplyAsync(new SaleRecorded { SourceSystem = "pos:store-a", SourceMessageId = "T-LATE", OccurredAt = SagaHarness.Start.AddMinutes(-30), Sku = "SKU-NEW", LocationId = Store, Quantity = 1 });
        await _h.PublishAsync(Inspection("RMA-7", ("SKU-NEW", 1, QuarantineDisposition.Restock)));

        await WaitForStateAsync("RMA-7", "Inspected");
        var position = await _h.PositionAsync("SKU-NEW", Store);
        Assert.Equal((1, 0, 1), (position.OnHand, position.Quarantine, position.AvailableToSell));
        await _h.AssertLedgerMatchesPositionsAsync();
    }

    private Task<ReturnInspectionState> WaitForStateAsync(string returnId, string state) =>
        _h.WaitForAsync<ReturnInspectionState>(returnId, s => s.CurrentState == state, state);

    private async Task<(int OnHand, int Quarantine, int Ats)> BucketsAsync(string sku)
    {
        var p = await _h.PositionAsync(sku, Store);
        return (p.OnHand, p.Quarantine, p.AvailableToSell);
    }

    private static ReceiveReturn Return(string returnId, params (string Sku, int Quantity)[] lines) => new()
    {
        ReturnId = returnId,
        LocationId = Store,
        Lines = [.. lines.Select(l => new OrderLine { Sku = l.Sku, Quantity = l.Quantity })],
        OrderId = "ORD-1",
        Reason = "wrong size",
        ReceivedAt = SagaHarness.Start,
    };

    private static ReturnInspected Inspection(string returnId, params (string Sku, int Quantity, QuarantineDisposition Disposition)[] lines) => new()
    {
        ReturnId = returnId,
        Lines = [.. lines.Select(l => new InspectedLine { Sku = l.Sku, Quantity = l.Quantity, Disposition = l.Disposition })],
        InspectedBy = "inspector-1",
        InspectedAt = SagaHarness.Start.AddHours(1),
    };
}
