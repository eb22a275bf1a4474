using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OrderSagas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "latitude",
                table: "locations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "longitude",
                table: "locations",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "offers_pickup",
                table: "locations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "ships_to_customers",
                table: "locations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "sourcing_priority",
                table: "locations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 100);

            migrationBuilder.CreateTable(
                name: "click_and_collect_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    requested_store_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    customer_reference = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    lines = table.Column<string>(type: "TEXT", nullable: false),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    ledger_step = table.Column<int>(type: "INTEGER", nullable: false),
                    reservation_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    shipment_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    hold_expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    pickup_reminder_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    pickup_window_ends_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    paid_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ready_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    collected_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    short_picked_at = table.Column<string>(type: "TEXT", nullable: false),
                    alternatives = table.Column<string>(type: "TEXT", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_click_and_collect_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "order_fulfillment_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    channel_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    lines = table.Column<string>(type: "TEXT", nullable: false),
                    shipments = table.Column<string>(type: "TEXT", nullable: false),
                    open_shipments = table.Column<int>(type: "INTEGER", nullable: false),
                    backordered_units = table.Column<int>(type: "INTEGER", nullable: false),
                    shipment_count = table.Column<int>(type: "INTEGER", nullable: false),
                    ledger_step = table.Column<int>(type: "INTEGER", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_fulfillment_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_click_and_collect_sagas_current_state",
                table: "click_and_collect_sagas",
                column: "current_state");

            migrationBuilder.CreateIndex(
                name: "ix_click_and_collect_sagas_hold_expires_at",
                table: "click_and_collect_sagas",
                column: "hold_expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_click_and_collect_sagas_order_id",
                table: "click_and_collect_sagas",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_click_and_collect_sagas_pickup_reminder_at",
                table: "click_and_collect_sagas",
                column: "pickup_reminder_at");

            migrationBuilder.CreateIndex(
                name: "ix_click_and_collect_sagas_pickup_window_ends_at",
                table: "click_and_collect_sagas",
                column: "pickup_window_ends_at");

            migrationBuilder.CreateIndex(
                name: "ix_click_and_collect_sagas_store_id",
                table: "click_and_collect_sagas",
                column: "store_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_fulfillment_sagas_current_state",
                table: "order_fulfillment_sagas",
                column: "current_state");

            migrationBuilder.CreateIndex(
                name: "ix_order_fulfillment_sagas_order_id",
                table: "order_fulfillment_sagas",
                column: "order_id",
                unique: true);

            // Existing locations get the fulfilment roles of their kind (new ones get them from the catalogue).
            migrationBuilder.Sql("UPDATE locations SET offers_pickup = 1 WHERE kind = 'Store';");
            migrationBuilder.Sql("UPDATE locations SET ships_to_customers = 1, sourcing_priority = 10 WHERE kind = 'DistributionCenter';");
            migrationBuilder.Sql("UPDATE locations SET ships_to_customers = 1, sourcing_priority = 20 WHERE kind = 'Warehouse';");

            // Default "stuck" thresholds (seconds in one state) for ops_sagas_stuck; operators tune them in this table.
            // A hold outlives its 15 min, a store takes over 4 h to pick, a pickup outlives its 72 h window by a day,
            // a shipment is open for 2 days, a backorder waits a week.
            migrationBuilder.InsertData(
                table: "ops_stuck_thresholds",
                columns: ["saga", "current_state", "stuck_after_seconds"],
                values: new object[,]
                {
                    { "click_and_collect_sagas", "Reserved", 3600 },
                    { "click_and_collect_sagas", "Picking", 14400 },
                    { "click_and_collect_sagas", "Picked", 14400 },
                    { "click_and_collect_sagas", "ReadyForPickup", 345600 },
                    { "order_fulfillment_sagas", "Fulfilling", 172800 },
                    { "order_fulfillment_sagas", "Backordered", 604800 },
                });

            // The operators' views now cover the two order sagas and the click-and-collect deadlines.
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Create(
                migrationBuilder,
                new StockSync.Persistence.Operations.SagaViewSource("click_and_collect_sagas", "HoldExpiresAt", "PickupReminderAt", "PickupWindowEndsAt"),
                new StockSync.Persistence.Operations.SagaViewSource("order_fulfillment_sagas"));
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Create(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Create(migrationBuilder);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["click_and_collect_sagas", "Reserved"]);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["click_and_collect_sagas", "Picking"]);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["click_and_collect_sagas", "Picked"]);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["click_and_collect_sagas", "ReadyForPickup"]);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["order_fulfillment_sagas", "Fulfilling"]);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["order_fulfillment_sagas", "Backordered"]);

            migrationBuilder.DropTable(
                name: "click_and_collect_sagas");

            migrationBuilder.DropTable(
                name: "order_fulfillment_sagas");

            migrationBuilder.DropColumn(
                name: "latitude",
                table: "locations");

            migrationBuilder.DropColumn(
                name: "longitude",
                table: "locations");

            migrationBuilder.DropColumn(
                name: "offers_pickup",
                table: "locations");

            migrationBuilder.DropColumn(
                name: "ships_to_customers",
                table: "locations");

            migrationBuilder.DropColumn(
                name: "sourcing_priority",
                table: "locations");
        }
    }
}
