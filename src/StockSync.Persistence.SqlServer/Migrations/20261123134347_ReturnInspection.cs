using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ReturnInspection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "return_inspection_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    return_id = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    location_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    order_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    original_transaction_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    lines = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    inspected = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    uninspected_units = table.Column<int>(type: "int", nullable: false),
                    inspection_due_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    escalated_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    inspected_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    inspection_count = table.Column<int>(type: "int", nullable: false),
                    ledger_step = table.Column<int>(type: "int", nullable: false),
                    reason = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    current_state = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "int", nullable: false),
                    created_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    updated_at = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_return_inspection_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_return_inspection_sagas_current_state",
                table: "return_inspection_sagas",
                column: "current_state");

            migrationBuilder.CreateIndex(
                name: "ix_return_inspection_sagas_inspection_due_at",
                table: "return_inspection_sagas",
                column: "inspection_due_at");

            migrationBuilder.CreateIndex(
                name: "ix_return_inspection_sagas_location_id",
                table: "return_inspection_sagas",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_return_inspection_sagas_return_id",
                table: "return_inspection_sagas",
                column: "return_id",
                unique: true);

            // The operators' views now cover the return inspections and their SLA deadline too.
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Create(
                migrationBuilder,
                new StockSync.Persistence.Operations.SagaViewSource("click_and_collect_sagas", "HoldExpiresAt", "PickupReminderAt", "PickupWindowEndsAt"),
                new StockSync.Persistence.Operations.SagaViewSource("order_fulfillment_sagas"),
                new StockSync.Persistence.Operations.SagaViewSource("return_inspection_sagas", "InspectionDueAt"));
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Create(migrationBuilder);
            migrationBuilder.InsertData(
                table: "ops_stuck_thresholds",
                columns: ["saga", "current_state", "stuck_after_seconds"],
                values: new object[] { "return_inspection_sagas", "InspectionOverdue", 86400 });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DeleteData(table: "ops_stuck_thresholds", keyColumns: ["saga", "current_state"], keyValues: ["return_inspection_sagas", "InspectionOverdue"]);
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Drop(migrationBuilder);
            StockSync.Persistence.Operations.OperatorViews.Create(
                migrationBuilder,
                new StockSync.Persistence.Operations.SagaViewSource("click_and_collect_sagas", "HoldExpiresAt", "PickupReminderAt", "PickupWindowEndsAt"),
                new StockSync.Persistence.Operations.SagaViewSource("order_fulfillment_sagas"));
            StockSync.Sagas.ClickAndCollect.ClickAndCollectViews.Create(migrationBuilder);

            migrationBuilder.DropTable(
                name: "return_inspection_sagas");
        }
    }
}
