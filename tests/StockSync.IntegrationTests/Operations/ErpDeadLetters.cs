using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace StockSync.IntegrationTests.Operations;

/// <summary>
/// What the tests that make dead letters from ERP documents share: a host that polls the ERP simulator and ingests the
/// error queues, and calls to the simulator's ERP.
/// </summary>
internal static class ErpDeadLetters
{
    /// <summary>Adds the settings of a host that polls the ERP at <paramref name="simulatorUrl"/> and copies faults to <c>dead_letters</c>.</summary>
    public static IDictionary<string, string?> WithErpAndDeadLetters(this IDictionary<string, string?> settings, string simulatorUrl)
    {
        settings["Erp:Inbound:Url"] = $"{simulatorUrl}/erp";
        settings["Erp:Inbound:PollInterval"] = "00:00:00.500";
        settings["Operations:DeadLetters:Enabled"] = "true";
        settings["Operations:DeadLetters:PollInterval"] = "00:00:00.200";
        return settings;
    }

    /// <summary>Calls the ERP simulator (<paramref name="erp"/> based at <c>/erp/</c>) and asserts success; returns its answer.</summary>
    public static async Task<JsonNode> SendAsync(HttpClient erp, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await erp.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} /erp/{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Posts a one-line purchase receipt to the ERP simulator's documents feed, booked five minutes ago.</summary>
    public static Task<JsonNode> ReceiptAsync(HttpClient erp, string number, string siteCode, string itemNumber, int quantity, string unit = "EA") =>
        SendAsync(erp, HttpMethod.Post, "documents", new
        {
            documentType = "PurchaseReceipt",
            documentNumber = number,
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            siteCode,
            otherSiteCode = (string?)null,
            lines = new[] { new { lineNumber = 1, itemNumber, quantity, unit } },
        });
}
