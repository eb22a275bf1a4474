using System.Text.Json.Nodes;
using StockSync.Cli.Presentation;

namespace StockSync.Cli.Tests;

/// <summary>The tables and blocks the CLI prints, rendered from sample answers of the ops API (Samples/*.json).</summary>
public sealed class ViewsTests
{
    [Fact]
    public void Sagas_by_state_is_an_aligned_table_with_right_aligned_counts_and_utc_times_to_the_second()
    {
        Assert.Equal(
            """
            SAGA                     STATE     INSTANCES  OLDEST CHANGE         NEWEST CHANGE
            click_and_collect_sagas  Picking           1  2026-11-23 15:14:45Z  2026-11-23 15:14:45Z
            click_and_collect_sagas  Reserved         12  2026-11-23 20:01:02Z  2026-11-23 20:14:45Z

            """.ReplaceLineEndings("\n"),
            Views.SagasByState(Sample("sagas-by-state")));
    }

    [Fact]
    public void Stuck_sagas_show_time_in_state_against_the_threshold()
    {
        var lines = Lines(Views.Stuck(Sample("sagas-stuck")));
        Assert.Equal("SAGA                     CORRELATION ID                        STATE    UPDATED               IN STATE  STUCK AFTER", lines[0]);
        Assert.Equal("click_and_collect_sagas  0b7f5a52-8f0c-4b7e-9a55-3d2b1f0e6c11  Picking  2026-11-23 15:14:45Z     5h 0m        4h 0m", lines[1]);
    }

