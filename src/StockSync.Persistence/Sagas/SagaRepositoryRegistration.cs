using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StockSync.Persistence.Sagas;

// In MassTransit's namespace, like the library's own EntityFrameworkRepository(): the registration reads the same.
#pragma warning disable IDE0130
namespace MassTransit;
#pragma warning restore IDE0130

/// <summary>
/// Registers StockSync's EF Core saga repository for a saga, the way MassTransit.EntityFrameworkCore's
/// <c>.EntityFrameworkRepository(r => …)</c> does:
/// <code>x.AddSagaStateMachine&lt;OrderStateMachine, OrderState&gt;().StockSyncEntityFrameworkRepository(r => r.KeepFinalizedInstances = true);</code>
/// </summary>
public static class StockSyncSagaRepositoryRegistrationExtensions
{
    /// <summary>Stores this saga's instances in its table of the StockSync database.</summary>
    public static ISagaRegistrationConfigurator<TSaga> StockSyncEntityFrameworkRepository<TSaga>(
        this ISagaRegistrationConfigurator<TSaga> configurator,
        Action<SagaRepositoryOptions<TSaga>>? configure = null)
        where TSaga : StockSyncSagaState
    {
        ArgumentNullException.ThrowIfNull(configurator);
        var options = new SagaRepositoryOptions<TSaga>();
        configure?.Invoke(options);
        configurator.Repository(x =>
        {
            x.TryAddSingleton(options);
            x.RegisterSagaRepository<TSaga, StockSync.Persistence.StockSyncDbContext,
                SagaConsumeContextFactory<StockSync.Persistence.StockSyncDbContext, TSaga>, SagaRepositoryContextFactory<TSaga>>();
            x.RegisterLoadSagaRepository<TSaga, SagaRepositoryContextFactory<TSaga>>();
            x.RegisterQuerySagaRepository<TSaga, SagaRepositoryContextFactory<TSaga>>();
        });
        return configurator;
    }
}
