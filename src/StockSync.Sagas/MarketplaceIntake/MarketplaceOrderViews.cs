using Microsoft.EntityFrameworkCore.Migrations;
using StockSync.Persistence.Operations;

namespace StockSync.Sagas.MarketplaceIntake;

/// <summary>
/// The operators' view of marketplace acknowledgments: <c>ops_marketplace_acknowledgements</c> lists every marketplace
/// order not yet acknowledged (waiting, overdue or refused) with its deadline and <c>seconds_until_due</c> (negative:
/// overdue), the attempts and the last error. "Due in the next 30 minutes" and "past the deadline" are one portable
/// query each. Created by the migrations.
/// </summary>
public static class MarketplaceOrderViews
{
    private const string Select = """
        SELECT correlation_id, marketplace, marketplace_order_id, order_id, current_state, ordered_at, acknowledge_by,
               -({seconds_since:acknowledge_by}) AS seconds_until_due,
               attempts, last_attempt_at, next_attempt_at, last_error, warned_at, deadline_missed_at, accepted_lines, rejected_lines
        FROM marketplace_order_sagas
        WHERE current_state IN ('AwaitingAcknowledgement', 'AcknowledgementOverdue', 'AcknowledgementRefused')
        """;

    /// <summary>Creates the view on the migration's provider.</summary>
    public static void Create(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(OperatorViews.ViewStatement(migrationBuilder.ActiveProvider ?? string.Empty, "ops_marketplace_acknowledgements", Select));
    }

    /// <summary>Drops the view.</summary>
    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("DROP VIEW IF EXISTS ops_marketplace_acknowledgements;");
    }
}
