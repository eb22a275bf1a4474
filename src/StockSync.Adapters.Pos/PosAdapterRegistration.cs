using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StockSync.Adapters.Pos;

/// <summary>
/// Registers the POS adapter: <see cref="AddStockSyncPosAdapter"/> for its services, <see cref="AddStockSyncPosConsumers"/>
/// on the bus, and <see cref="PosApi.MapPosAdapter"/> for its HTTP endpoints. It needs the database
/// (<c>AddStockSyncDatabase</c>: id mappings and the sequence bookkeeping) and the StockSync outbox.
/// </summary>
public static class PosAdapterRegistration
{
    /// <summary>Adds the adapter's services.</summary>
    public static IServiceCollection AddStockSyncPosAdapter(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Adds the journal consumer (<c>pos-journals</c>) to the bus.</summary>
    public static IBusRegistrationConfigurator AddStockSyncPosConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<PosJournalConsumer, PosJournalConsumerDefinition>();
        return bus;
    }
}
