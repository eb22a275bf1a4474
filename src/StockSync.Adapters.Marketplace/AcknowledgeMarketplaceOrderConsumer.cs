using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Marketplace;

/// <summary>
/// Sends an order's acknowledgment to its marketplace, one attempt per message, and reports the outcome to the intake
/// saga, which owns the retries (with backoff, until the deadline, each attempt visible on the saga row). The call is
/// made outside any database transaction on purpose: a marketplace that takes 30 s must not hold a transaction open.
/// A repeated attempt is harmless: marketplaces take an acknowledgment of the same order and lines idempotently.
/// </summary>
public sealed partial class AcknowledgeMarketplaceOrderConsumer(IMarketplaceClient client, TimeProvider time, ILogger<AcknowledgeMarketplaceOrderConsumer> logger)
    : IConsumer<AcknowledgeMarketplaceOrder>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<AcknowledgeMarketplaceOrder> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        var result = await client.AcknowledgeAsync(message, context.CancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            await context.Publish(new MarketplaceOrderAcknowledged
            {
                Marketplace = message.Marketplace,
                MarketplaceOrderId = message.MarketplaceOrderId,
                Attempt = message.Attempt,
                AcknowledgedAt = time.GetUtcNow(),
            }).ConfigureAwait(false);
            return;
        }

        LogFailed(logger, message.Marketplace, message.MarketplaceOrderId, message.Attempt, result.Retryable, result.Error);
        await context.Publish(new MarketplaceAcknowledgementFailed
        {
            Marketplace = message.Marketplace,
            MarketplaceOrderId = message.MarketplaceOrderId,
            Attempt = message.Attempt,
            Error = result.Error ?? "Unknown error.",
            Retryable = result.Retryable,
            RetryAfter = result.RetryAfter,
            FailedAt = time.GetUtcNow(),
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledgment of {Marketplace} order {MarketplaceOrderId} failed (attempt {Attempt}, retryable {Retryable}): {Error}")]
    private static partial void LogFailed(ILogger logger, string marketplace, string marketplaceOrderId, int attempt, bool retryable, string? error);
}

/// <summary>The acknowledgment endpoint (<c>marketplace-acknowledgements</c>): many slow calls may run at once.</summary>
public sealed class AcknowledgeMarketplaceOrderConsumerDefinition : ConsumerDefinition<AcknowledgeMarketplaceOrderConsumer>
{
    public AcknowledgeMarketplaceOrderConsumerDefinition()
    {
        EndpointName = "marketplace-acknowledgements";
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<AcknowledgeMarketplaceOrderConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(context);
        var limit = context.GetRequiredService<Microsoft.Extensions.Options.IOptions<MarketplaceEndpointOptions>>().Value.ConcurrentCalls;
        endpointConfigurator.ConcurrentMessageLimit = limit;
        endpointConfigurator.PrefetchCount = limit;

        // Only the bus publish can fail here (the call's failures are reported, not thrown): retry it briefly.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
    }
}
