using System.Collections.Concurrent;
using MassTransit;

namespace StockSync.Host.Operations;

/// <summary>
/// The queues of this host's receive endpoints, collected while the bus is configured (every endpoint, including the
/// ledger's batch and isolated ones); the ingestor drains their <c>_error</c> queues. Temporary endpoints (response
/// and test subscriptions) are left out.
/// </summary>
internal sealed class DeadLetterSources : IEndpointConfigurationObserver
{
    /// <summary>The suffix MassTransit gives an endpoint's error queue.</summary>
    public const string ErrorSuffix = "_error";

    private readonly ConcurrentDictionary<string, bool> _queues = new(StringComparer.Ordinal);

    /// <summary>The endpoint queues, in name order.</summary>
    public IReadOnlyList<string> Queues => [.. _queues.Keys.Order(StringComparer.Ordinal)];

    public void EndpointConfigured<T>(T configurator)
        where T : IReceiveEndpointConfigurator
    {
        var address = configurator.InputAddress;
        if (address.Query.Contains("temporary=true", StringComparison.OrdinalIgnoreCase)
            || address.Query.Contains("autodelete=true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var name = address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (!string.IsNullOrEmpty(name))
        {
            _queues.TryAdd(Uri.UnescapeDataString(name), true);
        }
    }
}
