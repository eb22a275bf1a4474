using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class MarketplaceIntake : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "marketplace_order_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    marketplace = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    marketplace_order_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    order_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    lines = table.Column<string>(type: "text", nullable: false),
                    decisions = table.Column<string>(type: "text", nullable: false),
                    reservations = table.Column<string>(type: "text", nullable: false),
                    accepted_lines = table.Column<int>(type: "integer", nullable: false),
                    rejected_lines = table.Column<int>(type: "integer", nullable: false),
                    ordered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    acknowledge_by = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    warning_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    acknowledgement_due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    acknowledged_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    warned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deadline_missed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    redeliveries = table.Column<int>(type: "integer", nullable: false),
                    ledger_step = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    current_state = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_marketplace_order_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_marketplace_order_sagas_acknowledge_by",
                table: "marketplace_order_sagas",
                column: "acknowledge_by");

            migrationBuilder.CreateIndex(
                name: "ix_marketplace_order_sagas_current_state",
                table: "marketplace_order_sagas",
                column: "current_state");

            migrationBuilder.CreateIndex(
                name: "ix_marketplace_order_sagas_marketplace_marketplace_order_id",
                table: "marketplace_order_sagas",
                columns: new[] { "marketplace", "marketplace_order_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_marketplace_order_sagas_order_id",
                table: "marketplace_order_sagas",
                column: "order_id",
                unique: true);
            // The operators' views now cover the marketplace orders and their three deadlines, plus their own view.
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Create(
                migrationBuilder,
                new StockSync.Persistence.Operations.SagaViewSource("click_and_collect_sagas", "HoldExpiresAt", "PickupReminderAt", "PickupWindowEndsAt"),
                new StockSync.Persistence.Operations.SagaViewSource("order_fulfillment_sagas"),
                new StockSync.Persistence.Operations.SagaViewSource("return_inspection_sagas", "InspectionDueAt"),
                new StockSync.Persistence.Operations.SagaViewSource("marketplace_order_sagas", "WarningAt", "AcknowledgementDueAt", "NextAttemptAt"));
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Create(migrationBuilder);
            StockSync.Sagas.MarketplaceIntake.MarketplaceOrderViews.Create(migrationBuilder);
            migrationBuilder.InsertData(
                table: "ops_stuck_thresholds",
                columns: ["saga", "current_state", "stuck_after_seconds"],
                values: new object[,] { { "marketplace_order_sagas", "AcknowledgementOverdue", 900 }, { "marketplace_order_sagas", "AcknowledgementRefused", 900 } });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["marketplace_order_sagas", "AcknowledgementOverdue"]);
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["marketplace_order_sagas", "AcknowledgementRefused"]);
            StockSync.Sagas.MarketplaceIntake.MarketplaceOrderViews.Drop(migrationBuilder);
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Create(
                migrationBuilder,
                new StockSync.Persistence.Operations.SagaViewSource("click_and_collect_sagas", "HoldExpiresAt", "PickupReminderAt", "PickupWindowEndsAt"),
                new StockSync.Persistence.Operations.SagaViewSource("order_fulfillment_sagas"),
                new StockSync.Persistence.Operations.SagaViewSource("return_inspection_sagas", "InspectionDueAt"));
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Create(migrationBuilder);
            migrationBuilder.DropTable(
                name: "marketplace_order_sagas");
        }
    }
}
