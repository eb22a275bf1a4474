using StockSync.Cli;
using StockSync.IntegrationTests.Infrastructure;
using StockSync.Persistence;
using Xunit.Abstractions;

namespace StockSync.IntegrationTests.Operations.Cli;

/// <summary>
/// The CLI against a host whose operator routes want a JWT with scope <c>ops</c> (Security:Mode Jwt), over real HTTP on
/// RabbitMQ and PostgreSQL: without a token it exits 1 saying how to send one; with a token from <c>STOCKSYNC_TOKEN</c>
/// or <c>--token</c> it gets in; a token without the scope is refused (403, exit 1).
/// </summary>
public sealed class CliTokenTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StockSyncHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StockSyncHost.StartAsync(
            rabbitMq: true,
            DatabaseProvider.PostgreSql,
            OperatorTokens.HostSettings(),
            realHttp: true);
        output.WriteLine($"Running against {_host.Description} at {_host.Address}");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_cli_sends_the_token_from_the_environment_or_the_option_and_says_how_when_it_is_missing()
    {
        var none = await CliAsync(token: null, "sagas", "by-state");
        Assert.Equal((ExitCodes.HostError, string.Empty), (none.Exit, none.Out));
        Assert.Contains("(HTTP 401)", none.Err, StringComparison.Ordinal);
        Assert.Contains("--token or STOCKSYNC_TOKEN", none.Err, StringComparison.Ordinal);

        var fromEnvironment = await CliAsync(OperatorTokens.Token("ops"), "sagas", "by-state");
        Assert.True(fromEnvironment.Exit == 0, fromEnvironment.Err);
        Assert.Contains("SAGA", fromEnvironment.Out, StringComparison.Ordinal);

        var fromOption = await CliAsync(token: null, "dead-letters", "groups", "--token", OperatorTokens.Token("inventory:read ops"));
        Assert.True(fromOption.Exit == 0, fromOption.Err);

        var noScope = await CliAsync(token: null, "deadlines", "--due", "--token", OperatorTokens.Token("inventory:read"));
        Assert.Equal(ExitCodes.HostError, noScope.Exit);
        Assert.Contains("(HTTP 403)", noScope.Err, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Out, string Err)> CliAsync(string? token, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment(name => name switch
        {
            CliEnvironment.UrlVariable => _host.Address!.ToString(),
            CliEnvironment.TokenVariable => token,
            _ => null,
        });
        var exit = await CliApplication.RunAsync(args, stdout, stderr, environment);
        output.WriteLine($"$ stocksync {string.Join(' ', args.Select(a => a.Length > 40 ? a[..12] + "..." : a))}: {exit}\n{stdout}{stderr}");
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
