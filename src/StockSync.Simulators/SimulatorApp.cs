using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using StockSync.Simulators.Erp;
using StockSync.Simulators.Marketplaces;
using StockSync.Simulators.Oms;
using StockSync.Simulators.Pos;
using StockSync.Simulators.Storefront;

namespace StockSync.Simulators;

/// <summary>
/// The simulators' web app: every simulated system under its own path (<c>/marketplaces/{name}</c> for marketplaces,
/// <c>/pos/stores/{store}</c> for store tills, <c>/erp</c> for the ERP, <c>/storefront</c> for the Shopify-shaped storefront), with a fault switch per system. Tests host it in-process on a free port (<see cref="StartAsync"/>); users run it
/// with <c>dotnet run --project src/StockSync.Simulators</c>.
/// </summary>
public static class SimulatorApp
{
    /// <summary>The default address.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    /// <summary>Builds the app (not started); <paramref name="args"/> may set <c>--urls</c>.</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddSingleton<MarketplaceSimulator>();
        builder.Services.AddSingleton<OmsSimulator>();
        builder.Services.Configure<PosSimulatorOptions>(builder.Configuration.GetSection(PosSimulatorOptions.Section));
        builder.Services.AddHttpClient(PosSimulator.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan); // each upload has Pos:Timeout
        builder.Services.AddSingleton<PosSimulator>();
        builder.Services.AddSingleton<ErpSimulator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<StorefrontSimulatorOptions>(builder.Configuration.GetSection(StorefrontSimulatorOptions.Section));
        builder.Services.AddSingleton<StorefrontSimulator>();
        builder.Services.AddHttpClient(StorefrontSimulatorApi.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok(new { status = "Healthy" }));
        app.MapMarketplaceSimulator();
        app.MapOmsSimulator();
        app.MapPosSimulator();
        app.MapErpSimulator();
        app.MapStorefrontSimulator();
        return app;
    }

    /// <summary>
    /// Starts the simulators on a loopback port (0: a free one), with <paramref name="settings"/> as configuration (for
    /// example <c>Pos:StockSyncUrl</c>); returns the app and its base address.
    /// </summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(int port = 0, IReadOnlyDictionary<string, string>? settings = null)
    {
        var app = Create(["--urls", $"http://127.0.0.1:{port}", .. (settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}")]);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }
}
