using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StockSync.Persistence.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class InitialLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "items",
                columns: table => new
                {
                    sku = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_items", x => x.sku);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sku = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    location_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    movement_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    source_system = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    source_message_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    source_sequence = table.Column<long>(type: "bigint", nullable: true),
                    reason_code = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    on_hand_delta = table.Column<int>(type: "integer", nullable: false),
                    reserved_delta = table.Column<int>(type: "integer", nullable: false),
                    allocated_delta = table.Column<int>(type: "integer", nullable: false),
                    damaged_delta = table.Column<int>(type: "integer", nullable: false),
                    quarantine_delta = table.Column<int>(type: "integer", nullable: false),
                    safety_stock_delta = table.Column<int>(type: "integer", nullable: false),
                    in_transit_delta = table.Column<int>(type: "integer", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    applied_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "locations",
                columns: table => new
                {
                    location_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    name = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_locations", x => x.location_id);
                });

            migrationBuilder.CreateTable(
                name: "positions",
                columns: table => new
                {
                    sku = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    location_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    on_hand = table.Column<int>(type: "integer", nullable: false),
                    reserved = table.Column<int>(type: "integer", nullable: false),
                    allocated = table.Column<int>(type: "integer", nullable: false),
                    damaged = table.Column<int>(type: "integer", nullable: false),
                    quarantine = table.Column<int>(type: "integer", nullable: false),
                    safety_stock = table.Column<int>(type: "integer", nullable: false),
                    in_transit = table.Column<int>(type: "integer", nullable: false),
                    counted_as_of = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_positions", x => new { x.sku, x.location_id });
                });

            migrationBuilder.CreateTable(
                name: "processed_movements",
                columns: table => new
                {
                    source_system = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    source_message_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    movement_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    processed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_processed_movements", x => new { x.source_system, x.source_message_id });
                });

            migrationBuilder.CreateTable(
                name: "sequence_gaps",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    source_system = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    first_missing = table.Column<long>(type: "bigint", nullable: false),
                    last_missing = table.Column<long>(type: "bigint", nullable: false),
                    detected_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence_gaps", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "source_sequences",
                columns: table => new
                {
                    source_system = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    highest = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_source_sequences", x => x.source_system);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_sku_location_id_occurred_at",
                table: "ledger_entries",
                columns: new[] { "sku", "location_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_source_system_source_message_id",
                table: "ledger_entries",
                columns: new[] { "source_system", "source_message_id" });

            migrationBuilder.CreateIndex(
                name: "ix_positions_location_id",
                table: "positions",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_sequence_gaps_source_system",
                table: "sequence_gaps",
                column: "source_system");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "items");

            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "locations");

            migrationBuilder.DropTable(
                name: "positions");

            migrationBuilder.DropTable(
                name: "processed_movements");

            migrationBuilder.DropTable(
                name: "sequence_gaps");

            migrationBuilder.DropTable(
                name: "source_sequences");
        }
    }
}
