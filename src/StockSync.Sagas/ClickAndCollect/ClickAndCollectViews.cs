using Microsoft.EntityFrameworkCore.Migrations;
using StockSync.Persistence.Operations;

namespace StockSync.Sagas.ClickAndCollect;

/// <summary>
/// The operators' view of pickups: <c>ops_pickups_waiting</c> lists every order ready for pickup with how long it has
/// been waiting (<c>seconds_waiting</c>, from <c>ready_at</c>), so "pickups waiting longer than 48 h" is one portable
/// query on every provider. Created by the migrations.
/// </summary>
public static class ClickAndCollectViews
{
    private const string Select = """
        SELECT correlation_id, order_id, store_id, ready_at, pickup_reminder_at, pickup_window_ends_at,
               {seconds_since:ready_at} AS seconds_waiting
        FROM click_and_collect_sagas
        WHERE current_state = 'ReadyForPickup'
        """;

    /// <summary>Creates the view on the migration's provider.</summary>
    public static void Create(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(OperatorViews.ViewStatement(migrationBuilder.ActiveProvider ?? string.Empty, "ops_pickups_waiting", Select));
    }

    /// <summary>Drops the view.</summary>
    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("DROP VIEW IF EXISTS ops_pickups_waiting;");
    }
}
