using Microsoft.Extensions.Options;
using Serilog;
using StockSync.Adapters.Erp;
using StockSync.Adapters.Ecommerce;
using StockSync.Adapters.Marketplace;
using StockSync.Adapters.Oms;
using StockSync.Adapters.Pos;
using StockSync.Host.Apis;
using StockSync.Host.Dashboard;
using StockSync.Host.Infrastructure;
using StockSync.Host.Operations;
using StockSync.Ledger;
using StockSync.Persistence;
using StockSync.Persistence.Deadlines;
using StockSync.Persistence.PostgreSql;
using StockSync.Persistence.Sagas;
using StockSync.Persistence.Sqlite;
using StockSync.Persistence.SqlServer;
using StockSync.Sagas;

var builder = WebApplication.CreateBuilder(args);

// The default address, unless one is configured (--urls, Urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS, ...). It is
// not in appsettings.json: app settings would override ASPNETCORE_URLS there, which container deployments rely on.
if (new[] { WebHostDefaults.ServerUrlsKey, "http_ports", "https_ports" }.All(key => string.IsNullOrEmpty(builder.Configuration[key])))
{
    builder.WebHost.UseUrls("http://localhost:5080");
}

builder.AddStockSyncObservability();
// Operators' APIs need a token with scope ops (JWT bearer), or Security:Mode=Development on a laptop.
builder.AddStockSyncSecurity();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddStockSyncDatabase(
    builder.Configuration,
    new SqliteProviderConfigurator(),
    new PostgreSqlProviderConfigurator(),
    new SqlServerProviderConfigurator());
builder.Services.AddStockSyncLedger(builder.Configuration);
builder.Services.AddStockSyncOrderFlows(builder.Configuration);
builder.Services.AddStockSyncMarketplaceAdapter(builder.Configuration);
builder.Services.AddStockSyncOmsAdapter(builder.Configuration);
builder.Services.AddStockSyncPosAdapter();
builder.Services.AddStockSyncErpAdapter(builder.Configuration);
// The storefront (Shopify-shaped) adapter, when Ecommerce:Enabled: webhooks in, availability out.
builder.Services.AddStockSyncEcommerceAdapter(builder.Configuration);
builder.Services.AddStockSyncMessaging(builder.Configuration);
// What reaches an _error queue is copied to dead_letters (RabbitMQ), for operators to replay or discard.
builder.Services.AddStockSyncDeadLetters(builder.Configuration);
// Saga deadline columns (click-and-collect hold, reminder, pickup window) are swept into events here.
builder.Services.AddStockSyncDeadlines(builder.Configuration, [.. OrderFlowRegistration.DeadlineSweeps]);
// Finished saga rows are kept for Operations:SagaRetention:KeepFinishedFor (90 days), then deleted.
builder.Services.AddStockSyncSagaRetention(builder.Configuration, OrderFlowRegistration.RetentionRules);
builder.Services.AddStockSyncHealthChecks();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.UseStableTypes);
builder.Services.AddOpenApi();
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 4 * 1024 * 1024);

var app = builder.Build();

await app.Services.MigrateStockSyncDatabaseAsync();
await app.Services.SeedCatalogAsync(app.Configuration);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSerilogRequestLogging();
app.UseAuthentication();
app.UseAuthorization();
app.MapOpenApi();
app.MapStockSyncHealth();
app.MapStockSyncMetrics();
app.MapMovementsApi();
app.MapInventoryApi();
app.MapCatalogApi();
app.MapClickAndCollectApi();
app.MapOrdersApi();
app.MapReturnsApi();
app.MapMarketplaceOrdersApi();
app.MapMappingsApi();
app.MapOmsApi();
app.MapPosAdapter();

// What operators do: saga state, dead letters, reconciliation, the ERP feeds and postings.
var operators = app.MapGroup(string.Empty).RequireAuthorization(StockSyncScopes.Ops);
operators.MapErpPostingsApi();
operators.MapErpInboundApi();
operators.MapDeadLettersApi();
operators.MapOpsApi();

// The operators' dashboard: a static page (no data of its own); its calls to the routes above need scope ops.
app.MapDashboard();
app.MapStockSyncEcommerce(app.Configuration);

app.LogSecurityMode();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var transport = app.Services.GetRequiredService<IOptions<TransportOptions>>().Value;
    var database = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
    app.Logger.LogInformation(
        "StockSync is listening on {Addresses} (transport {Transport}, database {DatabaseProvider}); OpenAPI at /openapi/v1.json",
        string.Join(", ", app.Urls), transport.Kind, database.Provider);
});

await app.RunAsync();

/// <summary>The host's entry point (public for the integration tests' WebApplicationFactory).</summary>
public partial class Program;
