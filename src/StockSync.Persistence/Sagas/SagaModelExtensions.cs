using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace StockSync.Persistence.Sagas;

/// <summary>
/// Adds saga tables to the StockSync model. The set of saga maps is part of the model's cache key, so contexts
/// built with different sets (a test saga, a host without some flows) never share a cached model.
/// </summary>
public static class SagaModelExtensions
{
    /// <summary>Adds the tables described by <paramref name="maps"/> to the model.</summary>
    public static DbContextOptionsBuilder UseStockSyncSagaMaps(this DbContextOptionsBuilder builder, IEnumerable<ISagaStateMap> maps)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var extension = new SagaMapsExtension([.. maps]);
        ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(extension);
        builder.ReplaceService<IModelCacheKeyFactory, SagaAwareModelCacheKeyFactory>();
        return builder;
    }

    internal static void ApplySagaMaps(this ModelBuilder modelBuilder, DbContextOptions options)
    {
        foreach (var map in options.FindExtension<SagaMapsExtension>()?.Maps ?? [])
        {
            map.Apply(modelBuilder);
        }
    }

    private sealed class SagaMapsExtension(IReadOnlyList<ISagaStateMap> maps) : IDbContextOptionsExtension
    {
        private ExtensionInfo? _info;

        public IReadOnlyList<ISagaStateMap> Maps { get; } = maps;

        public string Key { get; } = string.Join(",", maps.Select(m => m.GetType().FullName).Order(StringComparer.Ordinal));

        public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

        public void ApplyServices(IServiceCollection services)
        {
        }

        public void Validate(IDbContextOptions options)
        {
        }

        private sealed class ExtensionInfo(SagaMapsExtension extension) : DbContextOptionsExtensionInfo(extension)
        {
            public override bool IsDatabaseProvider => false;

            public override string LogFragment => $"SagaMaps={((SagaMapsExtension)Extension).Key} ";

            public override int GetServiceProviderHashCode() => 0;

            public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

            public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
                debugInfo["StockSync:SagaMaps"] = ((SagaMapsExtension)Extension).Key;
        }
    }

    private sealed class SagaAwareModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) =>
            (context.GetType(), context.GetService<IDbContextOptions>().FindExtension<SagaMapsExtension>()?.Key ?? string.Empty, designTime);
    }
}
