using StockSync.IntegrationTests.Infrastructure;
using StockSync.IntegrationTests.Orders;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations;

/// <summary>
/// The dashboard on a host whose operator routes want a JWT with scope <c>ops</c> (Security:Mode Jwt), in headless
/// Chromium: without a token every section says so and the page asks for one; once an operator pastes a token, the page
/// keeps it for the tab, sends it as <c>Authorization: Bearer</c> and shows a fresh host as it is (no snapshot yet,
/// nothing stuck, no dead letters, no sales).
/// </summary>
public sealed class DashboardTokenTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(
            rabbitMq: true,
            DatabaseProvider.PostgreSql,
            OperatorTokens.HostSettings(),
            realHttp: true);
        output.WriteLine($"Running against {_host.Description}");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Without_a_token_the_page_asks_for_one_and_with_a_pasted_token_it_shows_the_host()
    {
        await using var chromium = await HeadlessChromium.StartAsync();
        await chromium.NavigateAsync(new Uri(_host.Address!, "/dashboard"));
        await OrderFlowTest.EventuallyAsync(async () => (string?)await chromium.EvaluateAsync("document.body && document.body.dataset.loaded") == "true", () => "the page's first refresh");

        Assert.Equal(false, (bool?)await chromium.EvaluateAsync("document.getElementById('token-form').hidden"));
        Assert.Equal("Token needed", (string?)await chromium.EvaluateAsync("document.getElementById('status').innerText"));
        Assert.Equal("5", (string?)await chromium.EvaluateAsync("document.body.dataset.errors"));
        Assert.Contains("operator token is needed", (string?)await chromium.EvaluateAsync("document.getElementById('stuck-body').innerText"), StringComparison.Ordinal);

        var token = OperatorTokens.Token("ops");
        await chromium.EvaluateAsync($"document.getElementById('token').value = 'Bearer {token}'; document.getElementById('token-form').requestSubmit(); true");
        await OrderFlowTest.EventuallyAsync(async () => (string?)await chromium.EvaluateAsync("document.body.dataset.errors") == "0", () => "a refresh with the token");

        Assert.Equal(token, (string?)await chromium.EvaluateAsync("sessionStorage.getItem('stocksync.operatorToken')"));
        Assert.Equal(true, (bool?)await chromium.EvaluateAsync("document.getElementById('token-form').hidden"));
        Assert.Equal("Live", (string?)await chromium.EvaluateAsync("document.getElementById('status').innerText"));
        Assert.StartsWith("No snapshot yet", (string?)await chromium.EvaluateAsync("document.getElementById('divergence-body').innerText"), StringComparison.Ordinal);
        Assert.StartsWith("Nothing is stuck", (string?)await chromium.EvaluateAsync("document.getElementById('stuck-body').innerText"), StringComparison.Ordinal);
        Assert.Equal("0", (string?)await chromium.EvaluateAsync("document.getElementById('dead-letters-open').innerText"));
        Assert.Equal("0", (string?)await chromium.EvaluateAsync("document.getElementById('latency-sales').innerText"));
        Assert.Equal(0, (int?)await chromium.EvaluateAsync("document.querySelectorAll('#latency-body svg circle').length"));
    }
}
