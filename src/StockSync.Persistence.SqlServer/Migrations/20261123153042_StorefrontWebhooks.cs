using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class StorefrontWebhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "checkout_holds",
                columns: table => new
                {
                    source = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    checkout_token = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    reservation_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    location_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    lines = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    state = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    order_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: true),
                    held_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ended_at = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkout_holds", x => new { x.source, x.checkout_token });
                });

            migrationBuilder.CreateTable(
                name: "webhook_receipts",
                columns: table => new
                {
                    source = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    webhook_id = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    topic = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    received_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    triggered_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    body_bytes = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_receipts", x => new { x.source, x.webhook_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_holds_state_held_at",
                table: "checkout_holds",
                columns: new[] { "state", "held_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_receipts_received_at",
                table: "webhook_receipts",
                column: "received_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "checkout_holds");

            migrationBuilder.DropTable(
                name: "webhook_receipts");
        }
    }
}
