namespace StockSync.Host.Operations;

/// <summary>Registers the dead-letter ingestor and the replay sender (<c>Operations:DeadLetters</c>).</summary>
internal static class DeadLetterRegistration
{
    public static IServiceCollection AddStockSyncDeadLetters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeadLetterOptions>()
            .Bind(configuration.GetSection(DeadLetterOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<DeadLetterSources>();
        services.AddSingleton<DeadLetterBroker>();
        services.AddHostedService<DeadLetterIngestor>();
        return services;
    }
}
