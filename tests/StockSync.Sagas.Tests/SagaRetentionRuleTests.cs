using MassTransit;
using StockSync.Sagas.ClickAndCollect;
using StockSync.Sagas.MarketplaceIntake;
using StockSync.Sagas.OrderFulfillment;
using StockSync.Sagas.ReturnInspection;

namespace StockSync.Sagas.Tests;

/// <summary>
/// Every state of every order saga is classified: finished (its rows are deleted after the retention period) or live
/// (never deleted, however old: an old live row is a stuck order). A state added to a machine fails this test until
/// its author decides which it is.
/// </summary>
public sealed class SagaRetentionRuleTests
{
    public static TheoryData<string, string[]> LiveStates => new()
    {
        { ClickAndCollectStateMap.Table, ["Reserved", "Picking", "Picked", "ReadyForPickup"] },
        { OrderFulfillmentStateMap.Table, ["Fulfilling", "Backordered"] },
        { ReturnInspectionStateMap.Table, ["AwaitingInspection", "InspectionOverdue"] },
        { MarketplaceOrderStateMap.Table, ["AwaitingAcknowledgement", "AcknowledgementOverdue", "AcknowledgementRefused"] },
    };

    [Theory]
    [MemberData(nameof(LiveStates))]
    public void Every_state_of_a_saga_is_either_finished_or_live(string saga, string[] live)
    {
        var machine = Machine(saga);
        var states = machine.States.Select(s => s.Name).Where(n => n is not "Initial" and not "Final").Order(StringComparer.Ordinal).ToList();
        var finished = Assert.Single(OrderFlowRegistration.RetentionRules, r => r.Saga == saga).FinishedStates;

        Assert.Empty(finished.Intersect(live));
        Assert.Equal(states, finished.Concat(live).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_saga_has_a_retention_rule()
    {
        Assert.Equal(
            OrderFlowRegistration.SagaMaps.Select(m => m.SagaType.Name).Order(StringComparer.Ordinal),
            OrderFlowRegistration.RetentionRules.Select(r => r.GetType().GetGenericArguments().Single().Name).Order(StringComparer.Ordinal));
    }

    private static StateMachine Machine(string saga) => saga switch
    {
        ClickAndCollectStateMap.Table => new ClickAndCollectStateMachine(),
        OrderFulfillmentStateMap.Table => new OrderFulfillmentStateMachine(),
        ReturnInspectionStateMap.Table => new ReturnInspectionStateMachine(),
        MarketplaceOrderStateMap.Table => new MarketplaceOrderStateMachine(),
        _ => throw new ArgumentOutOfRangeException(nameof(saga), saga, "not an order saga"),
    };
}
