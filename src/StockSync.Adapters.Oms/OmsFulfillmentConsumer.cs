using System.Net.Http.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StockSync.Contracts.Orders;

namespace StockSync.Adapters.Oms;

/// <summary>
/// Sends each fulfillment request and cancellation of the order sagas to the OMS. A failed call throws, so the message
/// is retried with backoff (<c>Oms:RetryIntervals</c>) and then faults to <c>oms-fulfillments_error</c> with the reason,
/// to be replayed; the OMS takes a repeated request for the same shipment idempotently (the shipment id is its key).
/// </summary>
public sealed class OmsFulfillmentConsumer(IHttpClientFactory clients, IOptions<OmsOptions> options)
    : IConsumer<FulfillmentRequested>, IConsumer<FulfillmentCancelled>
{
    /// <summary>The name of the HttpClient.</summary>
    public const string HttpClientName = "oms";

    /// <inheritdoc />
    public Task Consume(ConsumeContext<FulfillmentRequested> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        return PostAsync("fulfillments", new { m.OrderId, m.ShipmentId, m.LocationId, Kind = m.Kind.ToString(), m.Lines }, context.CancellationToken);
    }

    /// <inheritdoc />
    public Task Consume(ConsumeContext<FulfillmentCancelled> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        return PostAsync($"fulfillments/{Uri.EscapeDataString(m.ShipmentId)}/cancel", new { m.OrderId, m.ShipmentId, m.LocationId, m.Reason }, context.CancellationToken);
    }

    private async Task PostAsync(string path, object body, CancellationToken ct)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var url = new Uri($"{options.Value.BaseUrl.TrimEnd('/')}/{path}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).PostAsJsonAsync(url, body, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                throw new OmsUnavailableException($"The OMS answered {(int)response.StatusCode} to POST {url.AbsolutePath}: {(text.Length > 300 ? text[..300] : text)}");
            }
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new OmsUnavailableException($"The OMS did not answer POST {url.AbsolutePath} within {options.Value.Timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new OmsUnavailableException($"The OMS could not be reached at {url.Host}: {ex.Message}", ex);
        }
    }
}

/// <summary>The OMS refused or did not answer a call; the message is retried, then faults with this reason.</summary>
public sealed class OmsUnavailableException : Exception
{
    public OmsUnavailableException()
    {
    }

    public OmsUnavailableException(string message)
        : base(message)
    {
    }

    public OmsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The <c>oms-fulfillments</c> endpoint: retries with backoff; no outbox (it publishes nothing, and holds no transaction open during a call).</summary>
public sealed class OmsFulfillmentConsumerDefinition : ConsumerDefinition<OmsFulfillmentConsumer>
{
    public OmsFulfillmentConsumerDefinition()
    {
        EndpointName = "oms-fulfillments";
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OmsFulfillmentConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(context);
        var retries = context.GetRequiredService<IOptions<OmsOptions>>().Value.Retries;
        endpointConfigurator.UseMessageRetry(r => r.Intervals(retries));
    }
}