    [Fact]
    public void Deadlines_say_how_far_ahead_or_overdue_and_when_the_sweeper_fired()
    {
        var lines = Lines(Views.Deadlines(Sample("deadlines")));
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"HoldExpiresAt  2026-11-24 20:14:45Z\s+in 23h 55m  -$", lines[1]);
        Assert.Matches(@"PickDueAt      2026-11-23 20:00:00Z\s+2m 5s  2026-11-23 20:00:01Z$", lines[2]);
    }

    [Fact]
    public void An_empty_list_prints_its_header_and_none()
    {
        Assert.Equal("SAGA  CORRELATION ID  STATE  CREATED  UPDATED  IN STATE\n(none)\n", Views.Sagas(new JsonArray()));
    }

    [Fact]
    public void A_lookup_shows_each_instance_with_its_row_then_ledger_messages_and_dead_letters()
    {
        var text = Views.Lookup(Sample("saga-lookup"));
        var lines = Lines(text);

        Assert.Equal("Order: CC-1001", lines[0]);
        Assert.Contains("click_and_collect_sagas 0b7f5a52-8f0c-4b7e-9a55-3d2b1f0e6c11: Reserved (created 2026-11-23 20:14:40Z, updated 2026-11-23 20:14:45Z)", lines);
        Assert.Contains("  storeId:       STORE-1", lines);
        Assert.Contains("""  lines:         [{"sku":"SKU-MUG","quantity":1}]""", lines);
        Assert.Contains("  version:       2", lines);
        var ledger = Array.IndexOf(lines, "Ledger movements");
        Assert.Equal("ID  SKU      LOCATION  MOVEMENT       SOURCE                             DELTA        OCCURRED", lines[ledger + 1]);
        Assert.Equal("41  SKU-MUG  STORE-1   StockReserved  click-and-collect/CC-1001:reserve  reserved +1  2026-11-23 20:14:41Z", lines[ledger + 2]);
        var messages = Array.IndexOf(lines, "Messages (outbox)");
        Assert.Equal("ReserveForPickup  2026-11-23 20:14:40Z  2026-11-23 20:14:40Z         1  -", lines[messages + 2]);
        var deadLetters = Array.IndexOf(lines, "Dead letters");
        Assert.Equal("(none)", lines[deadLetters + 2]);
    }

    [Fact]
    public void Dead_letters_show_short_types_a_cut_message_and_the_order()
    {
        var lines = Lines(Views.DeadLetters(Sample("dead-letters")));
        Assert.Equal("ID  STATUS     QUEUE              MESSAGE              EXCEPTION                                                     FAILURES  LAST FAILED           ORDER", lines[0]);
        Assert.Equal(" 7  Open       erp-documents      ErpDocumentReceived  UnmappedIdException: erp sku '300-POT' has no mapping: th...         2  2026-11-23 20:12:00Z  -", lines[1]);
        Assert.Equal("12  Discarded  click-and-collect  ReserveForPickup     InvalidOperationException: boom                                      1  2026-11-23 20:13:00Z  CC-1001", lines[2]);
    }

    [Fact]
    public void One_dead_letter_shows_every_field_the_stack_trace_and_the_body_indented()
    {
        var text = Views.DeadLetter(Sample("dead-letter"));
        Assert.StartsWith("Dead letter:     7\nStatus:          Open\nQueue:           erp-documents\n", text, StringComparison.Ordinal);
        Assert.Contains("Last replayed:   2026-11-23 20:11:00Z by alice\nDiscarded:       -\n", text, StringComparison.Ordinal);
        Assert.Contains("Stack trace\n     at StockSync.Adapters.Erp.Map()\n     at MassTransit.Consume()\n", text, StringComparison.Ordinal);
        Assert.Contains("Body (application/vnd.masstransit+json)\n  {\n    \"message\": {\n      \"documentNumber\": \"PO-1\",", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Replays_and_discards_say_who_when_and_why()
    {
        var replayed = Sample("dead-letter");
        replayed["status"] = "Replayed";
        Assert.Equal(
            "Dead letter 7 replayed to erp-documents by alice at 2026-11-23 20:11:00Z (replay 1). It opens again if it fails again.\n",
            Views.DeadLetterAction(replayed));
        var discarded = Sample("dead-letters")[1]!;
        Assert.Equal("Dead letter 12 discarded by carol at 2026-11-23 20:14:00Z: test order\n", Views.DeadLetterAction(discarded));
    }

    [Fact]
    public void A_reconciliation_report_has_the_summary_then_the_largest_signed_deltas_with_pending_postings()
    {
        Assert.Equal(
            """
            Snapshot:              erp-20261123T201500Z
            Source:                erp
            Taken at:              2026-11-23 20:15:00Z
            Complete:              yes
            Keys compared:         4
            Mismatches:            3
            Units off:             10
            With postings pending: 1

            Largest mismatches, on-hand (delta = StockSync - snapshot) (2 of 3; --csv FILE writes them all)
            SKU      LOCATION  SNAPSHOT  STOCKSYNC  DELTA  PENDING POSTINGS
            SKU-TEA  DC-1            30         25     -5                 1
            SKU-TEA  STORE-1         12         15     +3                 0

            """.ReplaceLineEndings("\n"),
            Views.Reconciliation(Sample("reconciliation")));
    }

    [Fact]
    public void A_position_shows_every_bucket_and_channel_or_only_the_location_asked_for()
    {
        var all = Lines(Views.Position(Sample("inventory")));
        Assert.Equal("SKU SKU-MUG: 9 available to sell in all", all[0]);
        Assert.Equal("LOCATION  ON HAND  RESERVED  ALLOCATED  DAMAGED  QUARANTINE  SAFETY  IN TRANSIT  ATS  CHANNELS                     VERSION  UPDATED", all[1]);
        Assert.Equal("DC-1           20         0          2        1           0      10           0    7  web=7 marketplace-walmart=5        4  2026-11-23 20:14:45Z", all[2]);
        Assert.Equal(4, all.Length);

        var one = Lines(Views.Position(Sample("inventory"), "STORE-1"));
        Assert.Equal(3, one.Length);
        Assert.StartsWith("STORE-1         3         1          0        0           0       0           0    2  -", one[2], StringComparison.Ordinal);
    }

    [Fact]
    public void The_ledger_shows_each_movement_with_its_non_zero_bucket_deltas_and_reason()
    {
        Assert.Equal(
            """
            ID  OCCURRED              APPLIED               MOVEMENT           SOURCE                             DELTA        REASON
            43  2026-11-23 20:14:00Z  2026-11-23 20:14:01Z  SaleRecorded       pos:store-1/T-9                    onHand -1    -
            41  2026-11-23 20:13:00Z  2026-11-23 20:13:00Z  StockReserved      click-and-collect/CC-1001:reserve  reserved +1  -
            40  2026-11-23 20:12:00Z  2026-11-23 20:12:00Z  InventoryAdjusted  pos:store-1/ADJ-1                  onHand +3    FOUND

            """.ReplaceLineEndings("\n"),
            Views.Ledger(Sample("ledger")));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(192, "3m 12s")]
    [InlineData(18000, "5h 0m")]
    [InlineData(183600, "2d 3h")]
    [InlineData(-125, "-2m 5s")]
    public void Durations_show_the_two_largest_units(long seconds, string expected) => Assert.Equal(expected, Format.Duration(seconds));

    private static JsonNode Sample(string name) => JsonNode.Parse(CommandLineTests.Sample(name))!;

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
