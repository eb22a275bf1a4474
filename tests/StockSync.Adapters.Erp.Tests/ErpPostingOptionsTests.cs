using Microsoft.Extensions.Options;

namespace StockSync.Adapters.Erp.Tests;

/// <summary>A bad <c>Erp:Postings</c> setting stops the host with a message that names the key.</summary>
public sealed class ErpPostingOptionsTests
{
    [Theory]
    [InlineData("Url", "not a url", "Erp:Postings:Url must be the ERP's absolute http(s) posting URL")]
    [InlineData("Lease", "00:00:05", "Erp:Postings:Lease (00:00:05) must be longer than Erp:Postings:RequestTimeout (00:00:10)")]
    [InlineData("MaxRetryDelay", "00:00:00.500", "Erp:Postings:MaxRetryDelay (00:00:00.5000000) must not be shorter than Erp:Postings:RetryBaseDelay")]
    [InlineData("BatchSize", "0", "BatchSize")]
    [InlineData("MaxAttempts", "0", "MaxAttempts")]
    public async Task A_bad_setting_is_refused_at_start_up_naming_the_key(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ErpTestBed.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_without_the_dispatcher_needs_no_url()
    {
        await using var bed = await ErpTestBed.StartAsync(new Dictionary<string, string?> { ["Url"] = "", ["DispatcherEnabled"] = "false" });

        Assert.False(bed.Options.DispatcherEnabled);
    }

    [Fact]
    public void Backoff_doubles_from_the_base_delay_up_to_the_cap()
    {
        var options = new ErpPostingOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(250), MaxRetryDelay = TimeSpan.FromSeconds(3) };

        Assert.Equal([0.25, 0.5, 1, 2, 3, 3], Enumerable.Range(1, 6).Select(n => options.Backoff(n).TotalSeconds));
    }

    [Fact]
    public void The_ERPs_own_source_is_excluded_unless_configured_otherwise()
    {
        Assert.Equal(["erp"], new ErpPostingOptions().SourceSystemsNotPosted);
        Assert.Equal(["sap", "erp-batch"], new ErpPostingOptions { ExcludedSourceSystems = ["sap", "erp-batch"] }.SourceSystemsNotPosted);
    }
}
