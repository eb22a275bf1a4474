using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StockSync.Persistence;
using StockSync.Persistence.Deadlines;
using StockSync.Persistence.Sagas;
using StockSync.Sagas.ClickAndCollect;
using StockSync.Sagas.MarketplaceIntake;
using StockSync.Sagas.OrderFulfillment;
using StockSync.Sagas.ReturnInspection;
using StockSync.Sagas.Sourcing;

namespace StockSync.Sagas;

/// <summary>
/// Registers the order flows. The host (or a test) also needs the database (<c>AddStockSyncDatabase</c>), the ledger's
/// services (<c>AddStockSyncLedger</c>, for the writer and channel exposure), the outbox and the deadline sweeper with
/// <see cref="DeadlineSweeps"/>.
/// </summary>
public static class OrderFlowRegistration
{
    /// <summary>The tables of the order sagas (the design-time factories of the migrations use them too).</summary>
    public static IReadOnlyList<ISagaStateMap> SagaMaps { get; } = [new ClickAndCollectStateMap(), new OrderFulfillmentStateMap(), new ReturnInspectionStateMap(), new MarketplaceOrderStateMap()];

    /// <summary>The deadline columns the sweeper turns into events.</summary>
    public static IReadOnlyList<IDeadlineSweep> DeadlineSweeps => [.. ClickAndCollectDeadlines.Sweeps, .. ReturnInspectionDeadlines.Sweeps, .. MarketplaceOrderDeadlines.Sweeps];

    /// <summary>
    /// The finished states of each saga: rows in them are deleted after <c>Operations:SagaRetention:KeepFinishedFor</c>.
    /// A marketplace order handed over lives on in its fulfillment saga; one whose acknowledgment was refused is not
    /// finished (an operator may retry it).
    /// </summary>
    public static IReadOnlyList<ISagaRetentionRule> RetentionRules { get; } =
    [
        new SagaRetentionRule<ClickAndCollectState>(ClickAndCollectStateMap.Table, "Collected", "Released", "Rejected"),
        new SagaRetentionRule<OrderFulfillmentState>(OrderFulfillmentStateMap.Table, "Completed", "Cancelled", "Rejected"),
        new SagaRetentionRule<ReturnInspectionState>(ReturnInspectionStateMap.Table, "Inspected", "Rejected"),
        new SagaRetentionRule<MarketplaceOrderState>(MarketplaceOrderStateMap.Table, "HandedOver", "Rejected", "Cancelled", "Invalid"),
    ];

    /// <summary>Adds the <c>Orders</c> options, the saga tables and the services the machines call.</summary>
    public static IServiceCollection AddStockSyncOrderFlows(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OrderFlowOptions>()
            .Bind(configuration.GetSection(OrderFlowOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<MarketplaceOptions>()
            .Bind(configuration.GetSection(MarketplaceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddStockSyncSagaMaps([.. SagaMaps]);
        services.TryAddSingleton<ISourcingStrategy, PrioritySourcingStrategy>();
        services.TryAddScoped<SagaLedger>();
        services.TryAddScoped<LocationStockReader>();
        services.TryAddScoped<ClickAndCollectSteps>();
        services.TryAddScoped<OrderFulfillmentSteps>();
        services.TryAddScoped<OrderQueries>();
        services.TryAddScoped<OperatorQueries>();
        services.TryAddScoped<SaleLatencyQuery>();
        services.TryAddScoped<ReturnInspectionSteps>();
        services.TryAddScoped<MarketplaceOrderSteps>();
        services.TryAddSingleton<Persistence.Telemetry.StockSyncMetrics>();
        return services;
    }

    /// <summary>Adds the order state machines (click-and-collect, split fulfillment, return inspection, marketplace intake), stored in their tables.</summary>
    public static IBusRegistrationConfigurator AddStockSyncOrderSagas(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddSagaStateMachine<ClickAndCollectStateMachine, ClickAndCollectState, OrderSagaDefinition<ClickAndCollectState>>()
            .StockSyncEntityFrameworkRepository();
        bus.AddSagaStateMachine<OrderFulfillmentStateMachine, OrderFulfillmentState, OrderSagaDefinition<OrderFulfillmentState>>()
            .StockSyncEntityFrameworkRepository();
        bus.AddSagaStateMachine<ReturnInspectionStateMachine, ReturnInspectionState, OrderSagaDefinition<ReturnInspectionState>>()
            .StockSyncEntityFrameworkRepository();
        bus.AddSagaStateMachine<MarketplaceOrderStateMachine, MarketplaceOrderState, OrderSagaDefinition<MarketplaceOrderState>>()
            .StockSyncEntityFrameworkRepository();
        return bus;
    }
}

/// <summary>
/// The receive endpoint of an order saga: retries outside the inbox/outbox (every attempt is a fresh transaction), then
/// the StockSync inbox and outbox around the saga. Concurrency conflicts (two orders racing for the same units, two
/// messages for one order) and stock that moved under a sourcing plan are retried quickly; a store event for an order
/// not known yet is retried for a while (it may have overtaken its order); a ledger refusal the saga cannot explain is
/// not retried and faults to the error queue with its reason.
/// </summary>
public sealed class OrderSagaDefinition<TSaga> : SagaDefinition<TSaga>
    where TSaga : StockSyncSagaState
{
    /// <summary>How many orders an order saga endpoint works on at once (each order's messages one at a time).</summary>
    public const int PartitionCount = 32;

    /// <summary>Names the queue after the flow: <c>click-and-collect</c>, <c>order-fulfillment</c> (and their <c>_error</c> queues).</summary>
    public OrderSagaDefinition() =>
        Endpoint(e => e.Name = KebabCaseEndpointNameFormatter.Instance.SanitizeName(typeof(TSaga).Name[..^"State".Length]));

    /// <inheritdoc />
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TSaga> sagaConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(context);
        var unknownOrderRetries = context.GetRequiredService<IOptions<OrderFlowOptions>>().Value.UnknownOrderRetries;
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<UnknownOrderException>();
            r.Intervals(unknownOrderRetries);
        });
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<UnknownOrderException>();
            r.Ignore<SagaLedgerException>();
            r.Ignore<UnknownMarketplaceException>();
            r.Exponential(15, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(25));
        });
        // One order's messages (one conversation: see OrderIds.ConversationFor) are applied one at a time, in the order
        // they arrive, so a short pick reported before a dispatch is applied before it. Inside the retries: a message
        // waiting to be retried does not hold up other orders that share its partition.
        endpointConfigurator.UsePartitioner(PartitionCount, c => c.ConversationId ?? c.MessageId ?? Guid.Empty);
        endpointConfigurator.UseStockSyncEntityFrameworkOutbox(context);
    }
}
