using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockSync.Persistence.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ErpInboundFeeds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feed_cursors",
                columns: table => new
                {
                    feed = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    cursor = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_feed_cursors", x => x.feed);
                });

            migrationBuilder.CreateTable(
                name: "stock_snapshots",
                columns: table => new
                {
                    snapshot_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    taken_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    parts = table.Column<int>(type: "integer", nullable: false),
                    parts_received = table.Column<int>(type: "integer", nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_snapshots", x => x.snapshot_id);
                });

            migrationBuilder.CreateTable(
                name: "stock_snapshot_lines",
                columns: table => new
                {
                    snapshot_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    sku = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    location_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    part = table.Column<int>(type: "integer", nullable: false),
                    on_hand = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_snapshot_lines", x => new { x.snapshot_id, x.sku, x.location_id });
                    table.ForeignKey(
                        name: "fk_stock_snapshot_lines_stock_snapshots_snapshot_id",
                        column: x => x.snapshot_id,
                        principalTable: "stock_snapshots",
                        principalColumn: "snapshot_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_stock_snapshots_source_taken_at",
                table: "stock_snapshots",
                columns: new[] { "source", "taken_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feed_cursors");

            migrationBuilder.DropTable(
                name: "stock_snapshot_lines");

            migrationBuilder.DropTable(
                name: "stock_snapshots");
        }
    }
}
